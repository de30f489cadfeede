"""`contracting_share` (SPEC §3.7): dollars a prime pays certified subcontractors, reported
month by month in its reports (a `payments` list, a `Payments` sheet), against a target.

SPEC example I: target 25% to certified small businesses, margin 5. The prime paid Sub A
(certified throughout) $200,000, Sub B (no certification) $700,000 and Sub C $100,000 on
2026-05-15, after its certification expired on 2026-03-31: 200,000 of 1,000,000, 20.00%,
at risk, shortfall $50,000.00.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cba.errors import InvalidInput
from compliance.models import Evaluation, Flag, Payment, Report
from compliance.pipeline import evaluate_project
from compliance.reporting.intake.store import report_submit
from compliance.reporting.intake.versions import report_restore
from projects.definition import project_definition_load
from projects.models import Assignment, Certification, Organization
from tests.conftest import make_commitment
from tests.intake_support import HEADERS
from tests.test_intake_api import bearer, post_json

MAY = datetime.date(2026, 5, 1)
AS_OF = datetime.date(2026, 5, 31)
IN_JUNE = datetime.datetime(2026, 6, 5, 10, 0, tzinfo=datetime.UTC)
REPORTS = "/api/v1/projects/crenshaw/contractors/walsh/reports"
EXAMPLE_I = [
    {"date": "2026-05-15", "subcontractor": "sub-a", "amount": "200000.00"},
    {"date": "2026-05-15", "subcontractor": "sub-b", "amount": "700000.00"},
    {"date": "2026-05-15", "subcontractor": "sub-c", "amount": "100000.00"},
]


@pytest.fixture(autouse=True)
def in_june():
    with time_machine.travel(IN_JUNE, tick=False):
        yield


def add_sub(project, walsh, slug: str, name: str, **certification) -> Assignment:
    organization = Organization.objects.create(slug=slug, name=name, kind="contractor")
    sub = Assignment.objects.create(
        project=project,
        contractor=organization,
        tier="sub",
        parent=walsh,
        start_date=project.start_date,
        contract_value=Decimal("1000000.00"),
    )
    if certification:
        Certification.objects.create(assignment=sub, **certification)
    return sub


@pytest.fixture
def subs(project, walsh) -> dict[str, Assignment]:
    """Sub A, small throughout; Sub B, none; Sub C, small until 2026-03-31."""
    return {
        "a": add_sub(project, walsh, "sub-a", "Sub A Builders", type="small"),
        "b": add_sub(project, walsh, "sub-b", "Sub B Concrete"),
        "c": add_sub(
            project,
            walsh,
            "sub-c",
            "Sub C Electric",
            type="small",
            valid_from=datetime.date(2025, 1, 1),
            valid_to=datetime.date(2026, 3, 31),
        ),
    }


@pytest.fixture
def small_business(project):
    return make_commitment(
        project,
        "small-business",
        "contracting_share",
        title="Small business contracting",
        clause="§6.1",
        certifications=["small"],
        target_percent="25",
        warning_margin="5",
    )


def payments_workbook(payments: list[list], *, payroll: bool = False) -> bytes:
    """The template's shape: a Payroll sheet (headers only) and a Payments sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Payroll"
    sheet.append(["Payroll report"])
    sheet.append(HEADERS)
    if payroll:
        sheet.append(
            ["E1", "", "90001", "Carpenter", "J", None, datetime.date(2026, 5, 9), 40, 0, 0, 50]
        )
    sheet = book.create_sheet("Payments")
    sheet.append(["Payments to subcontractors"])
    sheet.append(["Date", "Subcontractor", "Amount"])
    for row in payments:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def project_result(project) -> Evaluation:
    return Evaluation.objects.get(
        project=project, commitment_key="small-business", group_key="project"
    )


def assert_example_i(evaluation: Evaluation) -> None:
    assert evaluation.numerator == Decimal("200000.00")
    assert evaluation.denominator == Decimal("1000000.00")
    assert evaluation.actual_percent == Decimal("20.00")
    assert evaluation.status == "at_risk"
    assert evaluation.shortfall == Decimal("50000.00")
    assert evaluation.details["unit"] == "dollars"


def test_example_i_through_a_json_submission(client, project, contractor, subs, small_business):
    answer = post_json(
        client, REPORTS, {"period": "2026-05", "payments": EXAMPLE_I}, bearer(contractor)
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["report"]["line_count"] == 0 and body["report"]["no_work"] is False
    assert "3 payments to subcontractors, $1,000,000.00" in body["message"]
    assert Payment.objects.filter(is_current=True).count() == 3
    evaluate_project(project, AS_OF)
    assert_example_i(project_result(project))
    flag = Flag.objects.get(commitment__key="small-business")
    assert flag.kind == "at_risk" and flag.severity == "warning"
    assert "20.00% against 25.00%" in flag.title


def test_example_i_through_an_xlsx_upload(client, project, contractor, subs, small_business):
    content = payments_workbook(
        [
            [datetime.date(2026, 5, 15), "Sub A Builders", 200000],
            ["5/15/2026", "sub-b", "700,000.00"],
            ["2026-05-15", "SUB C ELECTRIC", 100000.0],
        ]
    )
    answer = client.post(
        f"{REPORTS}/upload",
        {"period": "2026-05", "file": io.BytesIO(content)},
        **bearer(contractor),
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["report"]["source"] == "excel"
    assert Payment.objects.count() == 3
    evaluate_project(project, AS_OF)
    assert_example_i(project_result(project))


def test_an_xlsx_with_payroll_and_payments_stores_both(project, walsh, subs, small_business):
    content = payments_workbook([[datetime.date(2026, 5, 15), "sub-a", 5000]], payroll=True)
    from compliance.reporting.intake.upload import report_upload

    result = report_upload(assignment=walsh, period=MAY, content=content)
    assert result.report.line_count == 1 and result.payment_count == 1
    assert (
        "1 line" in result.summary()
        and "1 payment to subcontractors, $5,000.00" in result.summary()
    )


def test_bad_payment_rows_give_every_error_and_store_nothing(client, project, contractor, subs):
    tutor = Organization.objects.create(slug="tutor", name="Tutor Perini", kind="contractor")
    Assignment.objects.create(
        project=project, contractor=tutor, tier="prime", start_date=project.start_date
    )
    bad = [
        {"date": "2026-04-30", "subcontractor": "sub-a", "amount": "10.00"},
        {"date": "2026-05-02", "subcontractor": "nobody", "amount": "0"},
        {"date": "May 3", "subcontractor": "tutor", "amount": "ten"},
    ]
    answer = post_json(client, REPORTS, {"period": "2026-05", "payments": bad}, bearer(contractor))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (1, "payments.date", "2026-04-30"),
        (2, "payments.subcontractor", "nobody"),
        (2, "payments.amount", "0"),
        (3, "payments.date", "May 3"),
        (3, "payments.subcontractor", "tutor"),
        (3, "payments.amount", "ten"),
    ]
    assert "not in May 2026" in errors[0]["message"]
    assert "Sub A Builders, Sub B Concrete, Sub C Electric" in errors[1]["message"]
    assert "Must be more than 0" in errors[2]["message"]
    assert "Not one of your subcontractors" in errors[4]["message"]
    assert "Tutor Perini" not in json.dumps(errors)
    assert not Report.objects.exists() and not Payment.objects.exists()


def test_a_bad_payments_sheet_row_names_its_sheet_row_and_column(walsh, subs):
    from compliance.reporting.intake.upload import report_upload

    content = payments_workbook(
        [[datetime.date(2026, 5, 15), "sub-a", 5000], [datetime.date(2026, 5, 20), "sub-z", -5]]
    )
    with pytest.raises(InvalidInput) as refused:
        report_upload(assignment=walsh, period=MAY, content=content)
    assert [(e["row"], e["column"]) for e in refused.value.errors] == [
        (4, "Payments: Subcontractor"),
        (4, "Payments: Amount"),
    ]
    assert not Report.objects.exists() and not Payment.objects.exists()


def test_a_bad_line_and_a_bad_payment_are_refused_together(walsh, subs):
    line = {
        "worker_id": "E1",
        "home_zip": "90001",
        "craft": "Plumber",
        "apprentice": "J",
        "week_ending": "2026-05-09",
        "straight_hours": "40",
        "hourly_rate": "50",
    }
    with pytest.raises(InvalidInput) as refused:
        report_submit(
            assignment=walsh,
            period=MAY,
            rows=[line],
            payments=[{"date": "2026-05-15", "subcontractor": "sub-a", "amount": "-1"}],
            source="api",
        )
    assert [e["column"] for e in refused.value.errors] == ["craft", "payments.amount"]
    assert not Payment.objects.exists()


def test_a_check_only_submission_mentions_the_payments_and_stores_nothing(client, contractor, subs):
    answer = post_json(
        client,
        REPORTS,
        {"period": "2026-05", "payments": EXAMPLE_I, "check_only": True},
        bearer(contractor),
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["checked"] is True
    assert "3 payments to subcontractors, $1,000,000.00" in answer.json()["message"]
    assert not Report.objects.exists() and not Payment.objects.exists()


def test_an_amendment_replaces_the_months_payments_and_a_restore_brings_them_back(
    project, walsh, subs, small_business
):
    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I[1:], source="api")
    evaluate_project(project, AS_OF)
    amended = project_result(project)
    assert (amended.numerator, amended.denominator) == (Decimal("0.00"), Decimal("800000.00"))
    assert amended.status == "shortfall" and amended.shortfall == Decimal("200000.00")
    report_restore(assignment=walsh, period=MAY, version=1, user=None)
    evaluate_project(project, AS_OF)
    assert_example_i(project_result(project))
    assert Payment.objects.count() == 8 and Payment.objects.filter(is_current=True).count() == 3


def test_resending_the_same_payments_changes_nothing(walsh, subs):
    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    again = report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    assert again.unchanged and Payment.objects.count() == 3


def test_a_prime_scope_measures_each_prime_on_its_own(
    client, project, walsh, subs, orgs, contractor
):
    make_commitment(
        project,
        "dbe",
        "contracting_share",
        certifications=["small", "disadvantaged"],
        scope="prime",
        target_percent="25",
        penalty_per_unit="0.10",
    )
    other = Assignment.objects.create(
        project=project,
        contractor=Organization.objects.create(
            slug="tutor", name="Tutor Perini", kind="contractor"
        ),
        tier="prime",
        start_date=project.start_date,
    )
    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    evaluate_project(project, AS_OF)
    results = {e.assignment_id: e for e in Evaluation.objects.filter(commitment_key="dbe")}
    assert set(results) == {walsh.pk, other.pk}
    assert results[walsh.pk].actual_percent == Decimal("20.00")
    assert results[walsh.pk].details["liquidated_damages"] == "5000.00"
    assert results[other.pk].status == "no_data"
    client.force_login(contractor)
    page = client.get(
        reverse("contractor_standing", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    ).content.decode()
    assert "certified small or disadvantaged businesses, for each prime contractor" in page
    assert "$1,000,000.00" in page and "$50,000.00 more paid to certified firms" in page


def test_evaluate_json_shows_the_contracting_share(project, walsh, subs, small_business):
    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    out = io.StringIO()
    call_command("evaluate", "--project", "crenshaw", "--as-of", "2026-05-31", "--json", stdout=out)
    results = [
        r for r in json.loads(out.getvalue())["results"] if r["commitment"] == "small-business"
    ]
    assert results == [
        {
            **{
                k: results[0][k]
                for k in results[0]
                if k
                not in {
                    "project",
                    "commitment",
                    "kind",
                    "group",
                    "numerator",
                    "denominator",
                    "actual_percent",
                    "target_percent",
                    "status",
                    "shortfall",
                    "projected_percent",
                }
            },
            "project": "crenshaw",
            "commitment": "small-business",
            "kind": "contracting_share",
            "group": {"contractor": None, "craft": None},
            "numerator": "200000.00",
            "denominator": "1000000.00",
            "actual_percent": "20.00",
            "target_percent": "25.00",
            "status": "at_risk",
            "shortfall": "50000.00",
            "projected_percent": "20.00",
        }
    ]


def test_the_project_page_shows_it_in_dollars(
    client, project, walsh, subs, small_business, reviewer
):
    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    evaluate_project(project, AS_OF)
    client.force_login(reviewer)
    page = client.get(reverse("project_home", kwargs={"slug": "crenshaw"}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Small business contracting" in text
    assert "At least 25% of the contract dollars paid must go to certified small businesses" in text
    assert "$200,000.00 to certified firms of $1,000,000.00 paid" in text
    assert "$50,000.00" in text and "20.00%" in text
    assert "contracting_share" not in text


def test_the_template_has_a_payments_sheet_with_the_projects_subcontractors(
    client, contractor, subs
):
    answer = client.get(
        f"{REPORTS.rsplit('/', 1)[0]}/template?period=2026-05", **bearer(contractor)
    )
    book = load_workbook(io.BytesIO(answer.content))
    assert "Payments" in book.sheetnames
    headers = [c.value for c in book["Payments"][2]]
    assert headers == ["Date", "Subcontractor", "Amount"]
    listed = [c.value for c in book["Lists"]["F"] if c.value]
    assert listed == ["Subcontractor", "Sub A Builders", "Sub B Concrete", "Sub C Electric"]
    validations = book["Payments"].data_validations.dataValidation
    assert any("Lists'!$F$" in (v.formula1 or "") for v in validations)


def definition(**contractor) -> dict:
    return {
        "project": {
            "slug": "ccp",
            "name": "Careers",
            "start_date": "2025-01-01",
            "end_date": "2027-12-31",
        },
        "contractors": [
            {"slug": "prime-co", "name": "Prime Co", "tier": "prime"},
            {"slug": "small-co", "name": "Small Co", "parent": "prime-co", **contractor},
        ],
        "commitments": [
            {
                "key": "small",
                "title": "Small business dollars",
                "kind": "contracting_share",
                "certifications": ["small"],
                "target_percent": "25",
            }
        ],
    }


def test_the_definition_file_sets_contract_values_and_certifications(db):
    project = project_definition_load(
        data=definition(
            contract_value="250000.00",
            certifications=[
                {"type": "small", "from": "2025-01-01", "to": "2026-03-31"},
                {"type": "women"},
            ],
        )
    )
    sub = project.assignments.get(contractor__slug="small-co")
    assert sub.contract_value == Decimal("250000.00")
    assert list(sub.certifications.values_list("type", "valid_from", "valid_to")) == [
        ("small", datetime.date(2025, 1, 1), datetime.date(2026, 3, 31)),
        ("women", None, None),
    ]
    project_definition_load(data=definition(certifications=[{"type": "section3"}]))
    assert list(sub.certifications.values_list("type", flat=True)) == ["section3"]


def test_bad_certifications_in_the_definition_are_errors_by_path(db):
    with pytest.raises(InvalidInput) as refused:
        project_definition_load(
            data=definition(
                contract_value="-5",
                certifications=[
                    {"type": "tiny"},
                    {"type": "small", "from": "2026-04-01", "to": "2026-03-31"},
                    {"type": "small", "until": "2026-01-01"},
                ],
            )
        )
    paths = [e["path"] for e in refused.value.errors]
    assert paths == [
        "contractors[1].contract_value",
        "contractors[1].certifications[0].type",
        "contractors[1].certifications[1].to",
        "contractors[1].certifications[2].until",
    ]
    assert not Organization.objects.filter(slug="small-co").exists()


def test_bad_terms_of_a_contracting_share_are_refused_by_name(project):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        make_commitment(
            project,
            "bad",
            "contracting_share",
            certifications=["tiny"],
            scope="craft",
            target_percent="125",
        )
    assert set(refused.value.message_dict) == {"certifications[0]", "scope", "target_percent"}


def test_a_program_admin_records_a_certification_on_the_assignment_page(
    client, admin, project, walsh, subs
):
    from compliance.models import AuditEvent
    from tests.test_admin import post_data_from

    client.force_login(admin)
    sub = subs["b"]
    url = f"/admin/projects/assignment/{sub.pk}/change/"
    data = post_data_from(client.get(url))
    data["contract_value"] = "750000.00"
    data["certifications-0-type"] = "women"
    data["certifications-0-valid_from"] = "2026-01-01"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    sub.refresh_from_db()
    assert sub.contract_value == Decimal("750000.00")
    assert list(sub.certifications.values_list("type", "valid_from", "valid_to")) == [
        ("women", datetime.date(2026, 1, 1), None)
    ]
    event = AuditEvent.objects.get(verb="setup.certification.add")
    assert event.project == project
    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    report = Report.objects.get()
    page = client.get(f"/admin/compliance/report/{report.pk}/change/")
    assert page.status_code == 200 and "Sub B Concrete" in page.content.decode()


def test_every_surface_words_it_in_dollars(
    client, project, walsh, subs, small_business, lawyer, contractor
):
    """Memo, notice, export, flag page, the prime's standing and the API ask the kind: no
    surface knows this kind by name."""
    from openpyxl import load_workbook as open_book

    from compliance.enforcement.memos.build import memo_generate
    from tests.test_memos import pdf_text
    from tests.test_notice import read

    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    evaluate_project(project, AS_OF)

    case = memo_generate(
        project=project, user=lawyer, document="case", audience="counsel", as_of=AS_OF
    )
    assert case.status == "ready", case.failure_reason
    text = pdf_text(read(case.pdf))
    assert "$200,000.00 to certified firms of $1,000,000.00 paid" in text
    assert "25.00% × $1,000,000.00 = $250,000.00 required" in text

    notice = memo_generate(
        project=project, user=lawyer, document="notice", assignment=walsh, as_of=AS_OF
    )
    assert notice.status == "ready", notice.failure_reason
    text = pdf_text(read(notice.pdf))
    assert "$50,000.00 more to certified firms" in text

    client.force_login(lawyer)
    export = client.get(reverse("project_export", kwargs={"slug": "crenshaw"}))
    assert export.status_code == 200
    cells = [
        str(c.value)
        for row in open_book(io.BytesIO(b"".join(export.streaming_content)))[
            "Evaluations"
        ].iter_rows()
        for c in row
        if c.value is not None
    ]
    assert "Contracting share" in cells and "§6.1 Small business contracting" in cells

    flag = Flag.objects.get(commitment__key="small-business")
    page = client.get(reverse("flag_detail", kwargs={"flag_id": flag.pk})).content.decode()
    assert "Paid to certified firms" in page and "$200,000.00" in page

    client.force_login(contractor)
    standing = client.get(
        reverse("contractor_standing", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    )
    assert standing.status_code == 200

    answer = client.get("/api/v1/projects/crenshaw/evaluations", **bearer(lawyer))
    assert answer.status_code == 200, answer.content


def test_the_report_page_lists_its_payments(client, project, contractor, walsh, subs):
    result = report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    client.force_login(contractor)
    page = client.get(reverse("report_detail", kwargs={"report_id": result.report.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Payments to subcontractors" in text and "Sub C Electric" in text
    assert "$700,000.00" in text and "only payments" in text
    answer = client.get(f"/api/v1/projects/crenshaw/reports/{result.report.pk}")
    assert answer.json()["payments"][2] == {
        "row_number": 3,
        "date": "2026-05-15",
        "subcontractor": "sub-c",
        "amount": "100000.00",
    }


def test_an_ecpr_week_keeps_the_months_payments(project, walsh, subs, small_business):
    from compliance.reporting.intake.upload import report_upload
    from tests.intake_support import ecpr, ecpr_employee

    report_submit(assignment=walsh, period=MAY, rows=[], payments=EXAMPLE_I, source="api")
    week = report_upload(
        assignment=walsh, period=MAY, content=ecpr("2026-05-09", [ecpr_employee()])
    )
    assert week.report.version == 2 and week.report.line_count == 1
    assert Payment.objects.filter(is_current=True, report=week.report).count() == 3
    evaluate_project(project, AS_OF)
    assert_example_i(project_result(project))
