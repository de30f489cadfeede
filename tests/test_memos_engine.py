"""Memos built from the engine's own evaluation, with SPEC §10's worked examples A and D,
and the cure-deadline flag that follows a notice (SPEC §4)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from compliance.enforcement.actions import enforcement_action_create, enforcement_action_mark_cured
from compliance.enforcement.memos.build import memo_generate
from compliance.models import Flag, Memo
from compliance.pipeline import evaluate_project
from tests import test_memos
from tests.conftest import make_commitment, make_report
from tests.test_memos import pdf_text

memo_files = test_memos.memo_files
AS_OF = datetime.date(2026, 10, 31)
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def examples(project, walsh, crafts, area):
    """October's lines: 10,000 hours, 3,700 of them by residents of the area (example A);
    among the others one line of 40 h at $35.50 and one of 10 h at $38.00 (example D)."""
    make_commitment(
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
    make_commitment(
        project,
        "wage",
        "wage_floor",
        clause="§5",
        title="Living wage",
        scope="project",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00", "fringe": "0"}],
    )
    week = datetime.date(2026, 10, 9)
    laborer = crafts["Laborer"]
    lines = [
        {"worker": f"R{i}", "week_ending": week, "craft": laborer, "hours": 40, "home_zip": "90001"}
        for i in range(92)
    ]
    lines.append(
        {"worker": "R92", "week_ending": week, "craft": laborer, "hours": 20, "home_zip": "90002"}
    )
    lines += [
        {
            "worker": "W-17",
            "week_ending": week,
            "craft": laborer,
            "hours": 40,
            "hourly_rate": Decimal("35.50"),
        },
        {
            "worker": "W-18",
            "week_ending": week,
            "craft": laborer,
            "hours": 10,
            "hourly_rate": Decimal("38.00"),
        },
        {"worker": "N156", "week_ending": week, "craft": laborer, "hours": 10},
    ]
    lines += [
        {"worker": f"N{i}", "week_ending": week, "craft": laborer, "hours": 40} for i in range(156)
    ]
    make_report(walsh, datetime.date(2026, 10, 1), lines, sha256="e" * 64, source="excel")
    return project


def build(project, user, **scope) -> Memo:
    with time_machine.travel(TODAY, tick=False):
        return memo_generate(project=project, user=user, **scope)


def test_a_memo_of_the_engines_evaluation_shows_examples_a_and_d(examples, lawyer, walsh):
    evaluate_project(examples, as_of=AS_OF)
    memo = build(examples, lawyer)
    text = pdf_text(memo.pdf.read())
    assert memo.status == "ready"
    assert "37.00%: 3,700.00 of 10,000.00 hours" in text
    assert "300.00 hours × $25.00 = $7,500.00" in text
    assert "W-17 Oct 9, 2026 Laborer 40.00 $35.50 $38.00 $100.00" in text
    assert "Restitution owed: $100.00" in text
    assert "e" * 64 in text and memo.snapshot_sha256 in text
    targeted = memo.snapshot["commitments"][0]
    assert targeted["groups"][0]["shortfall"] == "300.00"
    assert targeted["groups"][0]["liquidated_damages"] == "7500.00"


def test_two_memos_on_one_evaluation_are_the_same_document(examples, lawyer):
    evaluate_project(examples, as_of=AS_OF)
    first, second = build(examples, lawyer), build(examples, lawyer)
    assert first.snapshot_sha256 == second.snapshot_sha256
    assert first.pdf_sha256 == second.pdf_sha256


def test_a_passed_uncured_notice_raises_a_critical_flag_the_memo_reports(examples, lawyer, walsh):
    enforcement_action_create(
        project=examples,
        user=lawyer,
        kind="notice",
        date=datetime.date(2026, 9, 1),
        assignment=walsh,
    )
    evaluate_project(examples, as_of=AS_OF)
    flag = Flag.objects.get(kind="cure_deadline")
    assert flag.severity == "critical" and flag.status == "open"
    text = pdf_text(build(examples, lawyer).pdf.read())
    assert f"#{flag.pk} Cure deadline of Oct 1, 2026 passed unmet for Walsh Shea" in text
    assert "Oct 1, 2026; passed, not cured" in text


def test_a_notice_marked_cured_in_time_raises_no_flag(examples, lawyer, walsh):
    notice = enforcement_action_create(
        project=examples,
        user=lawyer,
        kind="notice",
        date=datetime.date(2026, 9, 1),
        assignment=walsh,
    )
    enforcement_action_mark_cured(action=notice, user=lawyer, cured_at=datetime.date(2026, 9, 20))
    evaluate_project(examples, as_of=AS_OF)
    assert not Flag.objects.filter(kind="cure_deadline").exists()
