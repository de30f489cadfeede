"""Stores one report version and its lines, all or nothing (SPEC §5, §8).

A valid submission for a month becomes its next version and the current one; the previous
version and its lines stay, no longer current. A submission whose SHA-256 equals the current
version's changes nothing. Concurrent submissions for one assignment wait for each other on
a lock of the assignment's row (`compliance.locks.lock_rows`, which says in what order locks
are taken), so they become consecutive versions and none is lost; a transaction the database
gives up to break a deadlock is tried again.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from cba.errors import InvalidInput
from compliance.audit import audit_record
from compliance.locks import lock_rows, with_retry
from compliance.models import PayrollLine, Report, Worker
from compliance.months import month_start
from compliance.numbers import round2
from compliance.reporting.intake.jsonlines import read_lines
from compliance.reporting.intake.table import Table
from compliance.reporting.intake.validate import LINE_COLUMNS, validate_table
from compliance.signals import report_submitted
from projects.models import Agreement, Assignment

INSERT_BATCH = 20_000
WORKER_BATCH = 2_000
HOURS = LINE_COLUMNS.index("hours")
NO_WORK_SHA256 = hashlib.sha256(b"no work this month").hexdigest()

# The columns written for each line: the report's own, then a validated line's.
STORED_COLUMNS = (
    "report_id",
    "project_id",
    "assignment_id",
    "is_current",
    *("worker_id" if name == "worker_key" else name for name in LINE_COLUMNS),
)


@dataclass(frozen=True)
class SubmitResult:
    """What a submission did: the version stored (or the current one, when nothing changed)."""

    report: Report
    previous: Report | None
    unchanged: bool = False
    warnings: list[dict] = field(default_factory=list)

    @property
    def line_delta(self) -> int | None:
        return None if self.previous is None else self.report.line_count - self.previous.line_count

    @property
    def hours_delta(self) -> Decimal | None:
        if self.previous is None:
            return None
        return self.report.total_hours - self.previous.total_hours

    def summary(self) -> str:
        report = self.report
        what = (
            f"{possessive(report.assignment.contractor.name)} {report.period:%B %Y} report for "
            f"{report.assignment.project.name}"
        )
        if self.unchanged:
            return (
                f"Nothing changed: this is the same file as version {report.version} of {what}, "
                "which stays current."
            )
        if report.no_work and not report.line_count:
            text = f"Stored version {report.version} of {what}: no work this month."
        else:
            text = (
                f"Stored version {report.version} of {what}: "
                f"{count(report.line_count, 'line')}, {report.total_hours:,} hours, "
                f"{count(report.worker_count, 'worker')}."
            )
        if self.previous is not None:
            lines = f"{self.line_delta:+,} line{'' if abs(self.line_delta) == 1 else 's'}"
            text += (
                f" Against version {self.previous.version}: {lines}, {self.hours_delta:+,} hours."
            )
        if report.is_late:
            text += " The report was late."
        return text


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def check_period(assignment: Assignment, period: datetime.date) -> None:
    """A report is for a month of the assignment's obligation that has begun."""
    start = month_start(assignment.start_date)
    end = month_start(assignment.obligation_end)
    today = timezone.localdate()
    name = assignment.contractor.name
    if period < start or period > end:
        raise InvalidInput(
            f"{name} reports on this project from {start:%B %Y} to {end:%B %Y}; "
            f"{period:%B %Y} is outside that. Choose a month in that range.",
            errors=[],
        )
    if period > month_start(today):
        raise InvalidInput(
            f"{period:%B %Y} has not started yet. Report a month once it has begun.", errors=[]
        )


def due_date(assignment: Assignment, period: datetime.date) -> datetime.date:
    agreement = getattr(assignment.project, "agreement", None) or Agreement()
    return agreement.report_due_date(period)


def lines_sha256(lines: list) -> str:
    canonical = json.dumps(lines, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def report_submit(
    *,
    assignment: Assignment,
    period: datetime.date,
    rows: Table | list | None = None,
    no_work: bool = False,
    source: str,
    user=None,
    file: bytes | None = None,
    filename: str = "",
    keep: bytes | None = None,
    replace_week: datetime.date | None = None,
) -> SubmitResult:
    """Validate rows (a reader's Table, or JSON lines) and store them as the month's next version.

    `no_work` stores a "no work this month" report. `file` is the uploaded file: its SHA-256
    decides "nothing changed", and `keep` (default: the file) is the copy kept for download.
    `replace_week` (eCPR) keeps the current version's lines of every other week.
    Raises InvalidInput with every error found; nothing is stored then.
    """
    period = month_start(period)
    check_period(assignment, period)
    if file is not None:
        sha256 = hashlib.sha256(file).hexdigest()
    elif no_work:
        sha256 = NO_WORK_SHA256
    else:
        sha256 = lines_sha256(rows if isinstance(rows, list) else rows.rows)
    current = current_report(assignment, period)
    if current is not None and current.sha256 == sha256:
        return SubmitResult(report=current, previous=None, unchanged=True)
    lines: list[tuple] = []
    names: dict[str, str] = {}
    warnings: list[dict] = []
    if rows is not None and not (no_work and replace_week):
        table = rows if isinstance(rows, Table) else read_lines(rows)
        validated = validate_table(table, crafts=assignment.project.crafts.all(), period=period)
        if not validated.ok:
            count = validated.error_count
            listed = len(validated.errors)
            more = f" The first {listed:,} are listed." if listed < count else ""
            raise InvalidInput(
                f"{count:,} problem{'s' if count != 1 else ''} found; nothing was stored. "
                f"Fix {'them' if count != 1 else 'it'} and submit again.{more}",
                errors=validated.errors,
            )
        lines, names, warnings = validated.lines, validated.worker_names, validated.warnings
    elif rows is None and not no_work:
        raise InvalidInput("Send payroll lines, or report no work this month.", errors=[])
    return store_version(
        assignment=assignment,
        period=period,
        lines=lines,
        worker_names=names,
        no_work=no_work,
        source=source,
        user=user,
        sha256=sha256,
        keep=keep if keep is not None else file,
        filename=filename,
        replace_week=replace_week,
        warnings=warnings,
    )


def current_report(assignment: Assignment, period: datetime.date) -> Report | None:
    return Report.objects.filter(assignment=assignment, period=period, is_current=True).first()


@with_retry
@transaction.atomic
def store_version(
    *,
    assignment: Assignment,
    period: datetime.date,
    lines: list[tuple],
    worker_names: dict[str, str],
    no_work: bool,
    source: str,
    user,
    sha256: str,
    keep: bytes | None,
    filename: str,
    replace_week: datetime.date | None,
    warnings: list[dict],
) -> SubmitResult:
    lock_rows(assignment_id=assignment.pk)
    current = current_report(assignment, period)
    if current is not None and current.sha256 == sha256:
        return SubmitResult(report=current, previous=None, unchanged=True)
    versions = Report.objects.filter(assignment=assignment, period=period)
    last = versions.aggregate(last=Max("version"))["last"] or 0
    first = versions.filter(version=1).only("is_late").first()
    # A month is late when its first report came after the due date; amendments, which
    # correct a report already received, do not change that.
    is_late = first.is_late if first else timezone.localdate() > due_date(assignment, period)
    if current is not None:
        Report.objects.filter(pk=current.pk).update(is_current=False)
        PayrollLine.objects.filter(report=current).update(is_current=False)
    report = Report(
        assignment=assignment,
        period=period,
        version=last + 1,
        is_current=True,
        source=source,
        no_work=no_work and not lines,
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
        submitted_at=timezone.now(),
        is_late=is_late,
        original_filename=filename[-255:],
        sha256=sha256,
        warnings=warnings[:200],
    )
    report.save()
    # Workers are created in the order they first appear, so line inserts append to the
    # worker indexes instead of scattering across them.
    worker_ids = upsert_workers(assignment, dict.fromkeys(line[1] for line in lines), worker_names)
    if replace_week is not None and current is not None:
        copy_lines(source=current, target=report, except_week=replace_week)
    insert_lines(report, lines, worker_ids)
    if replace_week is not None:
        totals = PayrollLine.objects.filter(report=report).aggregate(
            count=Count("id"), hours=Sum("hours"), workers=Count("worker", distinct=True)
        )
        report.line_count = totals["count"]
        report.total_hours = round2(totals["hours"] or 0)
        report.worker_count = totals["workers"]
        report.no_work = report.line_count == 0
    else:
        report.line_count = len(lines)
        report.total_hours = sum((line[HOURS] for line in lines), Decimal(0))
        report.worker_count = len(worker_ids)
    if keep is not None:
        # Last, so that a failure before it leaves no orphan file behind.
        suffix = ".xml" if keep.lstrip()[:1] == b"<" else ".xlsx"
        name = (
            f"{assignment.project.slug}-{assignment.contractor.slug}-{period:%Y-%m}"
            f"-v{report.version}{suffix}"
        )
        report.source_file.save(name, ContentFile(keep), save=False)
    report.save(
        update_fields=["line_count", "total_hours", "worker_count", "no_work", "source_file"]
    )
    audit_record(
        verb="report.amended" if current is not None else "report.submitted",
        actor=user,
        obj=report,
        project=assignment.project,
        data={
            "contractor": assignment.contractor.slug,
            "period": f"{period:%Y-%m}",
            "version": report.version,
            "source": source,
            "lines": report.line_count,
            "hours": str(report.total_hours),
            "sha256": sha256,
            "late": report.is_late,
        },
    )
    transaction.on_commit(lambda: report_submitted.send(sender=Report, report=report, user=user))
    return SubmitResult(report=report, previous=current, warnings=warnings)


def upsert_workers(assignment: Assignment, keys: dict[str, None], names: dict[str, str]) -> dict:
    """The contractor's Worker id for each key: missing workers created, new names saved.

    A few queries whatever the number of lines: the contractor's workers are read at once,
    the missing ones inserted in one statement per batch.
    """
    if not keys:
        return {}
    contractor_id = assignment.contractor_id
    known = contractor_workers(contractor_id)
    missing = [(contractor_id, key, names.get(key, "")) for key in keys if key not in known]
    if missing:
        insert_workers(missing)
        known = contractor_workers(contractor_id)
    renamed = [
        Worker(pk=known[key][0], name=name)
        for key, name in names.items()
        if key in known and known[key][1] != name
    ]
    if renamed:
        Worker.objects.bulk_update(renamed, ["name"], batch_size=2000)
    return {key: known[key][0] for key in keys}


def insert_workers(missing: list[tuple[int, str, str]]) -> None:
    """New workers in one go; one created meanwhile by another upload is left as it is."""
    table = connection.ops.quote_name(Worker._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE intake_worker (contractor_id bigint, worker_key text, "
                "name text)"
            )
            texts = Texts()
            with cursor.copy("COPY intake_worker FROM STDIN") as copy:
                copy.write("".join(f"{c}\t{texts[k]}\t{texts[n]}\n" for c, k, n in missing))
            cursor.execute(
                f"INSERT INTO {table} (contractor_id, worker_key, name) "  # noqa: S608
                "SELECT contractor_id, worker_key, name FROM intake_worker ON CONFLICT DO NOTHING"
            )
            cursor.execute("DROP TABLE intake_worker")
            return
        for start in range(0, len(missing), WORKER_BATCH):
            batch = missing[start : start + WORKER_BATCH]
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (contractor_id, worker_key, name) "  # noqa: S608
                f"VALUES {values} ON CONFLICT DO NOTHING",
                [value for row in batch for value in row],
            )


def contractor_workers(contractor_id: int) -> dict[str, tuple[int, str]]:
    return {
        key: (pk, name)
        for key, pk, name in Worker.objects.filter(contractor_id=contractor_id).values_list(
            "worker_key", "pk", "name"
        )
    }


def copy_lines(*, source: Report, target: Report, except_week: datetime.date) -> None:
    """eCPR: the new version keeps the previous version's lines of every other week."""
    PayrollLine.objects.bulk_create(
        [
            PayrollLine(
                **{
                    f.attname: getattr(line, f.attname)
                    for f in PayrollLine._meta.concrete_fields
                    if f.attname not in {"id", "report_id", "is_current"}
                },
                report_id=target.pk,
                is_current=True,
            )
            for line in PayrollLine.objects.filter(report=source).exclude(week_ending=except_week)
        ],
        batch_size=2000,
    )


def insert_lines(report: Report, lines: list[tuple], worker_ids: dict[str, int]) -> None:
    """Write the lines in large batches: COPY on PostgreSQL, one executemany on SQLite.

    The ORM's bulk_create builds a model object per line; at 100,000 lines that alone costs
    more than reading the workbook, so the rows go to the database as plain tuples.
    """
    if not lines:
        return
    head = (report.pk, report.assignment.project_id, report.assignment_id, True)
    table = connection.ops.quote_name(PayrollLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in STORED_COLUMNS)
    ids = worker_ids
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                worker_texts = {key: str(pk) for key, pk in ids.items()}
                for start in range(0, len(lines), INSERT_BATCH):
                    copy.write(copy_text(head, lines[start : start + INSERT_BATCH], worker_texts))
            return
        placeholders = ", ".join(["%s"] * len(STORED_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        number, day = SqliteNumbers(), SqliteDates()
        for start in range(0, len(lines), INSERT_BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        *head,
                        line[0],
                        ids[line[1]],
                        day[line[2]],
                        *line[3:7],
                        *map(number.__getitem__, line[7:14]),
                        *line[14:],
                    )
                    for line in lines[start : start + INSERT_BATCH]
                ],
            )


class SqliteNumbers(dict):
    """Decimals as SQLite stores them, each distinct value converted once.

    A decimal column has NUMERIC affinity there: Django's text "45.50" and the float 45.5
    are stored as the same number, and a float spares SQLite parsing text and Python an
    adapter call per value.
    """

    def __missing__(self, value):
        self[value] = plain = None if value is None else float(value)
        return plain


class SqliteDates(dict):
    """Dates as ISO text, as Django writes them to SQLite."""

    def __missing__(self, value):
        self[value] = text = value.isoformat()
        return text


class Texts(dict):
    """Values as COPY's text format writes them, each distinct value converted once."""

    def __missing__(self, value):
        if value is None:
            text = "\\N"
        elif value is True or value is False:
            text = "t" if value else "f"
        elif isinstance(value, str):
            text = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        elif isinstance(value, datetime.date):
            text = value.isoformat()
        else:
            text = str(value)
        self[value] = text
        return text


def copy_text(head: tuple, lines: list[tuple], workers: dict[str, str]) -> str:
    """Lines in COPY's text format, built as strings (psycopg's write_row per line costs
    more than the rest of the import). Each kind of column has its own table of texts:
    1, 1.00 and True are equal as dict keys but not as column values."""
    prefix = "\t".join(Texts()[value] for value in head) + "\t"
    days, crafts, levels, numbers, texts, flags = (Texts() for _ in range(6))
    return "".join(
        [
            f"{prefix}{line[0]}\t{workers[line[1]]}\t{days[line[2]]}\t{crafts[line[3]]}\t"
            f"{line[4]}\t{flags[line[5]]}\t{levels[line[6]]}\t{numbers[line[7]]}\t"
            f"{numbers[line[8]]}\t{numbers[line[9]]}\t{numbers[line[10]]}\t"
            f"{numbers[line[11]]}\t{numbers[line[12]]}\t{numbers[line[13]]}\t"
            f"{texts[line[14]]}\t{texts[line[15]]}\t{flags[line[16]]}\t{flags[line[17]]}\t"
            f"{flags[line[18]]}\n"
            for line in lines
        ]
    )
