"""The enforcement ledger (issue 12, item 4): damages assessed with their calculation,
payments, withholdings, settlements, and the balance outstanding on every surface."""

import datetime
import io
import json
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
