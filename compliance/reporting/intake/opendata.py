"""The open data door (SPEC §5.4): a city's published worker hours, read into a project.

A city publishes one file for all its covered projects, one row per worker and period.
The rows whose project name is the project's (or the name given as the source name; case
and spaces ignored) become payroll lines: each contractor's rows of one month become that
month's next report version (source `open_data`), through the store every door uses, so
versions, history and "all or nothing" hold as for an upload, and a file imported again
changes nothing. Contractors named in the file become assignments the first time they
appear: the general contractor as prime, the others as its subcontractors.

The lines carry no worker identity, no ZIP and no wage: they count toward hours measures,
residency as the city reports it (the `reported_resident` qualifier), person of color by
the file's own flag (never by its race text) and gender as M/F. Worker counts of a group
with such lines are `no_data` (compliance.evaluation.kinds.workforce_share says why).

Formats: `boston-rjp`, Boston's Residents Jobs Policy data (`opendata_rows.FORMATS`).
The file is read in the parse child with its memory and time limits, like every upload
(SPEC §8); web and API uploads are also held to the upload size limit.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from compliance.audit import audit_record
from compliance.formatting import plural
from compliance.locks import lock_rows
from compliance.models import Report
from compliance.months import month_end, month_start
from compliance.reporting.intake.opendata_file import (
    FORMATS,
    Layout,
    Rows,
    found_rows,
    normalize_name,
)
from compliance.reporting.intake.opendata_rows import Firm, OpenDataLine, convert_rows
from compliance.reporting.intake.sandbox import OPEN_DATA, read_in_child
from compliance.reporting.intake.store import store_version
from compliance.reporting.intake.table import refuse
from compliance.reporting.intake.upload import parse_limits
from projects.models import Assignment, Organization, Project

# -- the import --------------------------------------------------------------------------


@dataclass
class OpenDataResult:
    project: Project
    source_name: str
    rows: int
    hours: Decimal
    stored: list[Report] = field(default_factory=list)
    unchanged: int = 0
    contractors_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.stored)

    def summary(self) -> str:
        what = f"{plural(self.rows, 'row')} for “{self.source_name}”"
        if not self.stored:
            return (
                f"Nothing changed: the file's {what} are already imported "
                f"({plural(self.unchanged, 'report')}, each the current version)."
            )
        text = (
            f"Imported {what} ({self.hours:,} hours) into {self.project.name}: "
            f"{plural(len(self.stored), 'new report version')}"
        )
        if self.unchanged:
            text += f", {self.unchanged} unchanged"
        text += "."
        if self.contractors_added:
            added = ", ".join(self.contractors_added)
            text += f" Contractors added: {added}{'' if added.endswith('.') else '.'}"
        return text


def check_format(name: str) -> Layout:
    layout = FORMATS.get(name)
    if layout is None:
        raise refuse(f"Unknown format “{name}”. Formats: {', '.join(sorted(FORMATS))}.")
    return layout


def import_open_data(
    *,
    project: Project,
    content: bytes,
    format: str,  # noqa: A002 - the option's name on every door
    source_name: str = "",
    filename: str = "",
    user=None,
    max_rows: int = 200_000,
) -> OpenDataResult:
    """Read a city's open data file and store the project's rows as report versions, all
    or nothing; raise InvalidInput with every error found (row, column, value, what to do)."""
    layout = check_format(format)
    name = " ".join((source_name or project.name).split())
    found = read_open_data(content, layout=layout, name=name, max_rows=max_rows)
    if not found.rows:
        seen = sorted(found.names_seen.values(), key=str.casefold)[:12]
        listed = "; ".join(f"“{n}”" for n in seen if n) or "none"
        raise refuse(
            f"No row of this file is for “{name}” (of {plural(found.read, 'row')} read). "
            f"Give the project's name as the file spells it as the source name. Names in "
            f"the file include: {listed}."
        )
    lines, firms = convert_rows(found, project=project)
    groups: dict[tuple[str, datetime.date], list[OpenDataLine]] = {}
    for line, firm in zip(lines, firms, strict=True):
        groups.setdefault((firm.key, month_start(line.week_ending)), []).append(line)
    months: dict[str, list[datetime.date]] = {}
    for key, period in groups:
        months.setdefault(key, []).append(period)
    result = OpenDataResult(
        project=project,
        source_name=name,
        rows=len(lines),
        hours=sum((line.hours for line in lines), Decimal(0)),
    )
    with transaction.atomic():
        # Imports of one project take turns (so a company is never created twice), on the
        # lock an evaluation of it takes.
        lock_rows(project_id=project.pk)
        assignments = contractor_assignments(
            project=project, firms=firms, months=months, result=result, user=user
        )
        for (company, period), group in sorted(groups.items()):
            stored = store_version(
                assignment=assignments[company],
                period=period,
                lines=group,
                worker_names={},
                no_work=False,
                source=Report.Source.OPEN_DATA,
                user=user,
                sha256=group_sha256(group),
                keep=None,
                filename=filename,
                replace_week=None,
                warnings=[],
            )
            if stored.unchanged:
                result.unchanged += 1
            else:
                result.stored.append(stored.report)
    return result


def read_open_data(content: bytes, *, layout: Layout, name: str, max_rows: int) -> Rows:
    """The file's rows for the project named `name`, read in the parse child."""
    limits = replace(parse_limits(), max_rows=max_rows)
    parsed = read_in_child(
        kind=OPEN_DATA,
        content=content,
        limits=limits,
        options={"layout": layout.name, "name": name},
    )
    extra = parsed.extra or {}
    return found_rows(
        parsed.table, names_seen=extra.get("names_seen") or {}, read=int(extra.get("read") or 0)
    )


def group_sha256(lines: list[OpenDataLine]) -> str:
    """One contractor's month as the file gives it: the same rows, in any order and at any
    row numbers, give the same digest."""
    rows = sorted(json.dumps(line[2:], default=str) for line in lines)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def contractor_assignments(
    *, project: Project, firms: list[Firm], months: dict[str, list], result: OpenDataResult, user
) -> dict[str, Assignment]:
    """Each company's assignment on the project, by its name's key: found, or created on
    first sight (a general contractor as prime, a subcontractor under the general contractor
    of its first row), reaching over every month it has rows for.

    A name is matched only to a company already on the project, or to one nobody signs in
    for: the city's rows must never become the filed reports of a company whose people would
    then read the project as theirs (a namesake gets a company of its own)."""
    existing = {
        a.contractor_id: a
        for a in Assignment.objects.filter(project=project).select_related("contractor")
    }
    contractors = {
        normalize_name(org.name): org
        for org in Organization.objects.filter(
            kind=Organization.Kind.CONTRACTOR, memberships__isnull=True
        )
    }
    contractors.update({normalize_name(a.contractor.name): a.contractor for a in existing.values()})
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    for firm in firms:
        names.setdefault(normalize_name(firm.prime), firm.prime)
        if firm.sub:
            names.setdefault(firm.key, firm.sub)
            parents.setdefault(firm.key, normalize_name(firm.prime))
    primes = {normalize_name(firm.prime) for firm in firms}
    found: dict[str, Assignment] = {}
    # Primes first, so that a subcontractor's parent exists when it is created.
    for key in sorted(names, key=lambda k: (k not in primes, k)):
        org = contractors.get(key)
        if org is None:
            org = Organization.objects.create(
                slug=free_slug(names[key]), name=names[key], kind=Organization.Kind.CONTRACTOR
            )
            contractors[key] = org
        periods = months.get(key) or [month_start(project.start_date)]
        first, last = min(periods), month_end(max(periods))
        assignment = existing.get(org.pk)
        if assignment is None:
            prime = key in primes
            assignment = Assignment.objects.create(
                project=project,
                contractor=org,
                tier=Assignment.Tier.PRIME if prime else Assignment.Tier.SUB,
                parent=None if prime else found.get(parents.get(key, "")),
                scope_of_work="From the city's open data.",
                start_date=first,
                end_date=last,
            )
            result.contractors_added.append(org.name)
            audit_record(
                verb="assignment.created",
                actor=user,
                obj=assignment,
                project=project,
                data={"contractor": org.slug, "tier": assignment.tier, "source": "open data"},
            )
        else:
            widen(assignment, first=first, last=last)
        found[key] = assignment
    return found


def widen(assignment: Assignment, *, first: datetime.date, last: datetime.date) -> None:
    """An assignment reaches over every month the city reports hours for."""
    changed = []
    if first < assignment.start_date:
        assignment.start_date = first
        changed.append("start_date")
    if assignment.end_date is not None and last > assignment.end_date:
        assignment.end_date = last
        changed.append("end_date")
    if changed:
        assignment.save(update_fields=changed)


def free_slug(name: str) -> str:
    base = (slugify(name) or "contractor")[:70]
    slug, number = base, 1
    while Organization.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug
