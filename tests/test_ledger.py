"""The enforcement ledger (issue 12, item 4): damages assessed with their calculation,
payments, withholdings, settlements, and the balance outstanding on every surface."""

import datetime
import io
from decimal import Decimal

import pypdf
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cba.errors import Conflict, InvalidInput
from compliance.enforcement.ledger import ledger_entry_record, project_ledger
from compliance.enforcement.memos.build import memo_generate
from compliance.models import AuditEvent, Evaluation, LedgerEntry, Memo
from projects.models import Monitoring, Project
from tests.conftest import make_commitment, make_user

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 27, 12, 0), tick=False):
        yield


@pytest.fixture
def owner_user(orgs, project):
    return make_user("owner_staff", orgs["metro"])


@pytest.fixture
def hours_clause(project, area):
    return make_commitment(
        project,
        "local-hire",
        "workforce_share",
        clause="§4.2",
        title="Local hire",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        penalty_per_unit="25.00",
    )


@pytest.fixture
def shortfall(project, hours_clause, pulice):
    """The evaluation figures 300 hours short at $25.00 an hour for Pulice."""
    return Evaluation.objects.create(
        project=project,
        commitment=hours_clause,
        commitment_key=hours_clause.key,
        kind="workforce_share",
        group_key=f"a{pulice.pk}",
        assignment=pulice,
        as_of=datetime.date(2026, 10, 31),
        numerator=700,
        denominator=2500,
        actual_percent=28,
        target_percent=40,
        shortfall=300,
        status="shortfall",
        series=[],
        details={
            "measure": "hours",
            "unit": "hours",
            "penalty_per_unit": "25.00",
            "liquidated_damages": "7500.00",
        },
    )


def record(project, user, kind, assignment, **fields):
    fields.setdefault("date", datetime.date(2026, 11, 2))
    return ledger_entry_record(
        project=project, user=user, kind=kind, assignment=assignment, **fields
    )


@pytest.fixture
def assessed_and_partly_paid(project, lawyer, pulice, hours_clause, shortfall):
    """$7,500.00 assessed from the evaluation's figures, $2,000.00 paid: $5,500.00 due."""
    assessment = record(project, lawyer, "assessed", pulice, commitment=hours_clause)
    record(
        project,
        lawyer,
        "payment",
        pulice,
        amount="2000.00",
        reference="Check 1045",
        date=datetime.date(2026, 11, 20),
    )
    return assessment


# ---------------------------------------------------------------------------------------
# Arithmetic


def test_an_assessment_copies_the_calculation_from_the_evaluation(assessed_and_partly_paid):
    entry = assessed_and_partly_paid

    assert entry.amount == Decimal("7500.00")
    assert entry.calculation == "300.00 hours × $25.00 = $7,500.00"
    assert (entry.quantity, entry.unit, entry.rate) == (Decimal(300), "hours", Decimal(25))
    assert entry.commitment_label == "§4.2 Local hire"
    assert entry.evaluation_as_of == datetime.date(2026, 10, 31)


def test_a_later_change_of_terms_does_not_rewrite_what_was_assessed(
    assessed_and_partly_paid, shortfall, hours_clause
):
    shortfall.details = {**shortfall.details, "penalty_per_unit": "40.00"}
    shortfall.save()
    hours_clause.title = "Local hire (amended)"
    hours_clause.save()

    entry = LedgerEntry.objects.get(pk=assessed_and_partly_paid.pk)
    assert entry.calculation == "300.00 hours × $25.00 = $7,500.00"
    assert entry.commitment_label == "§4.2 Local hire"


def test_an_assessment_and_a_partial_payment_leave_the_difference_outstanding(
    assessed_and_partly_paid, project, lawyer
):
    ledger = project_ledger(user=lawyer, project=project)

    (pulice,) = ledger.contractors
    assert pulice.balance.owed == Decimal("7500.00")
    assert pulice.balance.paid == Decimal("2000.00")
    assert pulice.balance.balance == Decimal("5500.00")
    assert ledger.total.balance == Decimal("5500.00")


def test_a_settlement_replaces_the_amount_assessed_and_withholding_counts_as_collected(
    assessed_and_partly_paid, project, lawyer, pulice, walsh
):
    record(
        project,
        lawyer,
        "settlement",
        pulice,
        settles=assessed_and_partly_paid,
        amount="6000.00",
        note="Agreed with Pulice's counsel at the October meeting.",
    )
    record(project, lawyer, "withheld", pulice, amount="1500.00", reference="Pay app 14")
    record(project, lawyer, "assessed", walsh, amount="1000.00", calculation="Flat fine, §9")

    ledger = project_ledger(user=lawyer, project=project)
    by_name = {c.assignment.contractor.name: c.balance for c in ledger.contractors}
    assert by_name["Pulice"].assessed == Decimal("7500.00")
    assert by_name["Pulice"].settled_off == Decimal("1500.00")
    assert by_name["Pulice"].owed == Decimal("6000.00")
    assert by_name["Pulice"].collected == Decimal("3500.00")
    assert by_name["Pulice"].balance == Decimal("2500.00")
    assert by_name["Walsh Shea"].balance == Decimal("1000.00")
    assert ledger.total.owed == Decimal("7000.00")
    assert ledger.total.balance == Decimal("3500.00")


def test_a_settlement_for_nothing_clears_the_assessment(
    assessed_and_partly_paid, project, lawyer, pulice
):
    record(
        project,
        lawyer,
        "settlement",
        pulice,
        settles=assessed_and_partly_paid,
        amount="0",
        note="Waived against a training fund contribution.",
    )

    balance = project_ledger(user=lawyer, project=project).total
    assert balance.owed == Decimal("0.00")
    assert balance.balance == Decimal("-2000.00")


def test_quantity_and_rate_given_by_hand_make_the_amount(project, lawyer, walsh):
    entry = record(project, lawyer, "assessed", walsh, figure="12.5", unit="hours", rate="40")

    assert entry.amount == Decimal("500.00")
    assert entry.calculation == "12.50 hours × $40.00 = $500.00"


def test_every_entry_is_an_audit_event(assessed_and_partly_paid):
    verbs = list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))

    assert verbs[-2:] == ["ledger.assessed", "ledger.payment"]


# ---------------------------------------------------------------------------------------
# Refusals


@pytest.mark.parametrize("amount", ["-5.00", "0", "abc", "NaN"])
def test_a_payment_that_is_not_a_positive_amount_is_refused(project, lawyer, pulice, amount):
    with pytest.raises(InvalidInput):
        record(project, lawyer, "payment", pulice, amount=amount)

    assert not LedgerEntry.objects.exists()


def test_a_contractor_of_another_project_is_refused(project, lawyer, orgs):
    other = Project.objects.create(
        slug="other", name="Other", owner=orgs["metro"], start_date=TODAY, end_date=TODAY
    )
    stranger = other.assignments.create(contractor=orgs["walsh"], start_date=TODAY)

    with pytest.raises(InvalidInput, match="contractors"):
        record(project, lawyer, "payment", stranger, amount="10")


def test_an_assessment_settled_twice_is_refused(assessed_and_partly_paid, project, lawyer, pulice):
    record(
        project,
        lawyer,
        "settlement",
        pulice,
        settles=assessed_and_partly_paid,
        amount="5000",
        note="Agreed.",
    )

    with pytest.raises(Conflict, match="already settled"):
        record(
            project,
            lawyer,
            "settlement",
            pulice,
            settles=assessed_and_partly_paid,
            amount="4000",
            note="Agreed again.",
        )


def test_an_assessment_without_figures_or_a_calculation_is_refused(project, lawyer, walsh):
    with pytest.raises(InvalidInput, match="calculated"):
        record(project, lawyer, "assessed", walsh, amount="1000")


def test_a_date_in_the_future_is_refused(project, lawyer, pulice):
    with pytest.raises(InvalidInput, match="future"):
        record(project, lawyer, "payment", pulice, amount="10", date=datetime.date(2026, 12, 1))


# ---------------------------------------------------------------------------------------
# Every surface


def _pdf_text(memo: Memo) -> str:
    memo.pdf.open("rb")
    reader = pypdf.PdfReader(io.BytesIO(memo.pdf.read()))
    memo.pdf.close()
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_an_assessed_damage_and_a_partial_payment_show_the_right_balance_on_every_surface(
    client, assessed_and_partly_paid, project, lawyer, reviewer, pulice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(lawyer)

    page = client.get(reverse("enforcement_list", kwargs={"slug": project.slug}))
    html = page.content.decode()
    assert "Pulice: balance outstanding $5,500.00" in html
    assert "300.00 hours × $25.00 = $7,500.00" in html
    assert "Check 1045" in html

    api = client.get(f"/api/v1/projects/{project.slug}/ledger").json()
    (contractor,) = api["contractors"]
    assert contractor["balance"]["balance"] == "5500.00"
    assert contractor["balance"]["balance_text"] == "$5,500.00"
    assert contractor["entries"][0]["calculation"] == "300.00 hours × $25.00 = $7,500.00"
    assert api["total"]["collected"] == "2000.00"

    export = client.get(reverse("project_export", kwargs={"slug": project.slug}))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content)))["Ledger"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert ["Pulice", 7500, 0, 7500, 2000, 0, 2000, 5500] in [
        [r[0], *(float(v) for v in r[1:8])] for r in rows if r and r[0] == "Pulice"
    ]
    assert any(r[5] == "300.00 hours × $25.00 = $7,500.00" for r in rows if r)

    client.force_login(reviewer)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "$7,500.00 assessed" in dashboard
    assert "$2,000.00 collected" in dashboard
    assert "$5,500.00 outstanding" in dashboard

    memo = memo_generate(project=project, user=lawyer, assignment=pulice, audience="counsel")
    text = _pdf_text(memo)
    assert "Ledger: damages assessed and collected" in text
    assert "300.00 hours × $25.00 = $7,500.00" in text
    assert "Balance outstanding: $5,500.00" in text


def test_a_recipient_memo_carries_no_ledger(
    assessed_and_partly_paid, project, lawyer, pulice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    memo = memo_generate(project=project, user=lawyer, assignment=pulice, audience="recipient")

    assert memo.snapshot["ledger"] is None
    assert "Ledger: damages" not in _pdf_text(memo)


# ---------------------------------------------------------------------------------------
# The web form: confirm, then record


def _form(pulice, **fields) -> dict:
    return {"kind": "payment", "contractor": pulice.pk, "date": "2026-11-20", **fields}


def test_the_law_center_confirms_an_entry_stated_in_words_before_it_is_recorded(
    client, assessed_and_partly_paid, project, lawyer, pulice
):
    client.force_login(lawyer)
    url = reverse("ledger_record", kwargs={"slug": project.slug})

    check = client.post(url, _form(pulice, amount="1500", reference="Wire 88"))
    assert check.status_code == 200
    html = check.content.decode()
    assert "Payment received of $1,500.00 from Pulice on November 20, 2026" in html
    assert "from $5,500.00 to <strong>$4,000.00</strong>" in html
    assert '<input type="hidden" name="amount" value="1500">' in html
    assert f'<input type="hidden" name="contractor" value="{pulice.pk}">' in html
    assert LedgerEntry.objects.count() == 2

    done = client.post(url, _form(pulice, amount="1500", reference="Wire 88", confirm="yes"))
    assert done.status_code == 302
    assert LedgerEntry.objects.count() == 3
    page = client.get(done.url).content.decode()
    assert "balance outstanding is $4,000.00" in page


def test_a_negative_amount_on_the_form_is_refused_in_words(client, project, lawyer, pulice):
    client.force_login(lawyer)

    response = client.post(
        reverse("ledger_record", kwargs={"slug": project.slug}),
        _form(pulice, amount="-20", confirm="yes"),
    )

    assert response.status_code == 422
    assert "give an amount above zero" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_reviewer_reads_the_ledger_but_may_not_record(client, project, reviewer, pulice):
    client.force_login(reviewer)

    page = client.get(reverse("enforcement_list", kwargs={"slug": project.slug}))
    response = client.post(
        reverse("ledger_record", kwargs={"slug": project.slug}),
        _form(pulice, amount="20", confirm="yes"),
    )

    assert "Ledger: damages assessed and collected" in page.content.decode()
    assert 'id="ledger-record"' not in page.content.decode()
    assert response.status_code == 403
    assert not LedgerEntry.objects.exists()


# ---------------------------------------------------------------------------------------
# The API


def test_the_api_records_an_entry_and_refuses_what_it_cannot_record(
    client, assessed_and_partly_paid, project, lawyer, pulice
):
    client.force_login(lawyer)
    url = f"/api/v1/projects/{project.slug}/ledger"

    settled = client.post(
        url,
        {
            "kind": "settlement",
            "contractor": "pulice",
            "date": "2026-11-25",
            "amount": "6000.00",
            "settles": assessed_and_partly_paid.pk,
            "note": "Agreed at mediation.",
        },
        content_type="application/json",
    )
    negative = client.post(
        url,
        {"kind": "payment", "contractor": "pulice", "date": "2026-11-25", "amount": "-1"},
        content_type="application/json",
    )
    unknown = client.post(
        url,
        {"kind": "payment", "contractor": "nobody", "date": "2026-11-25", "amount": "1"},
        content_type="application/json",
    )

    assert settled.status_code == 201, settled.content
    assert settled.json()["settles"] == assessed_and_partly_paid.pk
    assert client.get(url).json()["total"]["balance"] == "4000.00"
    assert negative.status_code == 422
    assert unknown.status_code == 422
    assert "not a contractor" in unknown.json()["detail"]
    assert LedgerEntry.objects.count() == 3


def test_only_the_law_center_and_admins_record_through_the_api(
    client, project, reviewer, owner_user, contractor, other_contractor, admin, pulice
):
    body = {"kind": "payment", "contractor": "pulice", "date": "2026-11-25", "amount": "5"}
    answers = {}
    for name, user in [
        ("reviewer", reviewer),
        ("owner", owner_user),
        ("contractor", other_contractor),
        ("admin", admin),
    ]:
        client.force_login(user)
        answers[name] = client.post(
            f"/api/v1/projects/{project.slug}/ledger", body, content_type="application/json"
        ).status_code

    assert answers == {"reviewer": 403, "owner": 403, "contractor": 403, "admin": 201}


def test_a_contractor_reads_its_own_balance_and_no_other_companys(
    client,
    assessed_and_partly_paid,
    project,
    lawyer,
    walsh,
    contractor,
    other_contractor,
    owner_user,
):
    record(project, lawyer, "assessed", walsh, amount="900", calculation="Flat fine, §9")
    url = f"/api/v1/projects/{project.slug}/ledger"

    client.force_login(contractor)
    walsh_view = client.get(url).json()
    walsh_page = client.get(reverse("ledger_page", kwargs={"slug": project.slug}))
    client.force_login(other_contractor)
    pulice_view = client.get(url).json()
    client.force_login(owner_user)
    owner_view = client.get(url).json()

    assert [c["contractor"] for c in walsh_view["contractors"]] == ["walsh"]
    assert walsh_view["total"]["balance"] == "900.00"
    assert "Pulice" not in walsh_page.content.decode()
    assert "balance outstanding $900.00" in walsh_page.content.decode()
    assert [c["contractor"] for c in pulice_view["contractors"]] == ["pulice"]
    assert pulice_view["total"]["balance"] == "5500.00"
    assert owner_view["total"]["balance"] == "6400.00"


def test_an_outsider_gets_no_ledger_of_a_project_it_does_not_see(client, project, outsider):
    client.force_login(outsider)

    assert client.get(f"/api/v1/projects/{project.slug}/ledger").status_code == 404
    assert client.get(reverse("ledger_page", kwargs={"slug": project.slug})).status_code == 404


# ---------------------------------------------------------------------------------------
# The dashboard


def test_the_dashboard_adds_no_query_for_the_ledger_however_many_entries(
    client, project, lawyer, reviewer, pulice, walsh, orgs, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for assignment in (pulice, walsh):
        for n in range(5):
            record(project, lawyer, "assessed", assignment, amount=100 + n, calculation="Fine")
            record(project, lawyer, "payment", assignment, amount=10)
    other = Project.objects.create(
        slug="second", name="Second Line", owner=orgs["metro"], start_date=TODAY, end_date=TODAY
    )
    Monitoring.objects.create(project=other, organization=orgs["coalition"])

    with django_assert_num_queries(len(before)):
        html = client.get(url).content.decode()
    assert "$1,020.00 assessed" in html
    assert "$100.00 collected" in html


def test_the_enforcement_page_reads_the_ledger_in_the_same_queries_however_long_it_is(
    client, project, lawyer, pulice, walsh, django_assert_num_queries
):
    record(project, lawyer, "assessed", pulice, amount="100", calculation="Fine")
    client.force_login(lawyer)
    url = reverse("enforcement_list", kwargs={"slug": project.slug})
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for assignment in (pulice, walsh):
        for _ in range(6):
            record(project, lawyer, "assessed", assignment, amount="100", calculation="Fine")
            record(project, lawyer, "withheld", assignment, amount="30")

    with django_assert_num_queries(len(before)):
        html = client.get(url).content.decode()
    assert "Pulice: balance outstanding $520.00" in html
    assert "Walsh Shea: balance outstanding $420.00" in html
