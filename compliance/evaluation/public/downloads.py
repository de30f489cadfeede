"""The open data of a public project (SPEC §7.4, issue 16): its published figures as one tidy
CSV table and as JSON, both described by the same data dictionary.

The CSV has one figure a row, codes and figures only, the same in every language. The JSON
is the stored figures with their words added in the language asked for (`with_words`): each
headline figure's "definition", each commitment's "description", and the rules' "local" and
"denominator" sentences. Text that a spreadsheet would take for a formula (starting
with =, +, -, @) is written with a leading apostrophe, as the exports do (SPEC §8).
"""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from compliance.evaluation.exports import FORMULA_STARTS
from compliance.evaluation.public import pages

COLUMNS = [
    ("section", _("Which table the figure belongs to (see the sections below).")),
    ("target_group", _("local_hire, apprentice, women or people_of_color; empty for all.")),
    ("commitment", _("The commitment's title, for the commitment section.")),
    ("trade", _("The trade (craft); empty for all trades together.")),
    ("contractor", _("The contractor's name; empty for all contractors together.")),
    ("period", _("The month of the payroll report (YYYY-MM), in the worker_hours section.")),
    ("gender", _("Gender as reported: F, M, X, or empty when not reported.")),
    ("person_of_color", _("true when the ethnicity reported is not White (or the city says so).")),
    ("resident", _("true when the worker is local by the project's rule (see rules).")),
    ("measure", _("What the value counts (see the measures below).")),
    ("value", _("The figure; empty when suppressed or unknown.")),
    (
        "suppressed",
        _(
            "true when the figure rests on fewer than the minimum number of workers, or "
            "would let such a figure be worked out from a total."
        ),
    ),
]
SECTIONS = [
    ("headline", _("The project's share of hours for each target group, against its target.")),
    ("wages", _("Wages paid to each target group (gross pay, or hours × hourly rate).")),
    ("damages", _("Liquidated damages assessed (as settled) and collected (paid or withheld).")),
    ("reporting", _("Payroll reports due, received on time, and the median lag in days.")),
    ("trades", _("Per trade and in total: all hours and workers, and each target group's.")),
    (
        "commitment",
        _(
            "Per commitment: its status and target, per trade its population's hours, "
            "the qualifying hours and the share."
        ),
    ),
    ("contractors", _("Per contractor: hours, reporting record and damages.")),
    (
        "worker_hours",
        _(
            "Hours and distinct workers per contractor, trade, month, gender, person "
            "of color and resident, as Boston publishes them."
        ),
    ),
]
MEASURES = [
    ("hours", _("Work hours: straight, overtime and double time.")),
    ("qualifying_hours", _("Hours of the target group (those that count toward the target).")),
    ("workers", _("Distinct workers (empty when the lines carry no worker identity).")),
    ("percent", _("Share of the hours, in percent, rounded half up to 2 places.")),
    ("achieved_percent", _("The share achieved, in percent.")),
    ("target_percent", _("The target, in percent.")),
    ("met", _("true when the commitment is met (or on track), false when not.")),
    ("status", _("met, on_track, at_risk, shortfall or no_data.")),
    ("wages_paid", _("Dollars paid to the target group.")),
    ("assessed", _("Dollars of liquidated damages assessed, as settled.")),
    ("collected", _("Dollars paid or withheld.")),
    ("reports_due", _("Monthly reports due so far.")),
    ("reports_on_time", _("Reports first received by their due date.")),
    ("reports_late", _("Reports received after their due date.")),
    ("reports_missing", _("Reports due and not received.")),
    ("median_lag_days", _("Median days after the due date a report came in (0 when on time).")),
]

# The JSON's fields that carry rules rather than figures (the figures are as in the CSV).
JSON_FIELDS = [
    (
        "headline.*.terms",
        _("What counts for a target group: the commitment's kind and terms, and its area."),
    ),
    (
        "headline.*.definition",
        _("The same terms said in words, in the language asked for (?language=es)."),
    ),
    (
        "headline.*.policy_target",
        _("The target of the public policy the project adopted (percent and policy), if any."),
    ),
    ("commitments.*.terms", _("A commitment's kind and terms, as agreed.")),
    ("commitments.*.description", _("The same terms said in words, in the language asked for.")),
    (
        "rules.local_rule",
        _("Who counts as local: residents of an area (with its ZIP codes), as reported, or none."),
    ),
    ("rules.local", _("The same rule said in words, in the language asked for.")),
    ("rules.denominator", _("What the shares are shares of, in words.")),
]


def dictionary() -> dict:
    """The data dictionary, in the language of the request."""
    return {
        "columns": {name: str(words) for name, words in COLUMNS},
        "sections": {name: str(words) for name, words in SECTIONS},
        "measures": {name: str(words) for name, words in MEASURES},
        "json_fields": {name: str(words) for name, words in JSON_FIELDS},
    }


def with_words(figures: dict) -> dict:
    """The figures with their words, said in the active language (`pages`)."""
    headline = {
        name: entry
        if entry is None
        else {**entry, "definition": pages.definition_words(name, entry)}
        for name, entry in (figures.get("headline") or {}).items()
    }
    commitments = [
        {**entry, "description": pages.commitment_words(entry)}
        for entry in figures.get("commitments") or []
    ]
    rules = {**(figures.get("rules") or {}), **pages.rules_words(figures.get("rules") or {})}
    return {**figures, "headline": headline, "commitments": commitments, "rules": rules}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    value = str(value)
    if value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def rows(figures: dict) -> Iterator[list[str]]:
    """The CSV's rows, header first."""
    yield [name for name, _ in COLUMNS]

    position = {name: i for i, (name, _) in enumerate(COLUMNS)}
    blank = [""] * len(COLUMNS)

    def row(section, measure, value, suppressed=False, **where) -> list[str]:
        fields = blank.copy()
        for name, v in where.items():
            fields[position[name]] = _text(v)
        fields[0] = section
        fields[position["measure"]] = measure
        fields[position["value"]] = _text(value)
        fields[position["suppressed"]] = "true" if suppressed else "false"
        return fields

    def cell(section, measure, figure: dict, **where):
        yield row(section, measure, figure["value"], figure["suppressed"], **where)
        if figure.get("workers") is not None or figure["suppressed"]:
            yield row(section, "workers", figure.get("workers"), figure["suppressed"], **where)

    for group, entry in figures["headline"].items():
        if entry is None:
            continue
        for measure in ("achieved_percent", "target_percent", "met", "hours", "qualifying_hours"):
            hidden = entry["suppressed"] and measure in ("achieved_percent", "qualifying_hours")
            yield row(
                "headline",
                measure,
                entry[measure],
                hidden,
                target_group=group,
                commitment=entry["commitment"],
            )
    for group, amount in figures["wages_to_target_groups"].items():
        yield row("wages", "wages_paid", amount, amount is None, target_group=group)
    for measure, amount in figures["damages"].items():
        yield row("damages", measure, amount)
    for measure, value in figures["reporting"].items():
        yield row("reporting", measure, value)
    for trade in figures["trades"]:
        yield from cell("trades", "hours", trade["hours"], trade=trade["trade"])
        for group, figure in trade["groups"].items():
            yield from cell(
                "trades", "qualifying_hours", figure, trade=trade["trade"], target_group=group
            )
            yield row(
                "trades",
                "percent",
                figure["percent"],
                figure["percent"] is None,
                trade=trade["trade"],
                target_group=group,
            )
    for commitment in figures["commitments"]:
        title = commitment["title"]
        yield row("commitment", "status", commitment["status"], commitment=title)
        if commitment["target_percent"] is not None:
            yield row(
                "commitment", "target_percent", commitment["target_percent"], commitment=title
            )
        for trade in commitment["trades"]:
            where = {"commitment": title, "trade": trade["trade"]}
            yield from cell("commitment", "hours", trade["hours"], **where)
            yield from cell("commitment", "qualifying_hours", trade["qualifying_hours"], **where)
            yield row("commitment", "percent", trade["percent"], trade["percent"] is None, **where)
    for contractor in figures["contractors"]:
        name = contractor["contractor"]
        yield from cell("contractors", "hours", contractor["hours"], contractor=name)
        for measure in (
            "reports_due",
            "reports_on_time",
            "reports_late",
            "reports_missing",
            "median_lag_days",
        ):
            yield row("contractors", measure, contractor[measure], contractor=name)
        yield row("contractors", "assessed", contractor["damages_assessed"], contractor=name)
        yield row("contractors", "collected", contractor["damages_collected"], contractor=name)
    for entry in figures["worker_hours"]:
        where = {
            "contractor": entry["contractor"],
            "trade": entry["trade"],
            "period": entry["period"],
            "gender": entry["gender"],
            "person_of_color": entry["person_of_color"],
            "resident": entry["resident"],
        }
        yield from cell("worker_hours", "hours", entry, **where)
