"""What the public pages show, in words: the stored figures turned into table rows, with
"fewer than N workers" where a figure is suppressed (formatting through
`compliance.formatting`, status words through `compliance.status`).

The stored figures keep facts, not sentences (`sections`); the words are made here, in the
language of the request: a commitment's promise from its kind, terms and area
(`describe_terms`), what each target group counts (`definition_words`), the rules
(`rules_words`). Figures gathered before they kept facts still carry English sentences:
they are shown as stored until `manage.py refresh_public_figures` gathers them again."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from compliance import formatting
from compliance.evaluation.kinds import KINDS
from compliance.evaluation.selectors.common import groups_words
from compliance.models import PublicFigures
from compliance.status import Status
from projects import access
from projects.models import Area, Commitment

GROUP_LABELS = {
    "local_hire": _("Local residents"),
    "apprentice": _("Apprentices"),
    "women": _("Women"),
    "people_of_color": _("People of color"),
}


# What a target group counts where no commitment of the agreement says it.
DEFAULT_DEFINITIONS = {
    "local_hire": gettext_noop(
        "Residency as the contractor reports it (no local-hire commitment)."
    ),
    "apprentice": gettext_noop(
        "Hours worked by registered apprentices, out of all hours reported."
    ),
    "women": gettext_noop("Hours worked by women, out of all hours reported."),
    "people_of_color": gettext_noop(
        "Hours worked by people of color (ethnicity reported and not White), out of all hours "
        "reported."
    ),
}
DENOMINATOR = gettext_noop(
    "All hours reported on the project's current payroll reports for weeks ending on or before "
    "the date of the data, unless a commitment names its own population (apprentices or "
    "journeyworkers only) or exempts trades."
)


def describe_terms(facts: dict | None) -> str | None:
    """A commitment's promise in the active language, from the facts the figures keep
    (`sections.terms_facts`); None without facts or when its kind cannot read them."""
    if not facts or facts.get("kind") not in KINDS:
        return None
    area = Area(name=facts["area"]) if facts.get("area") else None
    commitment = Commitment(kind=facts["kind"], params=facts.get("params") or {}, area=area)
    try:
        return KINDS[facts["kind"]].describe(commitment)
    except (ValueError, ValidationError):  # terms its kind no longer reads (pydantic)
        return None


def definition_words(name: str, entry: dict) -> str:
    """What a headline figure counts: its commitment's promise, else the plain rule for the
    group; a sentence stored by an older gathering, as stored."""
    if "terms" not in entry and entry.get("definition"):
        return entry["definition"]
    return describe_terms(entry.get("terms")) or (
        gettext(DEFAULT_DEFINITIONS[name]) if name in DEFAULT_DEFINITIONS else ""
    )


def commitment_words(entry: dict) -> str:
    """A commitment's promise; its title where its terms cannot be read."""
    return describe_terms(entry.get("terms")) or entry.get("description") or entry["title"]


def local_words(rule: dict) -> str:
    """Who counts as local (`sections.rules`: an area's ZIP codes, residency as reported or
    certified, or, without a local-hire commitment, residency as the contractor reports it)."""
    if rule.get("rule") == "area":
        return gettext("A worker whose home ZIP code is in %(area)s: %(zips)s.") % {
            "area": rule["area"],
            "zips": ", ".join(rule.get("zips") or []),
        }
    if rule.get("rule") == "reported":
        return gettext("A worker the contractor reports, or the city certifies, as a resident.")
    return gettext(DEFAULT_DEFINITIONS["local_hire"])


def rules_words(rules: dict) -> dict:
    """The rules in plain words, in the active language."""
    local = local_words(rules["local_rule"]) if "local_rule" in rules else rules.get("local", "")
    return {
        "local": local,
        "denominator": gettext(DENOMINATOR),
        "exempt_trades": rules.get("exempt_trades") or [],
        "agreements": rules.get("agreements") or [],
    }


def fewer_than(figures: dict) -> str:
    return gettext("fewer than %(count)s workers") % {"count": figures["min_workers"]}


def _hours(figure: dict, hidden: str) -> str:
    if figure["suppressed"]:
        return hidden
    return formatting.number(figure["value"])


def _workers(figure: dict, hidden: str) -> str:
    if figure["suppressed"]:
        return hidden
    if figure["workers"] is None:
        return gettext("not reported")
    return formatting.whole_or_two(figure["workers"])


def _percent(value, hidden: str) -> str:
    return hidden if value is None else formatting.percent(value)


def _wages(wages: dict, name: str, hidden: str) -> str:
    """Wages paid to a group; none reported at all (a city's open data carries no pay)
    reads as such, not as $0.00 nor as suppressed."""
    if not wages:
        return gettext("Not reported")
    return hidden if wages.get(name) is None else formatting.money(wages[name])


def _groups(counts: dict) -> str:
    """How a commitment measured per contractor or trade stands across its groups; nothing
    for one measured once, for the whole project."""
    return groups_words(counts) if sum(counts.values()) > 1 else ""


def _met(met) -> str:
    if met is None:
        return gettext("No data")
    return gettext("Met") if met else gettext("Not met")


def _yes(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def index_context() -> dict:
    """The public projects (with the date of their data) and the public policies."""
    projects = list(
        access.public_projects()
        .select_related("public_figures")
        .defer("public_figures__figures")
        .order_by("name")
        .prefetch_related("agreements__adoptions__policy")
    )
    rows = []
    for project in projects:
        figures = getattr(project, "public_figures", None)
        policies = sorted(
            {
                adoption.policy.name
                for agreement in project.agreements.all()
                for adoption in agreement.adoptions.all()
                if adoption.policy.public
            }
        )
        rows.append(
            {
                "project": project,
                "policies": policies,
                "as_of": formatting.long_date(figures.as_of) if figures else "",
            }
        )
    policies = []
    for policy in (
        access.public_policies()
        .prefetch_related("exempt_crafts", "templates__area")
        .order_by("name")
    ):
        terms = []
        for template in sorted(policy.templates.all(), key=lambda t: (t.position, t.pk)):
            commitment = Commitment(
                kind=template.kind, params=template.params, area=template.area, title=template.title
            )
            try:
                words = KINDS[template.kind].describe(commitment)
            except ValueError:  # terms its kind cannot read (pydantic): the title says it
                words = template.title
            terms.append({"clause": template.clause, "title": template.title, "words": words})
        policies.append({"policy": policy, "terms": terms})
    return {"projects": rows, "policies": policies}


def project_context(row: PublicFigures, figures: dict) -> dict:
    """The page's rows from the stored figures (all but the worker-hours table)."""
    hidden = fewer_than(figures)
    headline = []
    for name, entry in figures["headline"].items():
        if entry is None:
            continue
        headline.append(
            {
                "label": GROUP_LABELS[name],
                "achieved": _percent(entry["achieved_percent"], hidden),
                "target": formatting.percent(entry["target_percent"])
                if entry["target_percent"]
                else gettext("No target"),
                "met": (
                    Status.label(entry["status"]) if entry.get("status") else _met(entry["met"])
                )
                if entry["target_percent"]
                else "",
                "hours": formatting.number(entry["hours"]) if entry["hours"] else hidden,
                "qualifying": formatting.number(entry["qualifying_hours"])
                if entry["qualifying_hours"] is not None
                else hidden,
                "wages": _wages(figures["wages_to_target_groups"], name, hidden),
                "definition": definition_words(name, entry),
            }
        )
    trades = []
    for trade in figures["trades"]:
        trades.append(
            {
                "trade": trade["trade"] or gettext("All trades"),
                "total": trade["trade"] is None,
                "hours": _hours(trade["hours"], hidden),
                "workers": _workers(trade["hours"], hidden),
                "groups": [
                    {
                        "hours": _hours(g, hidden),
                        "workers": _workers(g, hidden),
                        "percent": _percent(g["percent"], hidden),
                    }
                    for g in trade["groups"].values()
                ],
            }
        )
    commitments = []
    for commitment in figures["commitments"]:
        commitments.append(
            {
                "title": commitment["title"],
                "clause": commitment["clause"],
                "description": commitment_words(commitment),
                "status": Status.label(commitment["status"]),
                "status_code": commitment["status"] or "",
                "groups": groups_words(commitment.get("group_counts") or {})
                if len(commitment.get("group_counts") or {})
                and sum((commitment.get("group_counts") or {}).values()) > 1
                else "",
                "target": formatting.percent(commitment["target_percent"])
                if commitment["target_percent"]
                else "",
                "trades": [
                    {
                        "trade": t["trade"] or gettext("All trades"),
                        "total": t["trade"] is None,
                        "hours": _hours(t["hours"], hidden),
                        "qualifying": _hours(t["qualifying_hours"], hidden),
                        "workers": _workers(t["qualifying_hours"], hidden),
                        "percent": _percent(t["percent"], hidden),
                        "met": _yes(Decimal(t["percent"]) >= Decimal(commitment["target_percent"]))
                        if t["percent"] is not None and commitment["target_percent"]
                        else "",
                    }
                    for t in commitment["trades"]
                ],
            }
        )
    contractors = [
        {
            "name": c["contractor"],
            "hours": _hours(c["hours"], hidden),
            "workers": _workers(c["hours"], hidden),
            "due": c["reports_due"],
            "on_time": c["reports_on_time"],
            "late": c["reports_late"],
            "missing": c["reports_missing"],
            "lag": formatting.number(c["median_lag_days"], 0)
            if c["median_lag_days"] is not None
            else formatting.DASH,
            "assessed": formatting.money(c["damages_assessed"]),
            "collected": formatting.money(c["damages_collected"]),
        }
        for c in figures["contractors"]
    ]
    reporting = figures["reporting"]
    return {
        "project": figures["project"],
        "slug": row.project.slug,
        "as_of": formatting.long_date(row.as_of),
        "min_workers": figures["min_workers"],
        "hidden": hidden,
        "headline": headline,
        "group_labels": [GROUP_LABELS[name] for name in figures["trades"][0]["groups"]]
        if figures["trades"]
        else [],
        "trades": trades,
        "commitments": commitments,
        "contractors": contractors,
        "worker_hours_count": figures["worker_hours_count"] or 0,
        "damages": {
            "assessed": formatting.money(figures["damages"]["assessed"]),
            "collected": formatting.money(figures["damages"]["collected"]),
        },
        "reporting": {
            "due": reporting["reports_due"],
            "on_time": reporting["reports_on_time"],
            "lag": formatting.number(reporting["median_lag_days"], 0)
            if reporting["median_lag_days"] is not None
            else "",
        },
        "rules": rules_words(figures["rules"]),
    }
