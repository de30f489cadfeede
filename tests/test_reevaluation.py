"""A re-evaluation as of the same day measures again only what changed (issue 17,
`engine.inputs`), and stores what measuring everything stores: every field of every result,
series included, and every flag.

Random projects (those of tests/test_aggregates.py, seeded so a failure repeats; half with
every line-measured commitment scoped per contractor, so a re-evaluation reads the changed
contractors' lines only), then random changes, each followed by a re-evaluation that keeps
what it may, compared with one that measures everything: a new version of a report, a month
reported for the first time (late, or before the project began), a contractor renamed, new
terms, a commitment retitled, a craft taken off the project then renamed, the area's ZIPs,
the agreement's damages basis or report due day, the missing-report check run in between,
an evaluation as of another day in between, a person reopening or resolving a flag,
nothing at all.
"""

import datetime
import random
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.evaluation.engine import inputs
from compliance.evaluation.engine.measure import keep_report_aggregates
from compliance.models import Evaluation, Flag, PayrollLine, Report
from compliance.pipeline import evaluate_project, evaluate_reporting
from projects.models import Agreement, Area, Assignment, Craft, Organization
from tests.conftest import make_commitment, make_report
from tests.engine_support import line
from tests.test_aggregates import build, figures, random_line, random_share

SEEDS = range(12)


def stored(project) -> dict:
    return figures(Evaluation.objects.filter(project=project))


def flags(project) -> dict:
    return {
        f.dedupe_key: (f.status, f.severity, f.title, f.figures)
        for f in Flag.objects.filter(project=project)
    }


def new_version(rng, report) -> Report:
    """A new version of the report, its lines drawn again; kept sums made as the intake
    makes them, or left for the evaluation to make."""
    crafts = list(report.assignment.project.crafts.all())
    lines = {}
    for _ in range(rng.randint(0, 12)):
        made = random_line(rng, report.period, crafts, 6)
        lines[(made["worker"], made["week_ending"], made["craft"].pk)] = made
    made = make_report(
        report.assignment, report.period, list(lines.values()), version=report.version + 1
    )
    if rng.random() < 0.5:
        keep_report_aggregates(made)
    return made


def change(rng, project, area, crafts, as_of) -> str:
    reports = list(Report.objects.filter(assignment__project=project, is_current=True))
    assignments = list(project.assignments.all())
    what = rng.choice(
        ["amend"] * 6
        + ["month", "early", "rename", "terms", "title", "craft", "zips", "agreement"]
        + ["reporting", "another day", "person", "none"]
    )
    if what in {"amend", "reporting", "another day"} and reports:
        if what == "another day":
            evaluate_project(project, as_of + datetime.timedelta(days=3))
        new_version(rng, rng.choice(reports))
        if what == "reporting":  # the hourly missing-report check, as of the same day
            evaluate_reporting(project, as_of)
    elif what in {"month", "early"}:
        period = datetime.date(2023, 12, 1) if what == "early" else datetime.date(2024, 7, 1)
        assignment = rng.choice(assignments)
        if not Report.objects.filter(assignment=assignment, period=period).exists():
            lines = [random_line(rng, period, list(crafts.values()), 6) for _ in range(3)]
            unique = {(x["worker"], x["week_ending"], x["craft"].pk): x for x in lines}
            keep_report_aggregates(make_report(assignment, period, list(unique.values())))
    elif what == "rename":
        contractor = rng.choice(assignments).contractor
        Organization.objects.filter(pk=contractor.pk).update(name=f"{contractor.name} Inc")
    elif what == "terms":
        commitment = rng.choice(list(project.commitments.filter(kind="workforce_share")))
        params = random_share(rng, area, crafts)
        params.pop("area", None)
        commitment.params = {**params, "qualifier": "apprentice"}
        commitment.area = None
        commitment.save(update_fields=["params", "area"])
    elif what == "title":
        commitment = rng.choice(list(project.commitments.all()))
        commitment.title = f"{commitment.title} (amended)"
        commitment.save(update_fields=["title"])
    elif what == "craft":
        # Off the project, its lines stay; then renamed, with an alias of another.
        craft = rng.choice(list(crafts.values()))
        project.crafts.remove(craft)
        evaluate_project(project, as_of)
        Craft.objects.filter(pk=craft.pk).update(
            name=f"{craft.name} II", aliases=[rng.choice(list(crafts))]
        )
    elif what == "zips":
        Area.objects.filter(pk=area.pk).update(zips=rng.sample(["90001", "90002", "99999"], 2))
    elif what == "agreement":
        Agreement.objects.filter(project=project).update(
            damages_basis=rng.choice(["to_date", "at_completion"]),
            report_due_day=rng.choice([1, 15, 28]),
        )
    elif what == "person":
        person(rng, project)
    return what


def person(rng, project) -> None:
    """A person reopens a flag the evaluation resolved, or resolves an open one, as
    `flag_transition` writes it."""
    found = list(Flag.objects.filter(project=project).order_by("pk"))
    if found:
        flag = rng.choice(found)
        reopen = flag.status == "auto_resolved"
        Flag.objects.filter(pk=flag.pk).update(
            status="open" if reopen else "resolved",
            resolved_at=None if reopen else timezone.now(),
            cleared_at=None if reopen else flag.cleared_at,
            updated_at=timezone.now(),
        )


def per_contractor(rng, project) -> None:
    """Every commitment measured from the lines scoped per contractor."""
    for commitment in project.commitments.filter(kind__in=["workforce_share", "wage_floor"]):
        commitment.params = {
            **commitment.params,
            "scope": rng.choice(["contractor", "contractor_craft"]),
        }
        commitment.save(update_fields=["params"])


@pytest.mark.parametrize("seed", SEEDS)
def test_a_reevaluation_stores_what_measuring_everything_stores(seed, project, crafts, area, orgs):
    rng = random.Random(seed)
    as_of_dates = build(rng, project, crafts, area, orgs)
    if seed % 2:
        per_contractor(rng, project)
    as_of = rng.choice(as_of_dates[:4])
    evaluate_project(project, as_of)
    for _ in range(8):
        what = change(rng, project, area, crafts, as_of)
        evaluate_project(project, as_of)
        reused = stored(project), flags(project)
        evaluate_project(project, as_of, reuse=False)
        assert (stored(project), flags(project)) == reused, what


def test_after_one_new_report_only_its_contractors_lines_are_read(project, crafts, area, orgs):
    rng = random.Random(7)
    build(rng, project, crafts, area, orgs)
    per_contractor(rng, project)
    assert project.assignments.count() > 1
    as_of = datetime.date(2024, 12, 31)
    evaluate_project(project, as_of)
    report = Report.objects.filter(assignment__project=project, is_current=True).latest("pk")
    before = {
        (e.commitment_key, e.group_key): e.pk for e in Evaluation.objects.filter(project=project)
    }

    new_version(rng, report)
    with CaptureQueriesContext(connection) as queries:
        evaluations = evaluate_project(project, as_of)

    lines = PayrollLine._meta.db_table
    read = [q["sql"] for q in queries.captured_queries if f'FROM "{lines}"' in q["sql"]]
    assert read and all(f'"assignment_id" IN ({report.assignment_id})' in sql for sql in read)
    after = {
        (e.commitment_key, e.group_key): e.pk for e in Evaluation.objects.filter(project=project)
    }
    others = [k for k, pk in before.items() if not k[1].startswith(f"a{report.assignment_id}")]
    assert others and all(after[k] == before[k] for k in others if k in after)
    # It returns what it measured: that contractor's results.
    assert {e.assignment_id for e in evaluations} == {report.assignment_id}


def test_a_contractors_first_lines_are_measured_after_the_missing_report_check(
    project, crafts, area, orgs
):
    """A contractor with no line yet has no result of a commitment scoped per contractor and
    craft; the hourly missing-report check as of the same day rewrites its reporting result
    before the re-evaluation after its first lines."""
    make_commitment(
        project,
        "wage",
        "wage_floor",
        scope="contractor_craft",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    walsh, pulice = (
        Assignment.objects.create(
            project=project, contractor=orgs[slug], start_date=project.start_date
        )
        for slug in ("walsh", "pulice")
    )
    as_of = datetime.date(2024, 6, 30)

    def underpaid(assignment, period: datetime.date, worker: str) -> None:
        """A month of 40 hours at $30.00, stored as the intake stores it."""
        week = period + datetime.timedelta(days=19)
        carpenter = crafts["Carpenter"]
        lines = [line(worker, week, carpenter, 40, hourly_rate=Decimal("30.00"))]
        keep_report_aggregates(make_report(assignment, period, lines))

    underpaid(walsh, datetime.date(2024, 1, 1), "w1")
    evaluate_project(project, as_of)
    underpaid(pulice, datetime.date(2024, 2, 1), "p1")
    evaluate_reporting(project, as_of)

    evaluate_project(project, as_of)

    result = Evaluation.objects.get(project=project, commitment_key="wage", assignment=pulice)
    assert (result.status, result.shortfall) == ("shortfall", Decimal("320.00"))
    assert Flag.objects.filter(project=project, group_key=result.group_key, status="open").exists()


def test_results_stored_by_another_engine_are_measured_again(
    project, crafts, area, orgs, monkeypatch
):
    """The engine's own code is among the inputs: after a deployment that changes it, the
    same day's re-evaluation measures every result, though no report changed."""
    build(random.Random(4), project, crafts, area, orgs)
    as_of = datetime.date(2024, 12, 31)
    monkeypatch.setattr(inputs, "ENGINE", "the engine before the deployment")
    evaluate_project(project, as_of)
    assert evaluate_project(project, as_of) == []  # nothing changed: every result kept
    monkeypatch.undo()

    measured = evaluate_project(project, as_of)

    assert {(e.commitment_key, e.group_key) for e in measured} == set(stored(project))


def test_the_engine_is_its_source(tmp_path):
    assert inputs.ENGINE == inputs.engine_version()
    sources = {
        path.name
        for pattern in inputs.ENGINE_SOURCES
        for path in Path(inputs.__file__).resolve().parents[2].glob(pattern)
    }
    assert {"measure.py", "workforce_share.py", "wage_floor.py", "raising.py"} <= sources

    # A copy of the engine: a change to any of its sources changes the version, a change
    # elsewhere (a view, a template) does not.
    for pattern in inputs.ENGINE_SOURCES:
        for path in inputs.COMPLIANCE.glob(pattern):
            copy = tmp_path / path.relative_to(inputs.COMPLIANCE)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
    before = inputs.engine_version(tmp_path)
    assert before == inputs.ENGINE
    (tmp_path / "evaluation" / "views.py").write_text("# a page changed\n")
    assert inputs.engine_version(tmp_path) == before
    rule = tmp_path / "evaluation" / "kinds" / "wage_floor.py"
    premium = 'OVERTIME_PREMIUM = Decimal("1.5")'
    assert premium in rule.read_text()
    rule.write_text(rule.read_text().replace(premium, 'OVERTIME_PREMIUM = Decimal("2")'))
    assert inputs.engine_version(tmp_path) != before
