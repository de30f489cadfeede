"""The commitment kinds as a registry: each kind's module drives the project page's card,
its flags' titles and its memo section (SPEC §10 examples A, B, D, E), and nothing outside
compliance/evaluation/kinds/ asks a commitment's kind by name."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from compliance.enforcement.memos.gather import gather_snapshot
from compliance.enforcement.memos.render import render_memo_pdf
from compliance.evaluation.kinds import KINDS, kind_of
from compliance.models import Evaluation, Flag, ProgressEntry
from tests.conftest import make_commitment, make_report
from tests.engine_support import d, evaluate, line

ROOT = Path(__file__).resolve().parent.parent
JAN = datetime.date(2024, 1, 1)
W1 = datetime.date(2024, 1, 6)
AS_OF = datetime.date(2024, 1, 31)


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def card_of(client, user, project, key: str) -> str:
    client.force_login(user)
    html = client.get(reverse("project_home", kwargs={"slug": project.slug})).content.decode()
    return words(
        html[html.index(f'id="c-{key}"') : html.index("</section>", html.index(f'id="c-{key}"'))]
    )


def memo_section(project, user, key: str) -> str:
    """The memo as of the day the project was last evaluated, as the card and flag are."""
    as_of = Evaluation.objects.filter(project=project).values_list("as_of", flat=True).first()
    snapshot = gather_snapshot(
        project=project,
        user=user,
        commitment_keys=[key],
        memo_date=datetime.date(2024, 2, 1),
        as_of=as_of,
    )
    pdf = render_memo_pdf(snapshot, snapshot_sha256="0" * 64)
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_example_a_the_workforce_share_module_writes_the_card_the_flag_and_the_memo(
    client, reviewer, lawyer, project, walsh, crafts, area
):
    commitment = make_commitment(
        project,
        "targeted",
        "workforce_share",
        area=area,
        qualifier="area_resident",
        target_percent="40",
        penalty_per_unit="25",
    )
    make_report(
        walsh,
        JAN,
        [
            line("res", W1, crafts["Carpenter"], 3700, home_zip="90001"),
            line("away", W1, crafts["Carpenter"], 6300, home_zip="99999"),
        ],
    )
    evaluate(project, AS_OF)

    card = card_of(client, reviewer, project, "targeted")
    assert KINDS["workforce_share"].describe(commitment) in card
    assert "37.00% of 40.00%" in card
    assert "Shortfall 300.00 hours" in card and (
        "Exposure if the shortfall stands at completion $7,500.00" in card
    )
    flag = Flag.objects.get(commitment_key="targeted")
    assert flag.title == f"{commitment.title}: at risk, 37.00% against 40.00%"
    memo = memo_section(project, lawyer, "targeted")
    assert "300.00 hours × $25.00 = $7,500.00" in memo
    assert "Workforce share, measured across the whole project" in memo


def test_example_b_a_commitment_with_groups_reads_its_groups_and_the_all_groups_figure(
    client, reviewer, lawyer, project, walsh, crafts, area
):
    commitment = make_commitment(
        project,
        "local-trades",
        "workforce_share",
        area=area,
        qualifier="area_resident",
        target_percent="30",
        scope="contractor_craft",
    )
    make_report(
        walsh,
        JAN,
        [
            line("c1", W1, crafts["Carpenter"], 350, home_zip="90001"),
            line("c2", W1, crafts["Carpenter"], 650),
            line("l1", W1, crafts["Laborer"], 120, home_zip="90002"),
            line("l2", W1, crafts["Laborer"], 680),
        ],
    )
    evaluate(project, AS_OF)

    card = card_of(client, reviewer, project, "local-trades")
    assert "in each trade" in card and "craft" not in KINDS["workforce_share"].describe(commitment)
    assert "Shortfall" in card and "2 groups: 1 in shortfall, 1 met" in card
    assert "All groups together: 26.11% of 30.00%" in card
    assert "Walsh Shea · Laborer" in card and "a1-c" not in card
    flag = Flag.objects.get(commitment_key="local-trades")
    assert flag.title == f"{commitment.title} (Walsh Shea, Laborer): short, 15.00% against 30.00%"
    memo = memo_section(project, lawyer, "local-trades")
    assert "for each contractor in each trade" in memo and "each craft" not in memo
    assert "2 groups: 1 in shortfall, 1 met" in memo


def test_example_d_the_wage_floor_module_writes_the_card_the_flag_and_the_memo(
    client, reviewer, lawyer, project, walsh, crafts
):
    commitment = make_commitment(
        project,
        "wage",
        "wage_floor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    make_report(
        walsh,
        JAN,
        [
            line("w1", W1, crafts["Carpenter"], 40, hourly_rate=d("35.50")),
            line("w2", W1, crafts["Carpenter"], 10, hourly_rate=d("38.00")),
        ],
    )
    evaluate(project, AS_OF)

    card = card_of(client, reviewer, project, "wage")
    assert KINDS["wage_floor"].describe(commitment) in card
    assert "Restitution owed $100.00" in card and "1 line, 1 worker" in card
    flag = Flag.objects.get(commitment_key="wage")
    assert flag.title == f"{commitment.title}: 1 underpaid line, $100.00 owed to 1 worker"
    memo = memo_section(project, lawyer, "wage")
    assert "$100.00 owed in restitution" in memo


def test_example_e_the_count_target_module_shows_the_schedule_and_the_even_pace(
    client, reviewer, lawyer, project
):
    fund = make_commitment(
        project,
        "fund",
        "count_target",
        unit="dollars",
        target_quantity="2500000",
        start_date="2020-01-01",
        due_date="2029-12-31",
        milestones=[
            {"date": f"{2020 + i}-12-31", "quantity": str(250000 * (i + 1))} for i in range(10)
        ],
    )
    for day, quantity in [("2020-12-20", 250000), ("2021-12-31", 15000)]:
        ProgressEntry.objects.create(
            commitment=fund, date=datetime.date.fromisoformat(day), quantity=d(quantity)
        )
    evaluate(project, datetime.date(2022, 1, 15))

    card = card_of(client, reviewer, project, "fund")
    assert "$265,000.00 of $2,500,000.00" in card
    assert "Due by now on the schedule $500,000.00" in card
    assert "Expected by now at an even pace $509,994.52" in card
    assert "Shortfall $235,000.00" in card and "dollars" not in card
    flag = Flag.objects.get(commitment_key="fund")
    assert flag.title == f"{fund.title}: short, $265,000.00 of $500,000.00 due so far"
    memo = memo_section(project, lawyer, "fund")
    assert "$265,000.00 delivered of $2,500,000.00; $500,000.00 due to date on the schedule" in memo


def test_a_count_without_milestones_has_one_due_by_now(client, reviewer, project):
    units = make_commitment(
        project,
        "units",
        "count_target",
        unit="units",
        target_quantity="100",
        start_date="2024-01-01",
        due_date="2025-01-01",
    )
    ProgressEntry.objects.create(commitment=units, date=JAN, quantity=d("22"))
    evaluate(project, datetime.date(2024, 7, 1))

    card = card_of(client, reviewer, project, "units")
    assert "22 of 100 units" in card and "22.00 units" not in card
    assert "Due by now" in card and "even pace" not in card


def test_every_kind_reads_its_parameters_with_the_defaults_stated_once(project, area):
    share = make_commitment(
        project, "t", "workforce_share", area=area, qualifier="area_resident", target_percent="40"
    )
    terms = kind_of(share).terms(share)
    assert (terms.scope, terms.measure, terms.population) == ("project", "hours", "all")
    assert (terms.warning_margin, terms.min_base, terms.penalty_per_unit) == (d(5), d(0), None)


@pytest.mark.parametrize(
    "params, paths",
    [
        ({"qualifier": "area_resident", "target_percent": "140"}, ["area", "target_percent"]),
        ({"qualifier": "everyone", "target_percent": "40"}, ["qualifier"]),
        ({"target_percent": "40", "colour": "red"}, ["colour", "qualifier"]),
    ],
)
def test_the_terms_name_each_bad_parameter_by_its_path(params, paths):
    with pytest.raises(ValidationError) as error:
        KINDS["workforce_share"].clean(params, area=None)
    assert sorted(error.value.message_dict) == paths


def python_and_templates():
    for folder in ("cba", "projects", "compliance", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".html"} or "migrations" in path.parts:
                continue
            if path.is_relative_to(ROOT / "compliance" / "evaluation" / "kinds"):
                continue
            yield path


def test_no_module_outside_the_kinds_asks_a_commitment_kind_by_name():
    names = "|".join(KINDS)
    asks = re.compile(rf"Commitment\.Kind|[\"']({names})[\"']")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {text.strip()}"
        for path in python_and_templates()
        for number, text in enumerate(path.read_text().splitlines(), start=1)
        if asks.search(text)
    ]
    assert found == []


def test_the_registry_check_finds_a_kind_switch_when_there_is_one():
    names = "|".join(KINDS)
    asks = re.compile(rf"Commitment\.Kind|[\"']({names})[\"']")
    assert asks.search('{% if c.kind == "wage_floor" %}')
    assert asks.search("if commitment.kind == Commitment.Kind.COUNT_TARGET:")
