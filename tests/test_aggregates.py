"""Sums and workers' first weeks kept per report version (issue 17): an evaluation that
adds them up finds what one that reads every line finds, figure by figure, series included.

Random projects, seeded so a failure repeats: contractors, months, lines of every trait,
amendments, lines of no worker (open data), commitments of every line-reading kind and
scope (at least one measured in distinct workers or new hires, some with excluded crafts),
terms amended mid-project, evaluations as of month ends and of days inside a month (where a
version counts only some of its lines).
"""

import datetime
import random
from decimal import Decimal
from typing import get_args

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from compliance.evaluation.engine.anomalies import check_version
from compliance.evaluation.engine.measure import (
    keep_report_aggregates,
    measure_as_of,
    measure_project,
)
from compliance.evaluation.kinds.workforce_share import WorkforceShareTerms
from compliance.models import (
    Evaluation,
    PayrollLine,
    Report,
    ReportCheck,
    ReportSum,
    ReportWorker,
)
from compliance.pipeline import evaluate_project
from projects.models import Assignment, CommitmentVersion, Organization
from tests.conftest import make_commitment, make_report
from tests.engine_support import line

SEEDS = range(16)
FIELDS = [f.attname for f in Evaluation._meta.concrete_fields if f.attname not in {"id"}]
# Every qualifier the kind accepts, as its terms declare them.
QUALIFIERS = list(get_args(WorkforceShareTerms.model_fields["qualifier"].annotation))


def figures(evaluations) -> dict:
    """Every stored field of every result, by commitment and group (the run's time aside)."""
    return {
        (e.commitment_key, e.group_key): {
            name: getattr(e, name) for name in FIELDS if name != "computed_at"
        }
        for e in evaluations
    }


def random_line(rng: random.Random, period: datetime.date, crafts: list, workers: int) -> dict:
    week = period + datetime.timedelta(days=rng.choice([2, 9, 16, 23, 27]))
    overtime = Decimal(rng.choice([0, 0, 0, 4, 10]))
    return line(
        f"w{rng.randrange(workers)}",
        week,
        rng.choice(crafts),
        Decimal(rng.randrange(0, 6000)) / 100 + overtime,
        overtime_hours=overtime,
        home_zip=rng.choice(["90001", "90002", "99999", "91000"]),
        is_apprentice=rng.random() < 0.3,
        disadvantaged=rng.random() < 0.3,
        veteran=rng.random() < 0.1,
        new_hire=rng.random() < 0.2,
        reported_resident=rng.choice([True, False, None]),
        gender=rng.choice(["F", "M", ""]),
        ethnicity=rng.choice(["White", "white", "Black", "Asian", ""]),
        person_of_color=rng.choice([None, None, True, False]),
        hourly_rate=Decimal(rng.randrange(3000, 6000)) / 100,
    )


def random_share(rng: random.Random, area, crafts: dict, measure: str | None = None) -> dict:
    qualifier = rng.choice(QUALIFIERS)
    params = {
        "qualifier": qualifier,
        "measure": measure or rng.choice(["hours", "hours", "hours", "workers", "new_hires"]),
        "scope": rng.choice(["project", "contractor", "craft", "contractor_craft"]),
        "population": rng.choice(["all", "journey", "apprentice"]),
        "target_percent": str(rng.choice([10, 25, 40])),
    }
    if rng.random() < 0.4:
        params["excluded_crafts"] = [rng.choice(list(crafts))]
    if rng.random() < 0.5:
        params["penalty_per_unit"] = "25"
    if qualifier == "area_resident":
        params["area"] = area
    return params


def build(rng: random.Random, project, crafts: dict, area, orgs) -> list:
    """Commitments, contractors and their reports; returns the as-of dates to compare."""
    for i in range(rng.randint(1, 4)):
        make_commitment(project, f"share{i}", "workforce_share", **random_share(rng, area, crafts))
    # At least one share counted in distinct workers, whose firsts the versions keep too.
    counted = random_share(rng, area, crafts, measure=rng.choice(["workers", "new_hires"]))
    make_commitment(project, "counted", "workforce_share", **counted)
    make_commitment(
        project,
        "wage",
        "wage_floor",
        scope=rng.choice(["project", "contractor_craft"]),
        basis=rng.choice(["base", "total"]),
        rates=[
            {"craft": "any", "effective_from": "2024-01-01", "base": "38.00"},
            {"craft": "Electrician", "effective_from": "2024-03-01", "base": "52.00"},
        ],
    )
    names = list(crafts.values())
    months = rng.randint(1, 6)
    for i in range(rng.randint(1, 3)):
        org = Organization.objects.create(slug=f"sub{i}", name=f"Sub {i}", kind="contractor")
        assignment = Assignment.objects.create(
            project=project, contractor=org, start_date=project.start_date
        )
        for m in range(months):
            if rng.random() < 0.15:
                continue
            period = datetime.date(2024, 1 + m, 1)
            used = rng.sample(names, rng.randint(1, len(names)))
            for version in range(1, rng.choice([2, 2, 3]) + 1):
                # One line per worker, week and craft, as the intake's validation insists.
                lines = {}
                for _ in range(rng.randint(0, 12)):
                    made = random_line(rng, period, used, 6)
                    lines[(made["worker"], made["week_ending"], made["craft"].pk)] = made
                lines = list(lines.values())
                report = make_report(assignment, period, lines, version=version)
                if rng.random() < 0.1:
                    # Lines of no worker and no rate, as open data has: their groups count
                    # no workers (a wage floor finds nothing owed on them).
                    unnamed = report.lines.order_by("pk")[: rng.randint(1, 3)]
                    PayrollLine.objects.filter(pk__in=unnamed).update(worker=None, hourly_rate=None)
                if rng.random() < 0.5:
                    keep_report_aggregates(report)  # as the intake does when it stores a version
    last = datetime.date(2024, months, 1)
    return [
        datetime.date(2024, 1, 31),
        datetime.date(2024, 1, 17),
        last + datetime.timedelta(days=rng.randint(0, 27)),
        datetime.date(2024, 6, 30),
        datetime.date(2026, 12, 31),
    ]


def amend(rng: random.Random, project, area, crafts: dict) -> None:
    """New terms for each share from a day inside the project (SPEC §3.6)."""
    for commitment in project.commitments.filter(kind="workforce_share"):
        CommitmentVersion.objects.create(
            commitment=commitment,
            effective_from=datetime.date(2024, 1, 1),
            params=commitment.params,
            area=commitment.area,
        )
        params = random_share(rng, area, crafts)
        new_area = params.pop("area", None)
        CommitmentVersion.objects.create(
            commitment=commitment,
            effective_from=datetime.date(2024, rng.randint(2, 5), rng.randint(1, 28)),
            params=params,
            area=new_area,
        )
        commitment.params, commitment.area = params, new_area
        commitment.save(update_fields=["params", "area"])


def assert_same(project, as_of: datetime.date) -> None:
    from_lines = figures(measure_as_of(project, as_of, from_lines=True))
    assert from_lines
    assert figures(measure_as_of(project, as_of)) == from_lines
    # A second time, from what the first kept.
    assert figures(measure_as_of(project, as_of)) == from_lines


@pytest.mark.parametrize("seed", SEEDS)
def test_the_kept_sums_give_the_figures_the_lines_give(seed, project, crafts, area, orgs):
    rng = random.Random(seed)
    as_of_dates = build(rng, project, crafts, area, orgs)
    for as_of in as_of_dates:
        assert_same(project, as_of)
    amend(rng, project, area, crafts)
    for as_of in as_of_dates:
        assert_same(project, as_of)


def test_a_stored_version_keeps_its_sums_and_the_evaluation_reads_no_line_twice(
    project, crafts, area, orgs
):
    rng = random.Random(99)
    build(rng, project, crafts, area, orgs)
    evaluate_project(project, datetime.date(2024, 12, 31))
    kept = ReportSum.objects.count(), ReportWorker.objects.count()

    evaluate_project(project, datetime.date(2024, 12, 31))

    assert all(kept) and (ReportSum.objects.count(), ReportWorker.objects.count()) == kept


def anomalies_found(project, as_of: datetime.date) -> list[dict]:
    """The data anomalies a first evaluation finds, the evaluation rolled back."""
    with transaction.atomic():
        measured = measure_project(project, as_of)
        transaction.set_rollback(True)
    return [{"contractor": a.assignment_id, **a.figures()} for a in measured.anomalies]


@pytest.mark.parametrize("seed", range(6))
def test_the_checks_kept_with_each_version_find_what_its_lines_show(
    seed, project, crafts, area, orgs
):
    rng = random.Random(seed)
    build(rng, project, crafts, area, orgs)
    for report in Report.objects.filter(is_current=True).select_related("assignment__project"):
        check_version(report)
    as_of = datetime.date(2024, 12, 31)
    from_kept = anomalies_found(project, as_of)
    ReportCheck.objects.all().delete()

    from_lines = anomalies_found(project, as_of)

    assert from_lines and from_kept == from_lines


def test_workers_are_counted_from_the_kept_first_weeks_without_reading_a_line(
    project, crafts, area, orgs
):
    make_commitment(
        project,
        "locals",
        "workforce_share",
        measure="workers",
        qualifier="area_resident",
        area=area,
        target_percent="50",
    )
    assignment = Assignment.objects.create(
        project=project, contractor=orgs["walsh"], start_date=project.start_date
    )
    carpenter = crafts["Carpenter"]
    local, away = {"home_zip": "90001"}, {"home_zip": "99999"}
    january = [
        line("w1", datetime.date(2024, 1, 5), carpenter, 40, **local),
        line("w2", datetime.date(2024, 1, 12), carpenter, 40, **local),
        line("w3", datetime.date(2024, 1, 12), carpenter, 40, **away),
    ]
    february = [
        line("w1", datetime.date(2024, 2, 2), carpenter, 40, **local),
        line("w4", datetime.date(2024, 2, 23), carpenter, 40, **local),
    ]
    for period, lines in [
        (datetime.date(2024, 1, 1), january),
        (datetime.date(2024, 2, 1), february),
    ]:
        keep_report_aggregates(make_report(assignment, period, lines))

    with CaptureQueriesContext(connection) as queries:
        month_end = measure_as_of(project, datetime.date(2024, 2, 29))
    inside_february = measure_as_of(project, datetime.date(2024, 2, 10))

    assert not [q for q in queries if PayrollLine._meta.db_table in q["sql"]]
    # w4's only week ends after February 10th: not counted then.
    counted = {
        as_of: [(e.numerator, e.denominator) for e in found if e.commitment_key == "locals"]
        for as_of, found in [("Feb 29", month_end), ("Feb 10", inside_february)]
    }
    assert counted == {"Feb 29": [(3, 4)], "Feb 10": [(2, 3)]}
