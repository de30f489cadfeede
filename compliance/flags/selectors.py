"""Reads of flags shared by the command line and the API."""

from django.db.models import QuerySet

from compliance.models import Flag

STATUS_CHOICES = [*Flag.Status.values, "unresolved"]


def with_names(flags: QuerySet[Flag]) -> QuerySet[Flag]:
    return flags.select_related("project", "assignment__contractor", "craft")


def filter_flags(
    flags: QuerySet[Flag],
    *,
    project: str | None = None,
    kind: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    contractor: str | None = None,
) -> QuerySet[Flag]:
    """Narrow flags by project slug, kind, severity, status ("unresolved" for any open
    state, "all" for any state) and contractor slug."""
    if project:
        flags = flags.filter(project__slug=project)
    if kind:
        flags = flags.filter(kind=kind)
    if severity:
        flags = flags.filter(severity=severity)
    if status == "unresolved":
        flags = flags.filter(status__in=Flag.UNRESOLVED)
    elif status and status != "all":
        flags = flags.filter(status=status)
    if contractor:
        flags = flags.filter(assignment__contractor__slug=contractor)
    return flags


def flag_summary(flag: Flag) -> dict:
    """One flag of `flags --json`, exactly: the figures are the numbers behind it."""
    return {
        "id": flag.pk,
        "kind": flag.kind,
        "severity": flag.severity,
        "status": flag.status,
        "project": flag.project.slug,
        "commitment": flag.commitment_key,
        "group": {
            "contractor": flag.assignment.contractor.slug if flag.assignment_id else None,
            "craft": flag.craft.name if flag.craft_id else None,
        },
        "month": f"{flag.month:%Y-%m}" if flag.month else None,
        "figures": flag.figures,
    }
