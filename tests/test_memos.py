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

from compliance.enforcement import enforcement_action_create
from compliance.memos.build import memo_build, memo_generate
from compliance.memos.gather import gather_snapshot, snapshot_sha256
from compliance.memos.render import render_memo_pdf
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
    return "\n".join(page.extract_text() for page in reader.pages)


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


def test_prototype_renders(worked_examples, project, lawyer, walsh):
    with time_machine.travel(TODAY, tick=False):
        snap = gather_snapshot(project=project, user=lawyer, memo_date=datetime.date(2026, 11, 20))
    pdf = render_memo_pdf(snap, snapshot_sha256=snapshot_sha256(snap))
    open("/tmp/memo_proto.pdf", "wb").write(pdf)
    text = pdf_text(pdf)
    print(text)
