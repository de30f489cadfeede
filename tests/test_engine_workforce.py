"""workforce_share (SPEC §3.1): worked examples A, B, C and every boundary of the rule."""

import datetime

import pytest
from django.db import connection

from compliance.models import Flag
from compliance.pipeline import evaluate_project
from projects.models import Assignment, Organization
from tests.conftest import make_commitment, make_report
from tests.engine_support import d, evaluate, line

JAN = datetime.date(2024, 1, 1)
W1 = datetime.date(2024, 1, 6)
W2 = datetime.date(2024, 1, 13)
AS_OF = datetime.date(2024, 1, 31)


def targeted(project, area, **params):
    params.setdefault("qualifier", "area_resident")
    params.setdefault("target_percent", "40")
    return make_commitment(project, "targeted", "workforce_share", area=area, **params)


def resident_hours(assignment, crafts, *, total, local, craft="Carpenter", period=JAN, week=W1):
    """Two lines: `local` hours by a resident of the area, the rest by a non-resident."""
    lines = [line("res", week, crafts[craft], local, home_zip="90001")]
    if total - local:
        lines.append(line("away", week, crafts[craft], total - local, home_zip="99999"))
    return lines


def test_worked_example_a_targeted_hire_is_at_risk_with_damages(project, walsh, crafts, area):
    targeted(project, area, penalty_per_unit="25")
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=10000, local=3700))

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert result.numerator == d("3700.00")
    assert result.denominator == d("10000.00")
    assert result.actual_percent == d("37.00")
    assert result.status == "at_risk"
    assert result.shortfall == d("300.00")
    assert result.details["liquidated_damages"] == "7500.00"
    assert result.details["unit"] == "hours"


def test_worked_example_b_flags_only_the_contractors_craft_in_shortfall(
    project, walsh, crafts, area
):
    targeted(project, area, target_percent="30", scope="contractor_craft")
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

    results = evaluate(project, AS_OF)
    carpenters = results[("targeted", f"a{walsh.pk}-c{crafts['Carpenter'].pk}")]
    laborers = results[("targeted", f"a{walsh.pk}-c{crafts['Laborer'].pk}")]

    assert (carpenters.actual_percent, carpenters.status) == (d("35.00"), "met")
    assert (laborers.actual_percent, laborers.status) == (d("15.00"), "shortfall")
    assert laborers.shortfall == d("120.00")
    flags = Flag.objects.filter(commitment_key="targeted")
    assert [(f.kind, f.assignment_id, f.craft_id) for f in flags] == [
        ("shortfall", walsh.pk, crafts["Laborer"].pk)
    ]


def test_worked_example_c_journeyworker_hours_count_in_neither_part(project, walsh, crafts, area):
    targeted(project, area, target_percent="50", population="apprentice")
    make_report(
        walsh,
        JAN,
        [
            line("a1", W1, crafts["Carpenter"], 60, is_apprentice=True, home_zip="90001"),
            line("a2", W1, crafts["Carpenter"], 40, is_apprentice=True),
            line("j1", W1, crafts["Carpenter"], 500, home_zip="90001"),
            line("j2", W1, crafts["Carpenter"], 900),
        ],
    )

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert (result.numerator, result.denominator) == (d("60.00"), d("100.00"))
    assert result.actual_percent == d("60.00")
    assert result.status == "met"


@pytest.mark.parametrize(
    ("local", "status", "shortfall"),
    [
        (4000, "met", "0.00"),  # exactly on target
        (4001, "met", "0.00"),
        (3999, "at_risk", "1.00"),  # just under target
        (3500, "at_risk", "500.00"),  # exactly target − margin
        (3499, "shortfall", "501.00"),  # just under target − margin
    ],
)
def test_status_boundaries_on_target_and_margin(
    project, walsh, crafts, area, local, status, shortfall
):
    targeted(project, area)
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=10000, local=local))

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert result.status == status
    assert result.shortfall == d(shortfall)


def test_a_custom_warning_margin_moves_the_shortfall_line(project, walsh, crafts, area):
    targeted(project, area, warning_margin="2")
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=10000, local=3800))

    assert evaluate(project, AS_OF)[("targeted", "project")].status == "at_risk"

    make_report(walsh, JAN, resident_hours(walsh, crafts, total=10000, local=3799), version=2)
    assert evaluate(project, AS_OF)[("targeted", "project")].status == "shortfall"


def test_a_group_without_hours_has_no_data_and_no_flag(project, walsh, crafts, area):
    targeted(project, area)

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert (result.status, result.actual_percent, result.shortfall) == ("no_data", None, d(0))
    assert not Flag.objects.exists()


def test_a_group_below_min_base_has_no_data(project, walsh, crafts, area):
    targeted(project, area, min_base="1000")
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=999, local=0))

    result = evaluate(project, AS_OF)[("targeted", "project")]
    assert result.status == "no_data"
    assert result.actual_percent == d("0.00")
    assert not Flag.objects.filter(commitment_key="targeted").exists()

    make_report(walsh, JAN, resident_hours(walsh, crafts, total=1000, local=0), version=2)
    assert evaluate(project, AS_OF)[("targeted", "project")].status == "shortfall"


def test_excluded_crafts_are_left_out_of_both_parts_by_name_or_alias(project, walsh, crafts, area):
    targeted(project, area, excluded_crafts=["  operating engineer", "LABOR"])
    make_report(
        walsh,
        JAN,
        [
            line("c1", W1, crafts["Carpenter"], 40, home_zip="90001"),
            line("c2", W1, crafts["Carpenter"], 60),
            line("o1", W1, crafts["Operating Engineer"], 500),
            line("l1", W1, crafts["Laborer"], 500, home_zip="90001"),
        ],
    )

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert (result.numerator, result.denominator) == (d("40.00"), d("100.00"))


def test_excluded_crafts_get_no_group_of_their_own(project, walsh, crafts, area):
    targeted(project, area, scope="craft", excluded_crafts=["Laborer"])
    make_report(walsh, JAN, [line("l1", W1, crafts["Laborer"], 500)])

    results = evaluate(project, AS_OF)

    assert ("targeted", f"c{crafts['Laborer'].pk}") not in results
    assert results[("targeted", f"c{crafts['Carpenter'].pk}")].status == "no_data"


@pytest.mark.parametrize(
    ("population", "numerator", "denominator"),
    [("all", "70.00", "200.00"), ("journey", "40.00", "150.00"), ("apprentice", "30.00", "50.00")],
)
def test_each_population_bounds_both_parts(
    project, walsh, crafts, area, population, numerator, denominator
):
    targeted(project, area, population=population)
    make_report(
        walsh,
        JAN,
        [
            line("j1", W1, crafts["Carpenter"], 40, home_zip="90001"),
            line("j2", W1, crafts["Carpenter"], 110),
            line("a1", W1, crafts["Carpenter"], 30, is_apprentice=True, home_zip="90003"),
            line("a2", W1, crafts["Carpenter"], 20, is_apprentice=True),
        ],
    )

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert (result.numerator, result.denominator) == (d(numerator), d(denominator))


QUALIFIER_LINES = [
    ("resident", {"home_zip": "90002"}),
    ("disadvantaged", {"disadvantaged": True}),
    ("apprentice", {"is_apprentice": True}),
    ("woman", {"gender": "F"}),
    ("black", {"ethnicity": "Black"}),
    ("white", {"ethnicity": "white"}),
    ("unreported", {"ethnicity": ""}),
    ("veteran", {"veteran": True}),
    ("hire", {"new_hire": True}),
    ("nobody", {"gender": "M", "veteran": False, "disadvantaged": False, "new_hire": False}),
]


@pytest.mark.parametrize(
    ("qualifier", "qualifying"),
    [
        ("area_resident", ["resident"]),
        ("disadvantaged", ["disadvantaged"]),
        ("apprentice", ["apprentice"]),
        ("woman", ["woman"]),
        ("person_of_color", ["black"]),
        ("veteran", ["veteran"]),
        ("new_hire", ["hire"]),
    ],
)
def test_each_qualifier_counts_only_its_lines(project, walsh, crafts, area, qualifier, qualifying):
    make_commitment(
        project,
        "share",
        "workforce_share",
        qualifier=qualifier,
        target_percent="10",
        area=area if qualifier == "area_resident" else None,
    )
    make_report(
        walsh,
        JAN,
        [line(name, W1, crafts["Carpenter"], 10, **attrs) for name, attrs in QUALIFIER_LINES],
    )

    result = evaluate(project, AS_OF)[("share", "project")]

    assert result.denominator == d("100.00")
    assert result.numerator == d(10 * len(qualifying))


def test_contractor_scope_gives_every_contractor_a_result(project, walsh, pulice, crafts, area):
    targeted(project, area, scope="contractor")
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=100, local=50))

    results = evaluate(project, AS_OF)

    assert results[("targeted", f"a{walsh.pk}")].status == "met"
    assert results[("targeted", f"a{walsh.pk}")].assignment_id == walsh.pk
    assert results[("targeted", f"a{pulice.pk}")].status == "no_data"
    assert ("targeted", "project") not in results


def test_craft_scope_adds_up_contractors_in_each_craft(project, walsh, pulice, crafts, area):
    targeted(project, area, scope="craft")
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=100, local=30))
    make_report(pulice, JAN, resident_hours(pulice, crafts, total=100, local=10))

    results = evaluate(project, AS_OF)
    carpenters = results[("targeted", f"c{crafts['Carpenter'].pk}")]

    assert (carpenters.numerator, carpenters.denominator) == (d("40.00"), d("200.00"))
    assert carpenters.craft_id == crafts["Carpenter"].pk
    assert results[("targeted", f"c{crafts['Electrician'].pk}")].status == "no_data"


def test_only_current_versions_and_weeks_up_to_the_as_of_date_count(project, walsh, crafts, area):
    targeted(project, area)
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=100, local=100))
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=100, local=20), version=2)
    make_report(
        walsh,
        datetime.date(2024, 2, 1),
        resident_hours(walsh, crafts, total=100, local=100, week=datetime.date(2024, 2, 3)),
    )

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert (result.numerator, result.denominator) == (d("20.00"), d("100.00"))


def test_the_series_has_each_month_and_the_cumulative_percent(project, walsh, crafts, area):
    targeted(project, area)
    make_report(walsh, JAN, resident_hours(walsh, crafts, total=400, local=120))
    march = datetime.date(2024, 3, 1)
    make_report(
        walsh,
        march,
        resident_hours(walsh, crafts, total=100, local=80, week=datetime.date(2024, 3, 2)),
    )

    result = evaluate(project, datetime.date(2024, 3, 31))[("targeted", "project")]

    assert result.series == [
        {
            "month": "2024-01",
            "numerator": "120.00",
            "denominator": "400.00",
            "percent": "30.00",
            "cumulative_percent": "30.00",
        },
        {
            "month": "2024-02",
            "numerator": "0.00",
            "denominator": "0.00",
            "percent": None,
            "cumulative_percent": "30.00",
        },
        {
            "month": "2024-03",
            "numerator": "80.00",
            "denominator": "100.00",
            "percent": "80.00",
            "cumulative_percent": "40.00",
        },
    ]


def monthly_reports(assignment, crafts, shares):
    """One report a month from January 2024: 100 hours, `share` of them by a resident."""
    for i, share in enumerate(shares):
        period = datetime.date(2024, 1 + i, 1)
        week = period + datetime.timedelta(days=5)
        make_report(
            assignment,
            period,
            resident_hours(assignment, crafts, total=100, local=share, week=week),
        )


def test_a_met_target_projected_to_fall_short_is_at_risk(project, walsh, crafts, area):
    targeted(project, area)
    # 60% early on, 20% in the last three months: 44% to date, heading for 26.
    monthly_reports(walsh, crafts, [60, 60, 60, 60, 60, 20, 20, 20])

    result = evaluate(project, datetime.date(2024, 8, 31))[("targeted", "project")]

    assert result.actual_percent == d("45.00")
    # 28 months left until December 2026 at 20 of 100 hours a month.
    assert result.projected_percent == d("25.56")
    assert result.status == "at_risk"


def test_the_projection_equals_the_actual_with_under_three_months_of_data(
    project, walsh, crafts, area
):
    targeted(project, area)
    monthly_reports(walsh, crafts, [60, 20])

    result = evaluate(project, datetime.date(2024, 2, 29))[("targeted", "project")]

    assert result.projected_percent == result.actual_percent == d("40.00")
    assert result.status == "met"


def test_the_projection_equals_the_actual_once_the_project_is_complete(
    project, walsh, crafts, area
):
    project.status = "complete"
    project.save()
    targeted(project, area)
    monthly_reports(walsh, crafts, [60, 60, 60, 20, 20, 20])

    result = evaluate(project, datetime.date(2024, 6, 30))[("targeted", "project")]

    assert result.projected_percent == result.actual_percent == d("40.00")
    assert result.status == "met"


def test_measure_workers_counts_each_worker_once(project, walsh, crafts, area):
    targeted(project, area, measure="workers")
    feb = datetime.date(2024, 2, 1)
    make_report(
        walsh,
        JAN,
        [
            line("r1", W1, crafts["Carpenter"], 40, home_zip="90001"),
            line("r1", W2, crafts["Carpenter"], 40, home_zip="90001"),
            line("r1", W2, crafts["Laborer"], 8, home_zip="90001"),
            line("n1", W1, crafts["Carpenter"], 40),
        ],
    )
    make_report(
        walsh,
        feb,
        [
            line("r1", datetime.date(2024, 2, 3), crafts["Carpenter"], 40, home_zip="90001"),
            line("n2", datetime.date(2024, 2, 3), crafts["Carpenter"], 40),
            line("n3", datetime.date(2024, 2, 3), crafts["Carpenter"], 40),
        ],
    )

    result = evaluate(project, datetime.date(2024, 2, 29))[("targeted", "project")]

    # Four different workers, one of them a resident.
    assert (result.numerator, result.denominator) == (d("1.00"), d("4.00"))
    assert result.actual_percent == d("25.00")
    assert result.shortfall == d("0.60")
    assert result.details["unit"] == "workers"
    assert [(m["numerator"], m["denominator"], m["cumulative_percent"]) for m in result.series] == [
        ("1.00", "2.00", "50.00"),
        ("1.00", "3.00", "25.00"),
    ]


def test_measure_workers_by_contractor_and_craft(project, walsh, pulice, crafts, area):
    targeted(project, area, measure="workers", scope="contractor_craft")
    make_report(
        walsh,
        JAN,
        [
            line("r1", W1, crafts["Carpenter"], 40, home_zip="90001"),
            line("r1", W1, crafts["Laborer"], 8, home_zip="90001"),
            line("n1", W1, crafts["Laborer"], 40),
        ],
    )
    make_report(pulice, JAN, [line("r1", W1, crafts["Laborer"], 40)])

    results = evaluate(project, AS_OF)

    walsh_laborers = results[("targeted", f"a{walsh.pk}-c{crafts['Laborer'].pk}")]
    assert (walsh_laborers.numerator, walsh_laborers.denominator) == (d(1), d(2))
    pulice_laborers = results[("targeted", f"a{pulice.pk}-c{crafts['Laborer'].pk}")]
    assert (pulice_laborers.numerator, pulice_laborers.denominator) == (d(0), d(1))


def test_measure_new_hires_counts_distinct_new_hires(project, walsh, crafts, area):
    targeted(project, area, measure="new_hires")
    make_report(
        walsh,
        JAN,
        [
            line("h1", W1, crafts["Carpenter"], 40, new_hire=True, home_zip="90001"),
            line("h1", W2, crafts["Carpenter"], 40, new_hire=True, home_zip="90001"),
            line("h2", W1, crafts["Carpenter"], 40, new_hire=True),
            line("old", W1, crafts["Carpenter"], 40, new_hire=False, home_zip="90001"),
        ],
    )

    result = evaluate(project, AS_OF)[("targeted", "project")]

    assert (result.numerator, result.denominator) == (d(1), d(2))
    assert result.actual_percent == d("50.00")


def grow(project, crafts, *, contractors: int, months: int) -> None:
    for i in range(contractors):
        org = Organization.objects.create(slug=f"sub{i}", name=f"Sub {i}", kind="contractor")
        assignment = Assignment.objects.create(
            project=project, contractor=org, start_date=project.start_date
        )
        for m in range(months):
            period = datetime.date(2024, 1 + m, 1)
            week = period + datetime.timedelta(days=5)
            make_report(
                assignment,
                period,
                [
                    line("x", week, crafts["Carpenter"], 40, home_zip="90001", hourly_rate=30),
                    line("y", week, crafts["Laborer"], 40, ethnicity="Black", new_hire=True),
                    line("y", week + datetime.timedelta(days=1), crafts["Laborer"], 70),
                ],
            )


def every_kind(project, area):
    targeted(project, area, scope="contractor_craft", penalty_per_unit="10")
    make_commitment(
        project,
        "poc",
        "workforce_share",
        qualifier="person_of_color",
        measure="workers",
        scope="contractor",
        target_percent="50",
    )
    make_commitment(
        project,
        "wage",
        "wage_floor",
        scope="contractor_craft",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    make_commitment(
        project,
        "units",
        "count_target",
        unit="units",
        target_quantity="100",
        start_date="2024-01-01",
        due_date="2026-12-31",
    )


@pytest.mark.parametrize(("contractors", "months"), [(1, 1), (4, 5)])
def test_the_evaluation_runs_as_many_queries_whatever_the_size(
    project, crafts, area, django_assert_num_queries, contractors, months
):
    every_kind(project, area)
    grow(project, crafts, contractors=contractors, months=months)
    evaluate_project(project, datetime.date(2024, 6, 30))  # the reports' first check

    # Measuring every group (as the nightly run does: a new as-of date changes every
    # result's inputs, `engine.inputs`).
    with django_assert_num_queries(QUERIES_PER_EVALUATION):
        evaluate_project(project, datetime.date(2024, 6, 30), reuse=False)


# PostgreSQL's two more: the project row's lock (SQLite's transaction holds the database's
# write lock instead) and the transaction's settings (see
# compliance.evaluation.engine.measure._tune). One of them loads the versions of the
# commitments' terms, to apply those in force on the as-of date (SPEC §3.6); one finds the
# versions lacking the first weeks the share measured in workers counts (engine.firsts).
# Four roll the commitments' standings up for the dashboard (`compliance.evaluation.standings`).
# One reads the results' inputs (`engine.inputs`): each contractor's versions counted (and
# its current ones of months outside the project's); every craft is read once, marked
# whether the project lists it (a run that may keep results also reads the flags a person
# changed since). The flags are read once, the unresolved ones with those a person closed
# (`sync_flags`); the versions to check for data anomalies with what their own checks found.
QUERIES_PER_EVALUATION = 27 + 2 * (connection.vendor == "postgresql")
