"""A re-evaluation rewrites only the results it changed (issue 17): a result that says what
its stored row says keeps that row, brought up to date; what is stored is always what a
fresh measurement finds."""

import datetime
import gc
import random

import pytest
import time_machine

from compliance.bulk import collecting_later
from compliance.evaluation.engine.measure import measure_as_of
from compliance.models import Evaluation, PayrollLine, Report
from compliance.pipeline import evaluate_project
from tests.conftest import make_report
from tests.test_aggregates import build, random_line
from tests.test_aggregates import figures as all_figures

AS_OF = datetime.date(2024, 12, 31)


def figures(evaluations) -> dict:
    """Every field a user reads, by commitment and group (not the digest and the inputs, kept
    for the runs)."""
    found = all_figures(evaluations)
    for said in found.values():
        said.pop("digest")
        said.pop("inputs")
    return found


def stored(project) -> dict:
    return {(e.commitment_key, e.group_key): e for e in Evaluation.objects.filter(project=project)}


def test_a_run_that_finds_the_same_keeps_every_row_and_dates_it(project, crafts, area, orgs):
    build(random.Random(3), project, crafts, area, orgs)
    with time_machine.travel("2025-01-02 08:00Z"):
        evaluate_project(project, AS_OF)
    before = stored(project)

    with time_machine.travel("2025-01-03 08:00Z"):
        evaluate_project(project, AS_OF)
    kept = stored(project)
    with time_machine.travel("2025-01-04 08:00Z"):
        evaluate_project(project, AS_OF, reuse=False)
    after = stored(project)

    # Nothing changed: the next run kept every result without measuring it again (its time
    # is when it was measured); one measuring everything found the same and dated each row.
    assert {key: (e.pk, e.computed_at) for key, e in kept.items()} == {
        key: (e.pk, e.computed_at) for key, e in before.items()
    }
    assert after.keys() == before.keys()
    assert {key: e.pk for key, e in after.items()} == {key: e.pk for key, e in before.items()}
    assert {e.computed_at.date() for e in after.values()} == {datetime.date(2025, 1, 4)}
    assert figures(after.values()) == figures(before.values())


def test_a_new_report_rewrites_its_contractors_results_and_the_rest_stay(
    project, crafts, area, orgs
):
    rng = random.Random(8)
    build(rng, project, crafts, area, orgs)
    evaluate_project(project, AS_OF)
    before = stored(project)
    report = Report.objects.filter(assignment__project=project, is_current=True).earliest("pk")
    lines = {}
    for _ in range(20):
        made = random_line(rng, report.period, list(crafts.values()), 6)
        lines[(made["worker"], made["week_ending"], made["craft"].pk)] = made
    make_report(report.assignment, report.period, list(lines.values()), version=report.version + 1)

    evaluate_project(project, AS_OF)
    after = stored(project)

    # What is stored is what a fresh measurement, from the lines, finds.
    assert figures(after.values()) == figures(measure_as_of(project, AS_OF, from_lines=True))
    others = [
        key
        for key, e in before.items()
        if e.assignment_id not in {None, report.assignment_id} and key in after
    ]
    changed = [key for key in before if key in after and after[key].pk != before[key].pk]
    assert others, "another contractor's results to keep"
    assert all(after[key].pk == before[key].pk for key in others)
    assert changed, "the new report changed some results"
    assert all(after[key].digest != before[key].digest for key in changed)


def test_a_later_day_dates_every_result_to_it(project, crafts, area, orgs):
    build(random.Random(7), project, crafts, area, orgs)
    evaluate_project(project, AS_OF)

    evaluate_project(project, datetime.date(2025, 1, 15))

    assert set(Evaluation.objects.filter(project=project).values_list("as_of", flat=True)) == {
        datetime.date(2025, 1, 15)
    }
    assert figures(stored(project).values()) == figures(
        measure_as_of(project, datetime.date(2025, 1, 15), from_lines=True)
    )


@pytest.mark.parametrize("seed", range(8))
def test_one_contractors_measurement_gives_its_groups_the_whole_ones_figures(
    seed, project, crafts, area, orgs
):
    """An upload's check measures the contractor's lines only (`measure_as_of(assignment_id=)`):
    its own groups read what the whole measurement reads, and every underpaid line of its
    is listed as the whole measurement lists it."""
    rng = random.Random(seed)
    as_of_dates = build(rng, project, crafts, area, orgs)
    for as_of in as_of_dates[2:4]:
        whole = measure_as_of(project, as_of)
        for assignment in project.assignments.all():
            own = measure_as_of(project, as_of, assignment_id=assignment.pk)
            assert figures(e for e in own if e.assignment_id == assignment.pk) == figures(
                e for e in whole if e.assignment_id == assignment.pk
            )
            assert underpaid(own, assignment) == underpaid(whole, assignment)


def underpaid(evaluations, assignment) -> list:
    lines = set(PayrollLine.objects.filter(assignment=assignment).values_list("id", flat=True))
    return sorted(
        (e.commitment_key, line["line_id"], line["owed"])
        for e in evaluations
        for line in e.details.get("violations", [])
        if line["line_id"] in lines
    )


def test_the_cycle_collector_is_held_off_while_measuring_and_runs_again_after(project):
    """A long-running worker must not be left without its cycle collector, however an
    evaluation ends."""
    seen = []
    with collecting_later():
        seen.append(gc.isenabled())
    evaluate_project(project, AS_OF)
    with pytest.raises(ValueError), collecting_later():
        raise ValueError("a failed evaluation")

    assert seen == [False]
    assert gc.isenabled()
