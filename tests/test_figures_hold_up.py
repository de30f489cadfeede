"""Figures that hold up (issue 12, SPEC §3.2, §6, example G): restitution at overtime
premiums, liquidated damages as an exposure until completion unless the agreement says
`to_date`, documents measured to the end of the last complete month, and cure deadlines on
a business day."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cba.errors import InvalidInput
from compliance.enforcement.actions import enforcement_action_create
from compliance.enforcement.cure import cure_deadline
from compliance.enforcement.memos.build import memo_generate
from compliance.models import Flag, Memo
from projects.definition import project_definition_load
from projects.models import Agreement, Project
from tests.conftest import make_commitment, make_report
from tests.engine_support import d, evaluate, line
from tests.test_memos_web import bearer

NOV_27 = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
OCT = datetime.date(2026, 10, 1)
NOV = datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def memo_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_text(memo: Memo) -> str:
    with memo.pdf.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def targeted(project, area):
    """Example A's clause: 40% of hours by residents, $25 a shortfall hour."""
    return make_commitment(
        project,
        "targeted",
        "workforce_share",
        clause="§3.1",
        title="Targeted worker hours",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        penalty_per_unit="25",
    )


def example_a_hours(walsh, crafts):
    make_report(
        walsh,
        OCT,
        [
            line("res", datetime.date(2026, 10, 9), crafts["Carpenter"], 3700, home_zip="90001"),
            line("away", datetime.date(2026, 10, 9), crafts["Carpenter"], 6300),
        ],
    )


# --- restitution -------------------------------------------------------------------------


def test_example_g_the_card_the_flag_and_the_memo_say_165_dollars_owed(
    client, reviewer, lawyer, project, walsh, crafts
):
    make_commitment(
        project,
        "wage",
        "wage_floor",
        clause="§5",
        title="Living wage",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    make_report(
        walsh,
        OCT,
        [
            line(
                "W-9",
                datetime.date(2026, 10, 9),
                crafts["Laborer"],
                50,
                overtime_hours=10,
                hourly_rate=d("35.00"),
            )
        ],
    )
    result = evaluate(project, datetime.date(2026, 10, 31))[("wage", "project")]

    assert result.shortfall == d("165.00")
    flag = Flag.objects.get(kind="wage_violation")
    assert "$165.00 owed to 1 worker" in flag.title
    client.force_login(reviewer)
    page = client.get(reverse("project_home", kwargs={"slug": project.slug})).content.decode()
    assert "$165.00" in page
    with time_machine.travel(NOV_27, tick=False):
        text = pdf_text(memo_generate(project=project, user=lawyer))
    assert "Restitution owed: $165.00" in text
    assert "$35.00 $38.00 $165.00" in text


# --- damages basis -----------------------------------------------------------------------


def test_mid_project_damages_are_an_exposure_on_every_surface(
    client, reviewer, lawyer, project, walsh, crafts, area
):
    targeted(project, area)
    example_a_hours(walsh, crafts)
    evaluate(project, datetime.date(2026, 10, 31))

    client.force_login(reviewer)
    page = client.get(reverse("project_home", kwargs={"slug": project.slug})).content.decode()
    assert "Exposure if the shortfall stands at completion" in page
    flag = Flag.objects.get(commitment_key="targeted")
    flag_page = client.get(reverse("flag_detail", kwargs={"flag_id": flag.pk})).content.decode()
    assert "Exposure if the shortfall stands at completion" in flag_page
    assert "Liquidated damages owed" not in flag_page
    with time_machine.travel(NOV_27, tick=False):
        text = pdf_text(memo_generate(project=project, user=lawyer))
    assert "if the shortfall stands at completion, the exposure" in text
    assert "$7,500.00" in text
    assert "damages at the rates the agreement sets come to" not in text


def test_with_a_to_date_basis_the_same_damages_are_owed(
    client, reviewer, lawyer, project, walsh, crafts, area
):
    Agreement.objects.filter(project=project).update(damages_basis="to_date")
    targeted(project, area)
    example_a_hours(walsh, crafts)
    evaluate(project, datetime.date(2026, 10, 31))

    client.force_login(reviewer)
    page = client.get(reverse("project_home", kwargs={"slug": project.slug})).content.decode()
    assert "Liquidated damages owed" in page and "Exposure if" not in page
    with time_machine.travel(NOV_27, tick=False):
        text = pdf_text(memo_generate(project=project, user=lawyer))
    assert "Liquidated damages at the rates the agreement sets come to $7,500.00" in text


def test_a_completed_project_owes_its_damages(project, walsh, crafts, area):
    Project.objects.filter(pk=project.pk).update(
        status="complete", end_date=datetime.date(2026, 10, 31)
    )
    targeted(project, area)
    example_a_hours(walsh, crafts)
    result = evaluate(project, datetime.date(2026, 10, 31))[("targeted", "project")]

    assert result.details["damages_standing"] == "owed"


def test_the_export_labels_damages_as_an_exposure(client, reviewer, project, walsh, crafts, area):
    targeted(project, area)
    example_a_hours(walsh, crafts)
    evaluate(project, datetime.date(2026, 10, 31))
    client.force_login(reviewer)
    response = client.get(reverse("project_export", kwargs={"slug": project.slug}))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(data))["Evaluations"].values)
    header, row = rows[0], next(r for r in rows[1:] if r[0] == "§3.1 Targeted worker hours")
    assert Decimal(str(row[header.index("Liquidated damages")])) == Decimal("7500")
    assert row[header.index("Damages are")] == "Exposure if the shortfall stands at completion"


def test_the_definition_file_accepts_a_damages_basis_and_refuses_another_word(db):
    data = json.loads((Path(__file__).parent / "data" / "crenshaw.json").read_text())
    data["agreement"]["damages_basis"] = "whenever"
    with pytest.raises(InvalidInput) as caught:
        project_definition_load(data=data)
    assert [e["path"] for e in caught.value.errors] == ["agreement.damages_basis"]

    data["agreement"]["damages_basis"] = "to_date"
    project = project_definition_load(data=data)
    assert project.agreement.damages_basis == "to_date"


# --- as of the last complete month -------------------------------------------------------


def test_a_memo_on_november_27_measures_to_october_31_and_says_so(
    lawyer, project, walsh, crafts, area
):
    targeted(project, area)
    example_a_hours(walsh, crafts)
    # An unfinished November: counted, it would move the share.
    make_report(
        walsh,
        NOV,
        [line("res", datetime.date(2026, 11, 20), crafts["Carpenter"], 5000, home_zip="90001")],
    )
    evaluate(project, datetime.date(2026, 11, 27))

    with time_machine.travel(NOV_27, tick=False):
        memo = memo_generate(project=project, user=lawyer)
    text = pdf_text(memo)

    assert memo.as_of == datetime.date(2026, 10, 31)
    assert "Figures as of October 31, 2026, the end of the last complete month" in text
    assert "37.00%: 3,700.00 of 10,000.00 hours" in text
    assert memo.snapshot["as_of"] == "2026-10-31"


def test_a_chosen_as_of_is_used_and_a_future_one_refused(lawyer, project, walsh, crafts, area):
    targeted(project, area)
    example_a_hours(walsh, crafts)
    with time_machine.travel(NOV_27, tick=False):
        memo = memo_generate(project=project, user=lawyer, as_of=datetime.date(2026, 11, 27))
        assert "Figures as of November 27, 2026, the date chosen for this memo" in pdf_text(memo)
        with pytest.raises(InvalidInput, match="has not come yet"):
            memo_generate(project=project, user=lawyer, as_of=datetime.date(2026, 12, 1))


def test_the_web_form_the_api_and_the_command_take_an_as_of(
    client, lawyer, project, walsh, crafts, area, tmp_path, settings
):
    targeted(project, area)
    example_a_hours(walsh, crafts)
    client.force_login(lawyer)
    with time_machine.travel(NOV_27, tick=False):
        response = client.post(
            reverse("memo_new", kwargs={"slug": project.slug}), {"as_of": "2026-09-30"}
        )
        assert response.status_code == 302
        assert Memo.objects.latest("pk").as_of == datetime.date(2026, 9, 30)

        response = Client().post(
            "/api/v1/projects/crenshaw/memos",
            {"as_of": "2026-10-15"},
            content_type="application/json",
            **bearer(lawyer),
        )
        assert response.status_code == 202, response.content
        assert response.json()["as_of"] == "2026-10-15"

        out = tmp_path / "memo.pdf"
        call_command(
            "generate_memo", "--project", "crenshaw", "--as-of", "2026-08-31", "--out", str(out)
        )
        assert Memo.objects.latest("pk").as_of == datetime.date(2026, 8, 31)
        with pytest.raises(CommandError):
            call_command(
                "generate_memo", "--project", "crenshaw", "--as-of", "Oct 1", "--out", str(out)
            )


# --- cure deadlines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "notice, due",
    [
        (datetime.date(2026, 11, 27), datetime.date(2026, 12, 28)),  # the 27th is a Sunday
        (datetime.date(2026, 12, 2), datetime.date(2027, 1, 4)),  # New Year's Day, a weekend
        (datetime.date(2026, 10, 5), datetime.date(2026, 11, 4)),  # a Wednesday stays
    ],
)
def test_example_g_a_cure_deadline_moves_to_the_next_business_day(notice, due):
    assert cure_deadline(notice, 30) == due


def test_a_notice_records_its_business_day_deadline(lawyer, project, walsh):
    action = enforcement_action_create(
        project=project,
        user=lawyer,
        kind="notice",
        date=datetime.date(2026, 11, 27),
        assignment=walsh,
    )
    assert action.cure_deadline == datetime.date(2026, 12, 28)
