"""Reads of flags: the filters the command line, the API and the queue share, the flag queue
and the flag page."""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from compliance.evaluation.charts import ChartData, chart_data
from compliance.evaluation.kinds import KINDS
from compliance.evaluation.selectors.common import attach_worker_names
from compliance.models import Flag
from compliance.status import severity_order
from projects import access
from projects.models import Organization

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


FLAG_SORTS = {
    "severity": _("Most severe first"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "updated": _("Recently updated"),
    "project": _("Project"),
}
AGES = {
    "7": _("Raised in the last 7 days"),
    "30": _("Raised in the last 30 days"),
    "over30": _("Open more than 30 days"),
    "over90": _("Open more than 90 days"),
}
STATUS_FILTERS = {
    "unresolved": _("Unresolved (not yet closed)"),
    **{value: label for value, label in Flag.Status.choices},
    "all": pgettext_lazy("flags", "All"),
}


def flag_queue(
    *,
    user,
    now: datetime.datetime,
    project: str = "",
    kind: str = "",
    severity: str = "",
    status: str = "unresolved",
    contractor: str = "",
    age: str = "",
    sort: str = "severity",
) -> QuerySet[Flag]:
    """The flags a user may see, filtered and sorted for the queue (`flag_queue_page` shows
    one page of them)."""
    flags = filter_flags(
        access.flags_for(user),
        project=project,
        kind=kind,
        severity=severity,
        status=status,
        contractor=contractor,
    )
    if age in {"7", "30"}:
        flags = flags.filter(raised_at__gte=now - datetime.timedelta(days=int(age)))
    elif age in {"over30", "over90"}:
        flags = flags.filter(raised_at__lt=now - datetime.timedelta(days=int(age[4:])))
    order = {
        "newest": ["-raised_at", "-id"],
        "oldest": ["raised_at", "id"],
        "updated": ["-updated_at", "-id"],
        "project": ["project__name", "-raised_at", "-id"],
    }.get(sort)
    if order is None:
        flags = flags.annotate(severity_rank=severity_order())
        order = ["severity_rank", "-raised_at", "-id"]
    return flags.order_by(*order)


# More contractors than this make a list nobody can pick from (a portfolio of 300 projects
# has thousands), and rendering it alone would cost the queue its 300 ms.
CONTRACTOR_CHOICES_MAX = 200


def flag_queue_page(flags: QuerySet[Flag], *, number, per_page: int) -> Page:
    """One page of the queue, its flags with their project, contractor, craft and
    commitment. The sort picks the page's ids first and only those flags are joined to the
    rest: joined before the sort, every matching flag would be (tens of thousands across a
    300-project portfolio). Three queries: the count, the ids, the flags."""
    page = Paginator(flags.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    found = with_names(Flag.objects.filter(pk__in=ids)).select_related("commitment").in_bulk()
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def flag_filter_choices(*, user, project: str = "") -> dict:
    """Projects and contractors the queue's filters offer (two queries). The contractors are
    the chosen project's, or all the user sees while there are at most
    CONTRACTOR_CHOICES_MAX of them; beyond that none are listed until a project is chosen
    (`contractors_need_project`)."""
    projects = list(access.projects_for(user).order_by("name").values_list("slug", "name"))
    assignments = access.assignments_for(user)
    if project:
        assignments = assignments.filter(project__slug=project)
    contractors = list(
        Organization.objects.filter(
            kind=Organization.Kind.CONTRACTOR,
            assignments__in=assignments,
        )
        .distinct()
        .order_by("name")
        .values_list("slug", "name")[: CONTRACTOR_CHOICES_MAX + 1]
    )
    too_many = len(contractors) > CONTRACTOR_CHOICES_MAX
    return {
        "projects": projects,
        "contractors": [] if too_many else contractors,
        "contractors_need_project": too_many,
    }


# ---------------------------------------------------------------- flag page


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def note_readers_text(*, visibility: str, flag: Flag | None = None, writer=None) -> str:
    """Who will read a note of this visibility, in words, for the form that writes it.

    Drawn from `access.NOTE_READERS`: the contractor concerned and the owner are named when
    they read it; the coalition and the law center always do. Without a flag (bulk
    acknowledge) the sentence speaks of each flag's contractor.
    """
    readers = access.NOTE_READERS[visibility]
    writer_org = access.organization_id_of(writer) if writer is not None else None
    outside = []
    if access.CONTRACTOR in readers:
        if flag is None:
            outside.append(gettext("each flag's contractor"))
        elif flag.assignment_id:
            contractor = flag.assignment.contractor
            outside.append(
                gettext("your company") if contractor.pk == writer_org else contractor.name
            )
    if access.OWNER in readers:
        if flag is None:
            outside.append(gettext("the project's owner"))
        elif flag.project.owner_id:
            owner = flag.project.owner
            outside.append(
                gettext("your organization (the owner)")
                if owner.pk == writer_org
                else gettext("{owner} (the owner)").format(owner=owner.name)
            )
    if not outside:
        return gettext("Only the coalition and the law center will read this.")
    sentence = gettext(
        "{readers} will read this, as will the coalition and the law center."
    ).format(readers=_join(outside))
    return sentence[0].upper() + sentence[1:]


@dataclass
class NoteChoice:
    value: str
    label: str
    readers: str


def note_choices(*, user, flag: Flag | None = None) -> list[NoteChoice]:
    """The visibilities this person may give a note, internal (the default) first, each
    saying who will read it; one choice, shared, for a contractor or the owner."""
    values = [access.SHARED]
    if access.can_post_internal(user):
        values = [access.INTERNAL, access.SHARED]
    labels = {access.INTERNAL: gettext("Internal"), access.SHARED: gettext("Shared")}
    return [
        NoteChoice(v, labels[v], note_readers_text(visibility=v, flag=flag, writer=user))
        for v in values
    ]


@dataclass
class FlagPage:
    flag: Flag
    events: list
    evaluation: dict | None
    chart: ChartData | None
    series: list[dict]
    violations: list[dict]
    violation_total: int
    report_months: list[dict]
    show_worker_names: bool
    # The figures behind a commitment's flag, labelled in words by its kind.
    facts: list[tuple[str, str]] = field(default_factory=list)


def fold_updates(events: list) -> list:
    """The timeline as a person reads it: a run of evaluations that only moved the figures
    shows as its latest event, saying how many there were since when, so the notes and
    steps people took stay in view. The events themselves are all kept."""
    shown: list = []
    for event in events:
        last = shown[-1] if shown else None
        if event.kind == "updated" and last is not None and last.kind == "updated":
            event.run_count = getattr(last, "run_count", 1) + 1
            event.run_since = getattr(last, "run_since", last.created_at)
            shown[-1] = event
        else:
            shown.append(event)
    return shown


def flag_page(*, user, flag: Flag) -> FlagPage:
    """A flag with its visible timeline and the evidence behind it."""
    events = fold_updates(access.flag_events_for(user, flag))
    evaluation = None
    if flag.kind != "data_anomaly":
        evaluation = (
            access.evaluations_for(user)
            .filter(project_id=flag.project_id, group_key=flag.group_key)
            .filter(
                commitment_key="reporting"
                if flag.kind in {"missing_report", "late_report"}
                else flag.commitment_key
            )
            .values(
                "kind",
                "numerator",
                "denominator",
                "actual_percent",
                "target_percent",
                "projected_percent",
                "shortfall",
                "status",
                "as_of",
                "series",
                "details",
            )
            .first()
        )
    series = (evaluation or {}).get("series") or []
    details = (evaluation or {}).get("details") or {}
    chart, facts = None, []
    kind = KINDS.get((evaluation or {}).get("kind"))
    if kind is not None:
        facts = kind.flag_facts(SimpleNamespace(**evaluation))
        if kind.charted and series:
            chart = chart_data(series=series, target_percent=evaluation["target_percent"])
    violations = []
    if flag.kind == "wage_violation":
        violations = list(flag.figures.get("violations") or details.get("violations") or [])
        # Only lines the user may see (a contractor sees its own lines only).
        visible = set(
            access.lines_for(user)
            .filter(id__in=[v.get("line_id") for v in violations])
            .values_list("id", flat=True)
        )
        violations = [v for v in violations if v.get("line_id") in visible]
        violations.sort(key=lambda v: (v.get("week_ending") or "", str(v.get("worker"))))
    show_names = access.can_see_worker_names(user, flag.project, flag.assignment)
    total = len(violations)
    violations = violations[:500]
    if show_names:
        attach_worker_names(violations, user=user)
    report_months = []
    if flag.kind in {"missing_report", "late_report"}:
        month = flag.month.strftime("%Y-%m") if flag.month else None
        report_months = [m for m in details.get("months", []) if m.get("month") == month]
    return FlagPage(
        flag=flag,
        events=events,
        evaluation=evaluation,
        chart=chart,
        series=series,
        violations=violations,
        violation_total=total,
        report_months=report_months,
        show_worker_names=show_names,
        facts=facts,
    )
