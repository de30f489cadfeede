"""The comparison across projects, policies and cities (SPEC §7.4; issue 16 item 4).

It reads only what is already published: each compared project's `PublicFigures` (its
figures already suppressed) and the project's own public facts (jurisdiction, sector,
total cost, the policies its agreements adopt). A few queries, whatever the number of
projects.

The rules, for each policy and each jurisdiction and each of the four compared figures
(local or targeted hire, apprentices, women, people of color):
- *projects*: the projects in the group (a project bound by two policies counts under
  each; a project that adopts none is grouped under "no adopted policy");
- *meeting the target*: of the projects whose figure has a target and a verdict, how many
  meet it (a suppressed figure gives no verdict and is left out);
- *hours-weighted achieved*: the qualifying hours of the group's projects over their hours
  (sum of qualifying hours / sum of hours), so a large project weighs as much as its hours.
  Projects whose figure is suppressed are left out of the weighted figure but counted, and
  the page says how many;
- *hours-weighted target*: the hours the targets ask for over the same hours
  (sum of target × hours / sum of hours), what the weighted achieved figure is held to;
- *wages to the target group*: the sum of the published amounts, suppressed ones left out;
- per group too: damages assessed and collected (sums), reports filed on time of reports
  due (sums) and the median of the projects' median reporting lag in days.
Each project is compared against its own target; where a policy made its commitment and
the project's target differs from the one the policy publishes (an adoption's override),
both are shown. A signed-in monitor's private projects are compared too, each marked as
seen by its organization only, and a group that takes one in says how many.
The definitions beside the numbers are said in the visitor's language from the facts the
figures keep (`pages.definition_words`).
All arithmetic in Decimal, rounded by `compliance.numbers`.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compliance.evaluation.public import pages
from compliance.models import PublicFigures
from compliance.numbers import percent, round2
from projects import access
from projects.models import Agreement, Project
from projects.models_policies import Adoption, Policy


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    counts: str


METRICS = (
    Metric(
        "local_hire",
        _("Local or targeted hire"),
        _("hours worked by local or targeted residents, as each policy defines them"),
    ),
    Metric("apprentice", _("Apprentices"), _("hours worked by apprentices")),
    Metric("women", _("Women"), _("hours worked by women")),
    Metric("people_of_color", _("People of color"), _("hours worked by people of color")),
)

# Project size by total cost, in dollars: (label, from, below); an open end is None.
SIZES = {
    "under-10m": (_("Under $10 million"), None, Decimal("10000000")),
    "10m-50m": (_("$10 million to $50 million"), Decimal("10000000"), Decimal("50000000")),
    "50m-250m": (_("$50 million to $250 million"), Decimal("50000000"), Decimal("250000000")),
    "over-250m": (_("$250 million or more"), Decimal("250000000"), None),
}
SECTORS = {
    Project.Sector.TRANSIT: pgettext_lazy("sector", "Transit"),
    Project.Sector.HOUSING: pgettext_lazy("sector", "Housing"),
    Project.Sector.MIXED_USE: pgettext_lazy("sector", "Mixed use"),
    Project.Sector.ARENA: pgettext_lazy("sector", "Arena or stadium"),
    Project.Sector.PUBLIC_WORKS: pgettext_lazy("sector", "Public works"),
}
NO_POLICY = _("No adopted policy (the project's own agreement)")
NO_JURISDICTION = _("Jurisdiction not given")


@dataclass(frozen=True)
class Filters:
    jurisdiction: str = ""
    sector: str = ""
    vintage: int | None = None
    size: str = ""


@dataclass(frozen=True)
class PolicyRef:
    slug: str
    name: str
    jurisdiction: str
    adopted_year: int | None


@dataclass(frozen=True)
class Cell:
    """One project's published figure for one metric (`PublicFigures.figures["headline"]`)."""

    achieved: Decimal | None
    target: Decimal | None
    met: bool | None
    hours: Decimal | None
    qualifying_hours: Decimal | None
    workers: int | None
    suppressed: bool
    definition: str
    commitment: str
    # The target the policy that made the commitment publishes, and that policy's name.
    policy_target: Decimal | None = None
    policy: str = ""

    @property
    def shown(self) -> bool:
        return not self.suppressed and self.achieved is not None

    @property
    def target_differs(self) -> bool:
        """The project's own target is not the one its policy publishes."""
        return (
            self.target is not None
            and self.policy_target is not None
            and self.target != self.policy_target
        )


@dataclass
class ProjectRow:
    slug: str
    name: str
    jurisdiction: str
    sector: str
    total_cost: Decimal | None
    as_of: object
    policies: list[PolicyRef]
    cells: dict[str, Cell]
    wages: dict[str, Decimal | None]
    damages_assessed: Decimal | None
    damages_collected: Decimal | None
    reports_due: int | None
    reports_on_time: int | None
    median_lag_days: Decimal | None
    # Not public: compared only for its monitors (and admins), never anonymously.
    private: bool = False

    @property
    def policy_names(self) -> str:
        return "; ".join(p.name for p in self.policies) or str(NO_POLICY)


@dataclass
class MetricRollup:
    with_verdict: int = 0
    met: int = 0
    suppressed: int = 0
    without_figure: int = 0
    hours: Decimal = Decimal(0)
    qualifying_hours: Decimal = Decimal(0)
    target_hours: Decimal = Decimal(0)
    targeted_hours: Decimal = Decimal(0)
    wages: Decimal | None = None
    wages_suppressed: int = 0
    definitions: list[str] = field(default_factory=list)

    @property
    def share_met(self) -> Decimal | None:
        return percent(Decimal(self.met), Decimal(self.with_verdict))

    @property
    def weighted_achieved(self) -> Decimal | None:
        return percent(self.qualifying_hours, self.hours)

    @property
    def weighted_target(self) -> Decimal | None:
        return percent(self.target_hours, self.targeted_hours)


@dataclass
class Rollup:
    """One policy's or one jurisdiction's projects, summed by the rules of the module."""

    label: str
    projects: int = 0
    private: int = 0
    metrics: dict[str, MetricRollup] = field(default_factory=dict)
    damages_assessed: Decimal = Decimal(0)
    damages_collected: Decimal = Decimal(0)
    reports_due: int = 0
    reports_on_time: int = 0
    lags: list[Decimal] = field(default_factory=list)

    @property
    def collected_percent(self) -> Decimal | None:
        return percent(self.damages_collected, self.damages_assessed)

    @property
    def on_time_percent(self) -> Decimal | None:
        return percent(Decimal(self.reports_on_time), Decimal(self.reports_due))

    @property
    def median_lag_days(self) -> Decimal | None:
        return round2(statistics.median(self.lags)) if self.lags else None


@dataclass
class Comparison:
    rows: list[ProjectRow]
    by_policy: list[Rollup]
    by_jurisdiction: list[Rollup]
    filters: Filters
    private_without_figures: int = 0

    def metric_tables(self) -> list[dict]:
        """Per metric: its rollups by policy and by jurisdiction and the projects' cells, in
        the order the page shows them."""
        return [
            {
                "metric": metric,
                "by_policy": [(r, r.metrics[metric.key]) for r in self.by_policy],
                "by_jurisdiction": [(r, r.metrics[metric.key]) for r in self.by_jurisdiction],
                "projects": [(row, row.cells[metric.key]) for row in self.rows],
            }
            for metric in METRICS
        ]


# -- reading -----------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _count(value) -> int | None:
    number = _decimal(value)
    return None if number is None else int(number)


def cell_from(entry: dict | None, name: str = "") -> Cell:
    """One headline entry of the stored figures, its definition said in the active language."""
    entry = entry or {}
    policy_target = entry.get("policy_target") or {}
    return Cell(
        achieved=_decimal(entry.get("achieved_percent")),
        target=_decimal(entry.get("target_percent")),
        met=entry.get("met"),
        hours=_decimal(entry.get("hours")),
        qualifying_hours=_decimal(entry.get("qualifying_hours")),
        workers=_count(entry.get("workers")),
        suppressed=bool(entry.get("suppressed")),
        definition=pages.definition_words(name, entry) if entry else "",
        commitment=entry.get("commitment") or "",
        policy_target=_decimal(policy_target.get("percent")),
        policy=policy_target.get("policy") or "",
    )


def filtered_projects(projects: QuerySet[Project], filters: Filters, user) -> QuerySet[Project]:
    """The filters, in SQL: jurisdiction, sector, the adoption year of a policy the project
    adopts (of the adoptions named to this person, `named_adoptions`), and the total-cost
    band."""
    if filters.jurisdiction:
        projects = projects.filter(jurisdiction=filters.jurisdiction)
    if filters.sector:
        projects = projects.filter(sector=filters.sector)
    if filters.vintage:
        adopted = named_adoptions(user).filter(policy__adopted__year=filters.vintage)
        projects = projects.filter(pk__in=adopted.values("agreement__project"))
    if filters.size in SIZES:
        _label, low, below = SIZES[filters.size]
        if low is not None:
            projects = projects.filter(total_cost__gte=low)
        if below is not None:
            projects = projects.filter(total_cost__lt=below)
    return projects


def project_rows(
    figures: Iterable[PublicFigures],
    policies: dict[int, list[PolicyRef]],
    private: set[int] = frozenset(),
):
    rows = []
    for published in figures:
        project, data = published.project, published.figures or {}
        headline = data.get("headline") or {}
        damages = data.get("damages") or {}
        reporting = data.get("reporting") or {}
        rows.append(
            ProjectRow(
                slug=project.slug,
                name=project.name,
                jurisdiction=project.jurisdiction or str(NO_JURISDICTION),
                sector=str(SECTORS.get(project.sector, "")),
                total_cost=project.total_cost,
                as_of=published.as_of,
                policies=policies.get(project.pk, []),
                cells={m.key: cell_from(headline.get(m.key), m.key) for m in METRICS},
                wages={
                    key: _decimal(value)
                    for key, value in (data.get("wages_to_target_groups") or {}).items()
                },
                damages_assessed=_decimal(damages.get("assessed")),
                damages_collected=_decimal(damages.get("collected")),
                reports_due=_count(reporting.get("reports_due")),
                reports_on_time=_count(reporting.get("reports_on_time")),
                median_lag_days=_decimal(reporting.get("median_lag_days")),
                private=project.pk in private,
            )
        )
    return rows


def add_to(rollup: Rollup, row: ProjectRow) -> None:
    rollup.projects += 1
    rollup.private += row.private
    rollup.damages_assessed += row.damages_assessed or 0
    rollup.damages_collected += row.damages_collected or 0
    rollup.reports_due += row.reports_due or 0
    rollup.reports_on_time += row.reports_on_time or 0
    if row.median_lag_days is not None:
        rollup.lags.append(row.median_lag_days)
    for metric in METRICS:
        cell = row.cells[metric.key]
        total = rollup.metrics.setdefault(metric.key, MetricRollup())
        if cell.definition and cell.definition not in total.definitions:
            total.definitions.append(cell.definition)
        if cell.suppressed:
            total.suppressed += 1
        elif cell.hours is None or cell.qualifying_hours is None:
            total.without_figure += 1
        else:
            total.hours += cell.hours
            total.qualifying_hours += cell.qualifying_hours
            if cell.target is not None:
                total.targeted_hours += cell.hours
                total.target_hours += cell.target * cell.hours / 100
        if cell.met is not None and cell.target is not None and not cell.suppressed:
            total.with_verdict += 1
            total.met += bool(cell.met)
        wages = row.wages.get(metric.key)
        if wages is not None:
            total.wages = (total.wages or Decimal(0)) + wages
        elif metric.key in row.wages:
            total.wages_suppressed += 1


def rollups(rows: list[ProjectRow], key) -> list[Rollup]:
    """One rollup per label `key(row)` gives (a row may give several), by label."""
    groups: dict[str, Rollup] = {}
    for row in rows:
        for label in key(row):
            add_to(groups.setdefault(label, Rollup(label=label)), row)
    return [groups[label] for label in sorted(groups, key=str.casefold)]


def compared_figures(user, filters: Filters) -> QuerySet[PublicFigures]:
    projects = filtered_projects(access.compared_projects_for(user), filters, user)
    return (
        PublicFigures.objects.filter(project__in=projects.values("pk"))
        .select_related("project")
        .order_by("project__name")
    )


def named_adoptions(user) -> QuerySet[Adoption]:
    """The adoptions the comparison may name to this person: an agreement's whose figures
    are published (marked public, or adopting a public policy, as `figures.public_agreements`
    gathers them), and every adoption of the projects a signed-in monitor or admin may see.
    A public project's private agreement adopting a private policy is not named to others:
    not as its policy, not among the filter's years."""
    published = Agreement.objects.filter(Q(public=True) | Q(adoptions__policy__public=True))
    named = Q(agreement__in=published.values("pk"))
    if getattr(user, "is_authenticated", False) and (
        access.is_monitor(user) or access.role_of(user) == access.ADMIN
    ):
        named |= Q(agreement__project__in=access.projects_for(user).values("pk"))
    return Adoption.objects.filter(named)


def adopted_policies(project_ids: list[int], user) -> dict[int, list[PolicyRef]]:
    found: dict[int, list[PolicyRef]] = {}
    adoptions = (
        named_adoptions(user)
        .filter(agreement__project_id__in=project_ids)
        .values_list(
            "agreement__project_id",
            "policy__slug",
            "policy__name",
            "policy__jurisdiction",
            "policy__adopted",
        )
        .order_by("policy__name")
    )
    for project_id, slug, name, jurisdiction, adopted in adoptions:
        refs = found.setdefault(project_id, [])
        if all(ref.slug != slug for ref in refs):
            refs.append(PolicyRef(slug, name, jurisdiction, adopted.year if adopted else None))
    return found


def comparison(*, user, filters: Filters) -> Comparison:
    """The comparison this person may read (`access.compared_projects_for`), filtered."""
    figures = list(compared_figures(user, filters))
    policies = adopted_policies([f.project_id for f in figures], user)
    private_ids: set[int] = set()
    private = 0
    if access.is_monitor(user) or access.role_of(user) == access.ADMIN:
        ids = [f.project_id for f in figures]
        public_ids = set(access.public_projects().filter(pk__in=ids).values_list("pk", flat=True))
        private_ids = set(ids) - public_ids
        private = (
            filtered_projects(access.compared_projects_for(user), filters, user)
            .exclude(pk__in=access.public_projects().values("pk"))
            .filter(public_figures__isnull=True)
            .count()
        )
    rows = project_rows(figures, policies, private_ids)
    return Comparison(
        rows=rows,
        by_policy=rollups(rows, lambda row: [p.name for p in row.policies] or [str(NO_POLICY)]),
        by_jurisdiction=rollups(rows, lambda row: [row.jurisdiction]),
        filters=filters,
        private_without_figures=private,
    )


@dataclass(frozen=True)
class Options:
    jurisdictions: list[str]
    vintages: list[int]


def compare_options(user) -> Options:
    """What the filters offer: the jurisdictions of the compared projects and the adoption
    years of the policies they adopt."""
    projects = access.compared_projects_for(user)
    jurisdictions = (
        Project.objects.filter(pk__in=projects.values("pk"))
        .exclude(jurisdiction="")
        .values_list("jurisdiction", flat=True)
        .distinct()
        .order_by("jurisdiction")
    )
    named = named_adoptions(user).filter(agreement__project__in=projects.values("pk"))
    years = (
        Policy.objects.filter(adoptions__in=named.values("pk"), adopted__isnull=False)
        .values_list("adopted", flat=True)
        .order_by()
        .distinct()
    )
    return Options(jurisdictions=list(jurisdictions), vintages=sorted({day.year for day in years}))
