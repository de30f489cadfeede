"""Memos: the evidence gathered from the evaluations and the PDF rendered from it (SPEC §6).

The evaluations here are written straight to the database in the shape the engine writes
(the Evaluation data contract), with SPEC §10's worked examples A and D.
"""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from compliance.enforcement.actions import enforcement_action_create
from compliance.enforcement.memos.build import memo_generate
from compliance.enforcement.memos.gather import gather_snapshot, snapshot_sha256
from compliance.enforcement.memos.render import render_memo_pdf
from compliance.models import AuditEvent, Evaluation, Flag, FlagEvent, Memo, PayrollLine
from tests.conftest import make_commitment, make_report

TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10"]


def series(rows):
    """Monthly series entries from (denominator, numerator) pairs, cumulative as the engine does."""
    out, num_total, den_total = [], Decimal(0), Decimal(0)
    for month, (den, num) in zip(MONTHS, rows, strict=True):
        num_total += Decimal(num)
        den_total += Decimal(den)
        out.append(
            {
                "month": month,
                "numerator": f"{Decimal(num):.2f}",
                "denominator": f"{Decimal(den):.2f}",
                "percent": f"{Decimal(100) * Decimal(num) / Decimal(den):.2f}",
                "cumulative_percent": f"{Decimal(100) * num_total / den_total:.2f}",
            }
        )
    return out


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def worked_examples(project, walsh, pulice, crafts, area):
    """Example A (targeted hire, 10,000 h / 3,700 resident, $25 a shortfall hour) and
    example D (a wage floor of $38.00: 40 h at $35.50 owe $100.00), as evaluated."""
    targeted = make_commitment(
        project,
        "targeted",
        "workforce_share",
        clause="§3.1",
        title="Targeted worker hours",
        qualifier="area_resident",
        area=area,
        scope="project",
        target_percent="40",
        penalty_per_unit="25",
    )
    targeted.text = (
        "At least 40% of all project work hours shall be performed by residents of the "
        "economically disadvantaged ZIP codes listed in Attachment A."
    )
    targeted.save()
    wage = make_commitment(
        project,
        "wage",
        "wage_floor",
        clause="§5",
        title="Living wage",
        scope="project",
        basis="base",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00", "fringe": "0"}],
    )
    report = make_report(
        walsh,
        datetime.date(2026, 10, 1),
        [
            {
                "worker": "W-17",
                "week_ending": datetime.date(2026, 10, 9),
                "craft": crafts["Laborer"],
                "hours": "40",
                "hourly_rate": Decimal("35.50"),
            },
            {
                "worker": "W-18",
                "week_ending": datetime.date(2026, 10, 9),
                "craft": crafts["Laborer"],
                "hours": "10",
                "hourly_rate": Decimal("38.00"),
            },
        ],
        sha256="a" * 64,
        source="excel",
    )
    make_report(
        pulice, datetime.date(2026, 10, 1), [], sha256="b" * 64, source="no_work", no_work=True
    )
    underpaid = PayrollLine.objects.get(report=report, worker__worker_key="W-17")
    as_of = datetime.date(2026, 10, 31)
    Evaluation.objects.create(
        project=project,
        commitment=targeted,
        commitment_key="targeted",
        kind="workforce_share",
        group_key="project",
        as_of=as_of,
        numerator=Decimal("3700.00"),
        denominator=Decimal("10000.00"),
        actual_percent=Decimal("37.00"),
        target_percent=Decimal("40.00"),
        shortfall=Decimal("300.00"),
        projected_percent=Decimal("36.10"),
        status="at_risk",
        series=series([(2000, 900), (2500, 950), (2500, 900), (3000, 950)]),
        details={
            "measure": "hours",
            "qualifier": "area_resident",
            "population": "all",
            "penalty_per_unit": "25.00",
            "liquidated_damages": "7500.00",
            "unit": "hours",
        },
    )
    Evaluation.objects.create(
        project=project,
        commitment=wage,
        commitment_key="wage",
        kind="wage_floor",
        group_key="project",
        as_of=as_of,
        numerator=Decimal("40.00"),
        denominator=Decimal("50.00"),
        actual_percent=Decimal("80.00"),
        shortfall=Decimal("100.00"),
        status="shortfall",
        series=series([(10, 0), (10, 0), (10, 0), (50, 40)]),
        details={
            "violations": [
                {
                    "line_id": underpaid.pk,
                    "worker": "W-17",
                    "week_ending": "2026-10-09",
                    "craft": "Laborer",
                    "hours": "40.00",
                    "paid": "35.50",
                    "required": "38.00",
                    "owed": "100.00",
                }
            ],
            "violation_count": 1,
            "worker_count": 1,
        },
    )
    for assignment, months in [
        (walsh, [("2026-09", "received", 1), ("2026-10", "late", 1)]),
        (pulice, [("2026-09", "missing", None), ("2026-10", "received", 1)]),
    ]:
        Evaluation.objects.create(
            project=project,
            commitment_key="reporting",
            kind="reporting",
            group_key=f"a{assignment.pk}",
            assignment=assignment,
            as_of=as_of,
            status="shortfall",
            details={
                "due": 2,
                "on_time": sum(1 for m in months if m[1] == "received"),
                "late": sum(1 for m in months if m[1] == "late"),
                "missing": sum(1 for m in months if m[1] == "missing"),
                "not_yet_due": 0,
                "months": [
                    {
                        "month": month,
                        "due_date": f"{month[:5]}{int(month[5:]) + 1:02d}-15",
                        "status": status,
                        "report_id": None,
                        "version": version,
                        "submitted_at": "2026-11-18T09:30:00-08:00" if version else None,
                    }
                    for month, status, version in months
                ],
            },
        )
    flag = Flag.objects.create(
        project=project,
        commitment=targeted,
        commitment_key="targeted",
        kind="at_risk",
        severity="warning",
        dedupe_key="at_risk:targeted:project",
        title="§3.1 Targeted worker hours at 37.00% against 40.00%",
    )
    FlagEvent.objects.create(flag=flag, kind="raised", to_status="open")
    FlagEvent.objects.create(
        flag=flag,
        kind="comment",
        note="Ask Walsh for its hiring plan before the notice.",
        visibility="internal",
    )
    return {"targeted": targeted, "wage": wage, "flag": flag, "report": report}


@pytest.fixture(autouse=True)
def memo_files(settings, tmp_path):
    """Memos are stored under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def build(project, user, **scope) -> Memo:
    with time_machine.travel(TODAY, tick=False):
        return memo_generate(project=project, user=user, **scope)


def memo_text(memo: Memo) -> str:
    with memo.pdf.open("rb") as f:
        return pdf_text(f.read())


def test_the_memo_shows_example_a_shortfall_and_damages_with_the_arithmetic(
    worked_examples, project, lawyer
):
    memo = build(project, lawyer)
    text = memo_text(memo)
    assert memo.status == "ready"
    assert "§3.1 Targeted worker hours" in text
    assert "At least 40% of all project work hours shall be performed" in text
    assert "37.00%: 3,700.00 of 10,000.00 hours" in text
    assert "300.00 hours" in text
    assert "300.00 hours × $25.00 = $7,500.00" in text
    assert "40.00% × 10,000.00 hours = 4,000.00 hours required" in text


def test_the_memo_lists_example_d_restitution_per_worker_and_week_by_id_only(
    worked_examples, project, lawyer
):
    Worker = worked_examples["report"].lines.first().worker.__class__
    Worker.objects.filter(worker_key="W-17").update(name="Maria Lopez")
    text = memo_text(build(project, lawyer))
    assert "Restitution owed: $100.00" in text
    assert "Walsh Shea: 1 worker, 40.00 underpaid hours, $100.00 owed W-17 1 40.00 $100.00" in text
    assert "W-17 Oct 9, 2026 Laborer 40.00 $35.50 $38.00 $100.00" in text
    assert "Maria Lopez" not in text


def test_the_memo_names_the_report_versions_and_its_own_snapshot_sha256(
    worked_examples, project, lawyer
):
    memo = build(project, lawyer)
    text = memo_text(memo)
    assert "a" * 64 in text and "b" * 64 in text
    assert memo.snapshot_sha256 in text
    assert memo.snapshot_sha256 == snapshot_sha256(memo.snapshot)
    with memo.pdf.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == memo.pdf_sha256


def test_two_memos_on_the_same_data_carry_the_same_figures(worked_examples, project, lawyer):
    first, second = build(project, lawyer), build(project, lawyer)
    assert first.pk != second.pk
    assert first.snapshot == second.snapshot
    assert first.snapshot_sha256 == second.snapshot_sha256
    assert first.pdf_sha256 == second.pdf_sha256


def test_a_failing_build_ends_as_failed_with_a_reason(
    worked_examples, project, lawyer, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("the chart data is malformed")

    monkeypatch.setattr("compliance.enforcement.memos.build.render_memo_pdf", broken)
    memo = build(project, lawyer)
    assert memo.status == "failed"
    assert "the chart data is malformed" in memo.failure_reason
    assert "Request it again" in memo.failure_reason
    assert not memo.pdf
    assert AuditEvent.objects.filter(verb="memo.failed", object_id=str(memo.pk)).exists()


def test_the_memo_has_a_heading_page_numbers_and_a_running_header(worked_examples, project, lawyer):
    memo = build(project, lawyer)
    with memo.pdf.open("rb") as f:
        pages = [" ".join(page.extract_text().split()) for page in PdfReader(f).pages]
    total = len(pages)
    assert total >= 3
    assert "Memorandum" in pages[0]
    assert "To Metro" in pages[0]
    assert "From lawyer" in pages[0] and "Community Benefits Law Center" in pages[0]
    assert "Date November 20, 2026" in pages[0]
    assert "Re Compliance with Construction Careers Policy: Crenshaw/LAX Line" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
    assert "Crenshaw/LAX Line · Enforcement memo of November 20, 2026" in pages[1]


def test_the_summary_states_the_findings_in_one_paragraph(worked_examples, project, lawyer):
    text = memo_text(build(project, lawyer))
    assert "1 is in shortfall (§5 Living wage) and 1 at risk (§3.1 Targeted worker hours)" in text
    assert (
        "Liquidated damages are not owed before the project's completion under the agreement; "
        "if the shortfall stands at completion, the exposure at the rates the agreement sets is "
        "$7,500.00." in text
    )
    assert "damages at the rates the agreement sets come to" not in text
    assert "Restitution of $100.00 is owed to 1 worker paid below the required wage." in text
    assert "Of the monthly reports due, 1 is missing and 1 was filed late." in text
    assert "There is 1 unresolved flag." in text


def test_reporting_history_lists_missing_and_late_reports(worked_examples, project, lawyer):
    text = memo_text(build(project, lawyer))
    assert "Of 4 reports due, 2 arrived on time, 1 late and 1 not at all" in text
    assert "Pulice Sep 2026 Oct 15, 2026 Missing" in text
    assert "Walsh Shea Oct 2026 Nov 15, 2026 Late Nov 18, 2026 09:30 1" in text


def test_a_counsel_memos_flag_history_includes_internal_comments(worked_examples, project, lawyer):
    text = memo_text(build(project, lawyer, audience="counsel"))
    flag = worked_examples["flag"]
    assert f"Flag #{flag.pk}: §3.1 Targeted worker hours at 37.00% against 40.00%" in text
    assert "Internal: Ask Walsh for its hiring plan before the notice." in text


def test_enforcement_history_and_the_cure_deadline_of_a_notice_sent_today(
    worked_examples, project, lawyer, walsh
):
    enforcement_action_create(
        project=project,
        user=lawyer,
        kind="notice",
        date=datetime.date(2026, 10, 1),
        assignment=walsh,
        note="Sent by certified mail.",
        flags=[worked_examples["flag"]],
    )
    text = memo_text(build(project, lawyer))
    assert "Notice of non-compliance" in text
    assert "Nov 2, 2026; passed, not cured" in text, "Oct 31 is a Saturday: the next Monday"
    assert "Sent by certified mail." not in text, "the law center's note is its own"
    assert "Sent by certified mail." in memo_text(build(project, lawyer, audience="counsel"))
    assert (
        "A notice of non-compliance sent today, November 20, 2026, would set a cure deadline of "
        "December 21, 2026" in text  # the 20th is a Sunday
    )


def test_a_contractor_memo_keeps_to_its_own_groups_and_reports(
    project, walsh, pulice, crafts, lawyer
):
    """SPEC §10 B: per trade, per contractor; the memo for contractor A shows A's groups."""
    sf = make_commitment(
        project,
        "sf-local",
        "workforce_share",
        clause="§4.2(a)",
        title="Local hire per trade",
        qualifier="disadvantaged",
        scope="contractor_craft",
        target_percent="30",
        penalty_per_unit="25",
    )
    make_report(walsh, datetime.date(2026, 10, 1), [], sha256="c" * 64)
    make_report(pulice, datetime.date(2026, 10, 1), [], sha256="d" * 64)
    as_of = datetime.date(2026, 10, 31)
    for assignment, craft, den, num, status, short in [
        (walsh, "Carpenter", 1000, 350, "met", 0),
        (walsh, "Laborer", 800, 120, "shortfall", 120),
        (pulice, "Laborer", 500, 50, "shortfall", 100),
    ]:
        Evaluation.objects.create(
            project=project,
            commitment=sf,
            commitment_key="sf-local",
            kind="workforce_share",
            group_key=f"a{assignment.pk}-c{crafts[craft].pk}",
            assignment=assignment,
            craft=crafts[craft],
            as_of=as_of,
            numerator=num,
            denominator=den,
            actual_percent=Decimal(100 * num) / den,
            target_percent=Decimal("30.00"),
            shortfall=short,
            projected_percent=Decimal(100 * num) / den,
            status=status,
            series=series([(den / 4, num / 4)] * 4),
            details={
                "measure": "hours",
                "unit": "hours",
                "penalty_per_unit": "25.00",
                "liquidated_damages": f"{short * 25:.2f}",
            },
        )
    units = make_commitment(
        project,
        "units",
        "count_target",
        clause="§7",
        title="Affordable units",
        unit="units",
        target_quantity="100",
        start_date="2024-01-01",
        due_date="2026-12-31",
    )
    Evaluation.objects.create(
        project=project,
        commitment=units,
        commitment_key="units",
        kind="count_target",
        group_key="project",
        as_of=as_of,
        numerator=20,
        denominator=100,
        actual_percent=20,
        shortfall=0,
        status="on_track",
        details={"unit": "units", "target_quantity": "100.00", "due_to_date": "15.00"},
    )
    text = memo_text(
        build(project, lawyer, assignment=walsh, commitment_keys=["sf-local", "units"])
    )
    assert "To Walsh Shea" in text
    assert "20 units delivered of 100 units" in text
    assert "Walsh Shea · Laborer 120.00 800.00 15.00% Shortfall 120.00 $3,000.00" in text
    assert "Walsh Shea · Carpenter 350.00 1,000.00 35.00% Met 0.00 $0.00" in text
    assert "Walsh Shea · Laborer 120.00 hours × $25.00 = $3,000.00" in text
    assert "Pulice · Laborer" not in text
    assert "c" * 64 in text and "d" * 64 not in text

    whole = memo_text(build(project, lawyer, commitment_keys=["sf-local"]))
    assert "Pulice · Laborer 100.00 hours × $25.00 = $2,500.00" in whole
    assert "Exposure if the shortfall stands at completion under §4.2(a): $5,500.00" in whole


def test_long_violation_lists_are_capped_with_totals_for_all(worked_examples, project, lawyer):
    evaluation = Evaluation.objects.get(commitment_key="wage")
    violations = [
        {
            "line_id": None,
            "worker": f"W-{i:04d}",
            "week_ending": "2026-10-09",
            "craft": "Laborer",
            "hours": "10.00",
            "paid": "37.00",
            "required": "38.00",
            "owed": "10.00",
        }
        for i in range(400)
    ]
    evaluation.details = {
        **evaluation.details,
        "violations": violations,
        "violation_count": 400,
        "worker_count": 400,
    }
    evaluation.shortfall = Decimal("4000.00")
    evaluation.save()
    memo = build(project, lawyer)
    text = memo_text(memo)
    assert "400 workers were paid below the required rate" in text
    assert "Restitution owed: $4,000.00" in text
    assert "300 more workers are owed $3,000.00 together" in text
    assert "250 more lines add $2,500.00" in text
    assert len(memo.snapshot["wages"][0]["lines"]) == 150


def test_a_commitment_added_since_the_last_evaluation_is_measured_for_the_memo(
    project, walsh, lawyer, area
):
    make_commitment(
        project,
        "units",
        "count_target",
        clause="§7",
        title="Affordable units",
        unit="units",
        target_quantity="100",
        start_date="2024-01-01",
        due_date="2026-12-31",
    )
    text = memo_text(build(project, lawyer))
    assert "§7 Affordable units" in text
    assert "Not evaluated yet" not in text
    assert (
        "0 units delivered of 100 units; 94.43 units due to date (as of October 31, 2026)" in text
    )


def test_text_renders_with_the_bundled_font_when_the_system_has_no_dejavu(
    worked_examples, project, lawyer, monkeypatch
):
    from compliance.enforcement.memos import styles

    monkeypatch.setattr(styles, "_find_dejavu", lambda: None)
    styles.font_family.cache_clear()
    styles.styles.cache_clear()
    try:
        with time_machine.travel(TODAY, tick=False):
            snap = gather_snapshot(project=project, user=lawyer, memo_date=TODAY.date())
        text = pdf_text(render_memo_pdf(snap, snapshot_sha256="0" * 64))
        assert styles.font_family() == "MemoVera"
    finally:
        styles.font_family.cache_clear()
        styles.styles.cache_clear()
    assert "§3.1 Targeted worker hours" in text
    assert "300.00 hours × $25.00 = $7,500.00" in text


def test_gathering_runs_a_fixed_number_of_queries(
    worked_examples, project, lawyer, walsh, crafts, django_assert_max_num_queries
):
    for month in range(1, 9):
        make_report(walsh, datetime.date(2026, month, 1), [], sha256=f"{month}" * 64)
    with django_assert_max_num_queries(20):
        snap = gather_snapshot(project=project, user=lawyer, memo_date=TODAY.date())
    assert len(snap["sources"]["reports"]) == 10


def test_generate_memo_writes_the_same_document_from_the_command_line(
    worked_examples, project, lawyer, tmp_path
):
    from django.core.management import call_command

    out = tmp_path / "memo.pdf"
    with time_machine.travel(TODAY, tick=False):
        call_command(
            "generate_memo",
            "--project",
            "crenshaw",
            "--commitment",
            "targeted",
            "--user",
            "lawyer",
            "--out",
            str(out),
        )
    text = pdf_text(out.read_bytes())
    assert "300.00 hours × $25.00 = $7,500.00" in text
    assert "§5 Living wage" not in text
    memo = Memo.objects.get()
    assert memo.commitment_keys == ["targeted"]
    assert AuditEvent.objects.filter(verb="memo.requested", object_id=str(memo.pk)).exists()


def test_generate_memo_refuses_an_unknown_commitment(worked_examples, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Not a commitment of Crenshaw/LAX Line: nope"):
        call_command(
            "generate_memo",
            "--project",
            "crenshaw",
            "--commitment",
            "nope",
            "--out",
            str(tmp_path / "x.pdf"),
        )


def test_a_contractor_memo_keeps_project_wide_damages_apart(
    worked_examples, project, lawyer, pulice
):
    text = memo_text(build(project, lawyer, assignment=pulice, commitment_keys=["targeted"]))
    assert "To Pulice" in text
    assert "The commitment reviewed, §3.1 Targeted worker hours, project-wide, is at risk." in text
    assert "The clauses measured across the whole project carry an exposure of $7,500.00" in text
    assert "The clause is measured for the project as a whole: these are the project's" in text
    assert "Of the monthly reports due, 1 is missing and 0 were filed late." in text


def test_a_contractor_without_figures_under_a_clause_is_told_so(
    project, walsh, pulice, crafts, lawyer
):
    sf = make_commitment(
        project,
        "sf",
        "workforce_share",
        clause="§4.2",
        title="Per trade",
        qualifier="disadvantaged",
        scope="contractor_craft",
        target_percent="30",
    )
    Evaluation.objects.create(
        project=project,
        commitment=sf,
        commitment_key="sf",
        kind="workforce_share",
        group_key=f"a{walsh.pk}-c{crafts['Laborer'].pk}",
        assignment=walsh,
        craft=crafts["Laborer"],
        as_of=datetime.date(2026, 10, 31),
        numerator=10,
        denominator=100,
        actual_percent=10,
        target_percent=30,
        shortfall=20,
        status="shortfall",
        details={"measure": "hours", "unit": "hours"},
    )
    text = memo_text(build(project, lawyer, assignment=pulice, commitment_keys=["sf"]))
    assert "No figures for this contractor: it has reported no hours this clause counts." in text
