"""wage_floor (SPEC §3.2): worked example D, the rate in effect and the listed lines."""

import datetime

import pytest

from compliance.models import Flag, PayrollLine
from tests.conftest import make_commitment, make_report
from tests.engine_support import d, evaluate, line

JAN = datetime.date(2024, 1, 1)
W1 = datetime.date(2024, 1, 6)
AS_OF = datetime.date(2024, 1, 31)


def floor(project, *rates, **params):
    return make_commitment(
        project,
        "wage",
        "wage_floor",
        rates=list(rates) or [{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
        **params,
    )


def test_worked_example_d_one_underpaid_line(project, walsh, crafts):
    floor(project)
    make_report(
        walsh,
        JAN,
        [
            line("w1", W1, crafts["Carpenter"], 40, hourly_rate=d("35.50")),
            line("w2", W1, crafts["Carpenter"], 10, hourly_rate=d("38.00")),
        ],
    )

    result = evaluate(project, AS_OF)[("wage", "project")]

    assert (result.numerator, result.denominator) == (d("40.00"), d("50.00"))
    assert result.shortfall == d("100.00")
    assert result.status == "shortfall"
    underpaid = PayrollLine.objects.get(hours=40)
    assert result.details["violations"] == [
        {
            "line_id": underpaid.pk,
            "worker": "w1",
            "week_ending": "2024-01-06",
            "craft": "Carpenter",
            "hours": "40.00",
            "straight_hours": "40.00",
            "overtime_hours": "0.00",
            "doubletime_hours": "0.00",
            "paid": "35.50",
            "required": "38.00",
            "owed": "100.00",
        }
    ]
    assert (result.details["violation_count"], result.details["worker_count"]) == (1, 1)


def test_worked_example_g_overtime_hours_are_owed_the_difference_at_time_and_a_half(
    project, walsh, crafts
):
    floor(project)
    make_report(
        walsh,
        JAN,
        [line("w1", W1, crafts["Carpenter"], 50, overtime_hours=10, hourly_rate=d("35.00"))],
    )

    result = evaluate(project, AS_OF)[("wage", "project")]

    assert result.shortfall == d("165.00")
    assert result.numerator == d("50.00")
    assert result.details["violations"][0]["owed"] == "165.00"


def test_double_time_hours_are_owed_twice_the_difference(project, walsh, crafts):
    floor(project)
    make_report(
        walsh,
        JAN,
        [line("w1", W1, crafts["Carpenter"], 44, doubletime_hours=4, hourly_rate=d("37.00"))],
    )

    result = evaluate(project, AS_OF)[("wage", "project")]

    assert result.shortfall == d("48.00")  # 1.00 × (40 + 2 × 4)


def test_everyone_paid_the_floor_is_met_and_no_hours_is_no_data(project, walsh, pulice, crafts):
    floor(project, scope="contractor")
    make_report(walsh, JAN, [line("w1", W1, crafts["Carpenter"], 40, hourly_rate=d("38.00"))])

    results = evaluate(project, AS_OF)

    assert results[("wage", f"a{walsh.pk}")].status == "met"
    assert results[("wage", f"a{walsh.pk}")].shortfall == d("0.00")
    assert results[("wage", f"a{pulice.pk}")].status == "no_data"
    assert not Flag.objects.filter(kind="wage_violation").exists()


def test_a_crafts_own_rates_take_precedence_over_any(project, walsh, crafts):
    floor(
        project,
        {"craft": "any", "effective_from": "2023-01-01", "base": "30.00"},
        {"craft": "any", "effective_from": "2024-01-01", "base": "38.00"},
        {"craft": "elec", "effective_from": "2024-01-10", "base": "50.00"},
        {"craft": "Electrician", "effective_from": "2024-01-20", "base": "55.00"},
    )
    crafts["Electrician"].aliases = ["Elec"]
    crafts["Electrician"].save()
    make_report(
        walsh,
        JAN,
        [
            # Before the Electrician's own rows: the "any" rate of 2024 applies.
            line("e1", W1, crafts["Electrician"], 10, hourly_rate=d("40.00")),
            line(
                "e1", datetime.date(2024, 1, 13), crafts["Electrician"], 10, hourly_rate=d("49.00")
            ),
            line(
                "e1", datetime.date(2024, 1, 20), crafts["Electrician"], 10, hourly_rate=d("54.00")
            ),
            line("c1", datetime.date(2024, 1, 20), crafts["Carpenter"], 10, hourly_rate=d("38.00")),
        ],
    )

    result = evaluate(project, AS_OF)[("wage", "project")]

    assert [(v["week_ending"], v["required"], v["owed"]) for v in result.details["violations"]] == [
        ("2024-01-13", "50.00", "10.00"),
        ("2024-01-20", "55.00", "10.00"),
    ]
    assert result.shortfall == d("20.00")


def test_a_week_before_any_rate_is_in_effect_is_not_a_violation(project, walsh, crafts):
    floor(project, {"craft": "any", "effective_from": "2024-01-10", "base": "38.00"})
    make_report(walsh, JAN, [line("w1", W1, crafts["Carpenter"], 40, hourly_rate=d("20.00"))])

    assert evaluate(project, AS_OF)[("wage", "project")].status == "met"


@pytest.mark.parametrize(
    ("rate", "fringe", "status", "owed"),
    [("30.00", "10.00", "met", "0.00"), ("30.00", "7.50", "shortfall", "100.00")],
)
def test_basis_total_compares_rate_plus_fringe(project, walsh, crafts, rate, fringe, status, owed):
    floor(
        project,
        {"craft": "any", "effective_from": "2024-01-01", "base": "32.00", "fringe": "8.00"},
        basis="total",
    )
    make_report(
        walsh,
        JAN,
        [line("w1", W1, crafts["Carpenter"], 40, hourly_rate=d(rate), fringe_rate=d(fringe))],
    )

    result = evaluate(project, AS_OF)[("wage", "project")]

    assert (result.status, result.shortfall) == (status, d(owed))


def test_violations_are_listed_in_their_group_and_in_the_flag(project, walsh, pulice, crafts):
    floor(project, scope="contractor_craft")
    make_report(
        walsh,
        JAN,
        [
            line("w1", W1, crafts["Carpenter"], 40, hourly_rate=d("37.00")),
            line("w2", W1, crafts["Laborer"], 40, hourly_rate=d("39.00")),
        ],
    )
    make_report(pulice, JAN, [line("p1", W1, crafts["Carpenter"], 20, hourly_rate=d("36.00"))])

    results = evaluate(project, AS_OF)

    walsh_carpenters = results[("wage", f"a{walsh.pk}-c{crafts['Carpenter'].pk}")]
    assert [v["worker"] for v in walsh_carpenters.details["violations"]] == ["w1"]
    assert results[("wage", f"a{walsh.pk}-c{crafts['Laborer'].pk}")].status == "met"
    flags = {f.assignment_id: f for f in Flag.objects.filter(kind="wage_violation")}
    assert set(flags) == {walsh.pk, pulice.pk}
    assert flags[pulice.pk].severity == "critical"
    assert flags[pulice.pk].figures["shortfall"] == "40.00"
    assert [v["worker"] for v in flags[pulice.pk].figures["violations"]] == ["p1"]
    assert "Pulice, Carpenter" in flags[pulice.pk].title


def test_the_wage_series_counts_underpaid_hours_by_month(project, walsh, crafts):
    floor(project)
    make_report(walsh, JAN, [line("w1", W1, crafts["Carpenter"], 40, hourly_rate=d("30.00"))])
    feb = datetime.date(2024, 2, 1)
    make_report(
        walsh,
        feb,
        [line("w1", datetime.date(2024, 2, 3), crafts["Carpenter"], 60, hourly_rate=d(40))],
    )

    result = evaluate(project, datetime.date(2024, 2, 29))[("wage", "project")]

    assert [(m["numerator"], m["denominator"], m["cumulative_percent"]) for m in result.series] == [
        ("40.00", "40.00", "100.00"),
        ("0.00", "60.00", "40.00"),
    ]
