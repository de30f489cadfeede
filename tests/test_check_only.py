"""Check before you submit: every rule runs and the answer says what the report would do
(lines, hours, workers, lines under the wage floor with what would be owed, the change in the
contractor's shares), storing nothing; a real submission shows the same warnings."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from compliance.models import AuditEvent, PayrollLine, Report, Worker
from compliance.reporting.intake.outcome import Effects, ShareChange
from projects.models import ApiToken, hash_token
from tests.conftest import make_commitment, make_report
from tests.intake_support import BEFORE_DUE, line, workbook

SEPTEMBER = datetime.date(2026, 9, 1)
BASE = "/api/v1/projects/crenshaw/contractors/walsh/reports"
UNDERPAID = "2 lines under the wage floor: $186.00 would be owed to 2 workers."
SHARE = (
    "Apprentice hours (Carpenter): your share would go from 20.00% to 14.29%, below the "
    "target of 20.00%."
)


@pytest.fixture
def rules(project, walsh, crafts):
    """A $38 floor and 20% apprentice hours per trade; September: 20 of 100 hours (20%)."""
    make_commitment(
        project,
        "living_wage",
        "wage_floor",
        title="Living wage",
        scope="contractor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    make_commitment(
        project,
        "apprentices",
        "workforce_share",
        title="Apprentice hours",
        qualifier="apprentice",
        scope="contractor_craft",
        target_percent="20",
    )
    carpenter = crafts["Carpenter"]
    make_report(
        walsh,
        SEPTEMBER,
        [
            {
                "worker": "S1",
                "week_ending": datetime.date(2026, 9, 5),
                "craft": carpenter,
                "hours": 80,
            },
            {
                "worker": "S2",
                "week_ending": datetime.date(2026, 9, 5),
                "craft": carpenter,
                "hours": 20,
                "is_apprentice": True,
            },
        ],
    )


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """Every background task queued once the transaction commits."""
    calls = []
    monkeypatch.setattr("compliance.enqueue.async_task", lambda *a, **k: calls.append(a))
    return calls


@pytest.fixture(autouse=True)
def _before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def october() -> list[dict]:
    """Four journeyworkers (160 hours) and two apprentices at $27.50 and $29.90 (10 hours
    each): (38.00 − 27.50) × 10 + (38.00 − 29.90) × 10 = $186.00 owed; apprentice hours
    (20 + 20) / (100 + 180) = 14.29%."""
    rows = [line(worker_id=f"J{i}", straight_hours="40", overtime_hours="0") for i in range(4)]
    for worker, rate in (("A1", "27.50"), ("A2", "29.90")):
        rows.append(
            line(
                worker_id=worker,
                apprentice="RA",
                straight_hours="10",
                overtime_hours="0",
                hourly_rate=rate,
                gross_pay=None,
            )
        )
    return rows


def bearer(user) -> dict:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="payroll", prefix=raw[:8], key_hash=hash_token(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def stored() -> tuple[int, int, int, int]:
    return (
        Report.objects.count(),
        PayrollLine.objects.count(),
        Worker.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_json_check_says_what_the_report_would_do_and_stores_nothing(
    client, contractor, rules, queued, django_capture_on_commit_callbacks
):
    auth = bearer(contractor)
    before = stored()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            BASE,
            {"period": "2026-10", "lines": october(), "check_only": True},
            content_type="application/json",
            **auth,
        )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["checked"] is True and body["report"] is None
    assert body["would_be"]["version"] == 1
    assert (body["would_be"]["line_count"], body["would_be"]["total_hours"]) == (6, "180.00")
    assert body["would_be"]["worker_count"] == 6
    assert body["message"].startswith("Checked only; nothing was stored.")
    assert body["effect_warnings"] == [UNDERPAID, SHARE]
    assert body["effects"]["owed"] == "186.00"
    assert [(u["worker"], u["owed"]) for u in body["effects"]["underpaid_lines"]] == [
        ("A1", "105.00"),
        ("A2", "81.00"),
    ]
    share = body["effects"]["shares"][0]
    assert (share["before_percent"], share["after_percent"]) == ("20.00", "14.29")
    # No report, no lines, no workers, no audit record, no evaluation queued.
    assert stored() == before
    assert queued == []


def test_a_real_json_submission_gives_the_same_warnings_and_queues_its_evaluation(
    client, contractor, rules, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            BASE,
            {"period": "2026-10", "lines": october()},
            content_type="application/json",
            **bearer(contractor),
        )

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["report"]["version"] == 1 and body["checked"] is False
    assert body["effect_warnings"] == [
        "2 lines under the wage floor: $186.00 is owed to 2 workers.",
        "Apprentice hours (Carpenter): your share went from 20.00% to 14.29%, below the "
        "target of 20.00%.",
    ]
    assert Report.objects.filter(period=datetime.date(2026, 10, 1)).count() == 1
    assert len(queued) == 1


def test_a_file_check_through_the_api_stores_nothing(
    client, contractor, rules, queued, django_capture_on_commit_callbacks
):
    before = stored()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"{BASE}/upload",
            {"period": "2026-10", "file": io.BytesIO(workbook(october())), "check_only": "true"},
            **bearer(contractor),
        )

    assert answer.status_code == 200, answer.content
    assert answer.json()["effect_warnings"] == [UNDERPAID, SHARE]
    assert stored() == before
    assert queued == []


def test_a_check_with_mistakes_lists_every_problem_and_stores_nothing(client, contractor, rules):
    rows = october()
    rows[0]["craft"] = "Juggler"
    rows[1]["home_zip"] = "9"
    before = stored()
    answer = client.post(
        BASE,
        {"period": "2026-10", "lines": rows, "check_only": True},
        content_type="application/json",
        **bearer(contractor),
    )

    assert answer.status_code == 422
    assert len(answer.json()["errors"]) == 2
    assert stored() == before


def test_a_check_of_a_correction_compares_it_with_the_current_version(client, contractor, rules):
    auth = bearer(contractor)
    client.post(
        BASE, {"period": "2026-10", "lines": october()}, content_type="application/json", **auth
    )
    fixed = [row for row in october() if not row["worker_id"].startswith("A")]

    answer = client.post(
        BASE,
        {"period": "2026-10", "lines": fixed, "check_only": True},
        content_type="application/json",
        **auth,
    ).json()

    assert answer["would_be"]["version"] == 2
    assert answer["line_delta"] == -2
    assert answer["effects"]["underpaid_lines"] == []
    assert Report.objects.filter(period=datetime.date(2026, 10, 1)).count() == 1


def test_the_upload_page_checks_a_file_and_stores_nothing(
    client, contractor, walsh, rules, queued, django_capture_on_commit_callbacks
):
    client.force_login(contractor)
    url = reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    form = client.get(url).content.decode()
    assert "Check only — store nothing" in form
    before = stored()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            url,
            {
                "period": "2026-10",
                "file": io.BytesIO(workbook(october())),
                "check_only": "1",
            },
        )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Checked only; nothing was stored." in text
    assert "6 lines, 180.00 hours, 6 workers" in text
    assert UNDERPAID in text
    assert "$105.00" in text and "$81.00" in text
    assert "14.29%" in text
    assert stored() == before
    assert queued == []


def test_a_real_upload_shows_the_same_warnings_on_its_confirmation(
    client, contractor, walsh, rules
):
    client.force_login(contractor)
    url = reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    page = client.post(
        url, {"period": "2026-10", "file": io.BytesIO(workbook(october()))}, follow=True
    )

    text = page.content.decode()
    assert "Stored version 1" in text
    assert "2 lines under the wage floor: $186.00 is owed to 2 workers." in text
    assert "your share went from 20.00% to 14.29%" in text
    assert Report.objects.filter(period=datetime.date(2026, 10, 1)).count() == 1


def test_a_check_owes_by_the_wage_kinds_one_computation_with_premiums(client, contractor, rules):
    rows = october()[:4] + [
        line(
            worker_id="A1",
            apprentice="RA",
            straight_hours="40",
            overtime_hours="10",
            hourly_rate="35.00",
            gross_pay=None,
        )
    ]
    answer = client.post(
        BASE,
        {"period": "2026-10", "lines": rows, "check_only": True},
        content_type="application/json",
        **bearer(contractor),
    ).json()

    # Worked example G: (38.00 − 35.00) × (40 + 1.5 × 10) = $165.00.
    assert answer["effects"]["owed"] == "165.00"
    assert Decimal(answer["effects"]["underpaid_lines"][0]["hours"]) == Decimal(50)


def test_a_share_that_does_not_move_is_said_to_stay():
    """A share below its target that the report leaves where it was (to the hundredth) is
    not said to have gone "from 18.21% to 18.21%"."""
    share = ShareChange(
        title="Local hire",
        group="Cement Mason",
        target=Decimal("40"),
        before=Decimal("18.2104"),
        after=Decimal("18.2087"),
    )
    effects = Effects(underpaid=[], shares=[share])

    with translation.override("en"):
        assert effects.warnings(checked=False) == [
            "Local hire (Cement Mason): your share stays at 18.21%, below the target of 40.00%."
        ]
        assert effects.warnings(checked=True) == [
            "Local hire (Cement Mason): your share would stay at 18.21%, below the target of "
            "40.00%."
        ]
    with translation.override("es"):
        assert effects.warnings(checked=False) == [
            "Local hire (Cement Mason): su porcentaje se mantiene en 18.21%, por debajo de la "
            "meta de 40.00%."
        ]
