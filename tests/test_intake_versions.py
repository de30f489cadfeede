"""Versions and amendments: new versions, history kept, identical re-uploads, lateness,
audit, the report_submitted signal, concurrent submissions, and submissions during an
evaluation."""

import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from compliance.models import AuditEvent, Evaluation, PayrollLine, Report
from compliance.pipeline import evaluate_project
from compliance.reporting.intake.store import report_submit
from compliance.reporting.intake.upload import report_upload
from compliance.signals import report_submitted
from tests.intake_support import AFTER_DUE, BEFORE_DUE, OCTOBER, line, lines, workbook


def submit(assignment, rows, user=None, **extra):
    return report_submit(
        assignment=assignment, period=OCTOBER, rows=rows, source="api", user=user, **extra
    )


@time_machine.travel(BEFORE_DUE, tick=False)
def test_an_amendment_becomes_version_2_and_version_1_stays_readable(walsh, contractor):
    first = submit(walsh, lines(5), user=contractor)
    second = submit(walsh, lines(7), user=contractor)
    first.report.refresh_from_db()
    assert (second.report.version, second.report.is_current) == (2, True)
    assert (first.report.version, first.report.is_current) == (1, False)
    assert first.report.lines.count() == 5 and second.report.lines.count() == 7
    assert PayrollLine.objects.filter(is_current=True).count() == 7
    assert not first.report.lines.filter(is_current=True).exists()
    assert (second.line_delta, second.hours_delta) == (2, Decimal("80.00"))
    assert "Against version 1: +2 lines, +80.00 hours" in second.summary()


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_same_file_again_changes_nothing_and_says_so(walsh, contractor):
    content = workbook(lines(4))
    first = report_upload(assignment=walsh, period=OCTOBER, content=content, user=contractor)
    again = report_upload(assignment=walsh, period=OCTOBER, content=content, user=contractor)
    assert again.unchanged and again.report == first.report
    assert "Nothing changed" in again.summary()
    assert Report.objects.count() == 1 and PayrollLine.objects.count() == 4
    assert AuditEvent.objects.filter(verb__startswith="report.").count() == 1


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_same_json_lines_again_change_nothing(walsh):
    submit(walsh, lines(3))
    assert submit(walsh, lines(3)).unchanged
    assert Report.objects.count() == 1


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_file_identical_to_an_older_version_is_a_new_version(walsh):
    content = workbook(lines(2))
    report_upload(assignment=walsh, period=OCTOBER, content=content)
    report_upload(assignment=walsh, period=OCTOBER, content=workbook(lines(3)))
    back = report_upload(assignment=walsh, period=OCTOBER, content=content)
    assert (back.unchanged, back.report.version, back.report.line_count) == (False, 3, 2)


@time_machine.travel(BEFORE_DUE, tick=False)
def test_no_work_this_month_is_a_report_and_can_be_amended(walsh, contractor):
    result = report_submit(
        assignment=walsh, period=OCTOBER, no_work=True, source="no_work", user=contractor
    )
    assert result.report.no_work and result.report.line_count == 0
    assert report_submit(assignment=walsh, period=OCTOBER, no_work=True, source="no_work").unchanged
    amended = submit(walsh, lines(2))
    assert amended.report.version == 2 and not amended.report.no_work


def test_a_report_after_the_due_date_is_late_and_amendments_keep_the_months_standing(walsh):
    with time_machine.travel(BEFORE_DUE, tick=False):
        on_time = submit(walsh, lines(2))
    with time_machine.travel(AFTER_DUE, tick=False):
        amended = submit(walsh, lines(3))
        late = report_submit(
            assignment=walsh,
            period=OCTOBER.replace(month=9),
            rows=[line(week_ending="2026-09-26")],
            source="api",
        )
    assert not on_time.report.is_late and not amended.report.is_late
    assert late.report.is_late
    assert "late" in late.summary()


@time_machine.travel(BEFORE_DUE, tick=False)
def test_each_submission_is_audited(walsh, contractor):
    submit(walsh, lines(2), user=contractor)
    submit(walsh, lines(3), user=contractor)
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.verb for e in events] == ["report.submitted", "report.amended"]
    assert events[1].actor == contractor and events[1].project == walsh.project
    assert events[1].data["version"] == 2 and events[1].data["lines"] == 3


@pytest.mark.django_db(transaction=True)
def test_the_report_submitted_signal_is_sent_after_commit(walsh, contractor):
    received = []

    def receiver(sender, report, user, **kwargs):
        received.append((report.pk, user, Report.objects.filter(pk=report.pk).exists()))

    report_submitted.connect(receiver)
    try:
        with time_machine.travel(BEFORE_DUE, tick=False):
            result = submit(walsh, lines(2), user=contractor)
            submit(walsh, lines(2), user=contractor)  # unchanged: no signal
    finally:
        report_submitted.disconnect(receiver)
    assert received == [(result.report.pk, contractor, True)]


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_failed_submission_leaves_the_current_version_alone(walsh):
    from cba.errors import InvalidInput

    first = submit(walsh, lines(2))
    with pytest.raises(InvalidInput):
        submit(walsh, [line(craft="Plumber")])
    assert Report.objects.get().pk == first.report.pk
    assert PayrollLine.objects.filter(is_current=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_become_consecutive_versions(walsh):
    if connection.vendor == "sqlite":
        pytest.skip("The in-memory SQLite test database cannot be shared by two threads.")
    barrier = threading.Barrier(2)
    results, failures = [], []

    def worker(count):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            with time_machine.travel(BEFORE_DUE, tick=False):
                results.append(submit(walsh, lines(count)))
        except Exception as exc:
            failures.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (300, 301)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    versions = sorted(r.report.version for r in results)
    assert versions == [1, 2]
    current = Report.objects.get(is_current=True)
    assert current.version == 2
    assert PayrollLine.objects.filter(is_current=True).count() == current.line_count
    assert PayrollLine.objects.count() == 601


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_craft_in_use_cannot_be_deleted(walsh, crafts):
    from django.db.models import ProtectedError

    submit(walsh, lines(1))
    with pytest.raises(ProtectedError):
        crafts["Carpenter"].delete()


def _line_values(line: PayrollLine) -> dict:
    """A stored line's columns, to write a copy of it."""
    return {f.attname: getattr(line, f.attname) for f in PayrollLine._meta.concrete_fields[1:]}


POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite keeps the foreign keys themselves, checked as its transaction commits",
)


@POSTGRESQL_ONLY
@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_line_must_refer_to_a_stored_report_and_worker(walsh):
    """PostgreSQL checks both references per statement (migration 0027's triggers, in place
    of foreign keys), whichever way lines are written: COPY as the intake writes them, the
    copy of a version's lines a restore makes, an INSERT, and an update of a line."""
    from django.db import IntegrityError, transaction

    from compliance.bulk import insert_rows
    from compliance.reporting.intake.store import copy_lines

    report = submit(walsh, lines(2)).report
    stored = PayrollLine.objects.first()
    missing = {"report_id": stored.report_id + 1000}, {"worker_id": stored.worker_id + 1000}
    for wrong in missing:
        good, bad = _line_values(stored), _line_values(stored) | wrong
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_rows(PayrollLine, list(good), [tuple(good.values()), tuple(bad.values())])
        with pytest.raises(IntegrityError), transaction.atomic():
            PayrollLine.objects.bulk_create([PayrollLine(**good), PayrollLine(**bad)])
        with pytest.raises(IntegrityError), transaction.atomic():
            PayrollLine.objects.filter(pk=stored.pk).update(**wrong)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_lines(source=report, target=Report(pk=report.pk + 1000))
    assert PayrollLine.objects.count() == 2
    PayrollLine.objects.bulk_create([PayrollLine(**_line_values(stored) | {"worker_id": None})])
    assert PayrollLine.objects.count() == 3  # a line without a worker (open data) is fine


@POSTGRESQL_ONLY
@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_report_or_worker_lines_refer_to_cannot_be_deleted_underneath_them(walsh):
    """Django deletes a report's lines with it and refuses to delete a worker with lines;
    the database refuses a delete, or a truncation, that would leave lines behind all the
    same."""
    from django.db import IntegrityError, transaction

    report = submit(walsh, lines(2)).report
    worker_id = report.lines.first().worker_id
    with connection.cursor() as cursor:
        # The test's transaction holds checks of its inserts still due; TRUNCATE wants none.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, pk in (("compliance_report", report.pk), ("compliance_worker", worker_id)):
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert PayrollLine.objects.filter(report=report).count() == 2
    Report.objects.filter(pk=report.pk).delete()
    assert not PayrollLine.objects.exists()


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_worker_being_deleted_cannot_gain_lines_meanwhile(walsh):
    """The check locks the workers the lines name, as a foreign key would: a line for a
    worker another transaction is deleting waits for that transaction (here it gives up
    after its lock timeout) instead of slipping in and being left without its worker."""
    import psycopg
    from django.db import IntegrityError, OperationalError, transaction

    from compliance.models import Worker

    with time_machine.travel(BEFORE_DUE, tick=False):
        submit(walsh, lines(1))
    stored = PayrollLine.objects.get()
    unused = Worker.objects.create(contractor_id=walsh.contractor_id, worker_key="W-GONE")
    line = PayrollLine(**_line_values(stored) | {"worker_id": unused.pk})
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        other.execute("DELETE FROM compliance_worker WHERE id = %s", [unused.pk])
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            PayrollLine.objects.bulk_create([line])
        other.commit()
    finally:
        other.close()
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.bulk_create([line])
    assert list(PayrollLine.objects.values_list("pk", flat=True)) == [stored.pk]


class Paused:
    """Runs `action` in a thread of its own, paused inside its transaction at `where` (a
    function it calls, replaced to wait there) until the `with` block ends."""

    def __init__(self, monkeypatch, where: str, action):
        self.reached, self.release, self.failures = threading.Event(), threading.Event(), []
        module, name = where.rsplit(".", 1)
        original = getattr(__import__(module, fromlist=[name]), name)

        def pause(*args, **kwargs):
            self.reached.set()
            self.release.wait(timeout=30)
            return original(*args, **kwargs)

        monkeypatch.setattr(where, pause)

        def run():
            from django.db import connection as thread_connection

            try:
                with time_machine.travel(BEFORE_DUE, tick=False):
                    action()
            except Exception as exc:
                self.failures.append(exc)
            finally:
                self.reached.set()
                thread_connection.close()

        self.thread = threading.Thread(target=run)

    def __enter__(self):
        self.thread.start()
        assert self.reached.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # waiting would fail, not hang
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        self.release.set()
        self.thread.join(timeout=30)
        assert self.failures == []


@pytest.mark.django_db(transaction=True)
def test_a_report_is_stored_while_its_project_is_being_evaluated(walsh, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writers take turns on one lock; PostgreSQL's row locks are the case.")
    evaluating = Paused(
        monkeypatch,
        "compliance.evaluation.engine.measure._tune",
        lambda: evaluate_project(walsh.project),
    )
    with evaluating, time_machine.travel(BEFORE_DUE, tick=False):
        result = submit(walsh, lines(3))
    assert result.report.version == 1
    assert Evaluation.objects.filter(project=walsh.project, assignment=walsh).exists()


@pytest.mark.django_db(transaction=True)
def test_a_project_is_evaluated_while_a_report_of_it_is_being_stored(walsh, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writers take turns on one lock; PostgreSQL's row locks are the case.")
    storing = Paused(
        monkeypatch,
        "compliance.reporting.intake.store.insert_lines",
        lambda: submit(walsh, lines(3)),
    )
    with storing, time_machine.travel(BEFORE_DUE, tick=False):
        evaluations = evaluate_project(walsh.project)
    assert [e.assignment_id for e in evaluations if e.kind == "reporting"] == [walsh.pk]
    assert Report.objects.get(assignment=walsh).version == 1
