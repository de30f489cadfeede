"""What every commitment kind provides, and the typed terms they share.

A kind is one module of this package (workforce_share.py, wage_floor.py, count_target.py,
contracting_share.py) holding one `Kind` subclass: its parameters as a pydantic model
(`Terms`, every default stated there once), how it is measured (`evaluate`), the promise in
words (`describe`), its unit, the figures its card shows, its flags' titles and the facts of
its memo section.
Everything outside this package asks the registry (`KINDS`) instead of testing a kind's name.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as TermsError

from compliance import formatting
from compliance.numbers import round2
from compliance.status import Status
from projects.models import Commitment

Scope = Literal["project", "contractor", "craft", "contractor_craft"]
# Marked for translation; `gettext(SCOPE_WORDS[scope])` says it in the reader's language.
SCOPE_WORDS = {
    "project": gettext_noop("across the whole project"),
    "contractor": gettext_noop("for each contractor"),
    "craft": gettext_noop("in each trade"),
    "contractor_craft": gettext_noop("for each contractor in each trade"),
}
SCOPE_GROUPS = {
    "contractor": "contractor",
    "craft": "trade",
    "contractor_craft": "contractor and trade",
}


class Terms(BaseModel):
    """A commitment's parameters, checked; unknown names are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Figure:
    """One figure of a card: "Shortfall", "300.00 hours", bold when it is the news."""

    label: str
    value: str
    strong: bool = False
    note: str = ""


def _path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(error: dict, kind: str) -> str:
    """pydantic's finding in the words the definition file and the admin have always used."""
    kind_of_error, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind_of_error == "missing":
        return "Required."
    if kind_of_error == "extra_forbidden":
        if len(error["loc"]) == 1:
            return f"Unknown parameter for a {kind} commitment."
        return "Unknown key."
    if kind_of_error in {"decimal_parsing", "decimal_type", "finite_number"}:
        return f"{value!r} is not a number."
    if kind_of_error in {"greater_than_equal", "greater_than"}:
        return f"Must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind_of_error in {"less_than_equal", "less_than"}:
        return f"Must be at most {ctx.get('le', ctx.get('lt'))}."
    if kind_of_error == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{value!r} is not one of {expected}."
    if kind_of_error.startswith("date") or kind_of_error.startswith("datetime"):
        return f"{value!r} is not a date: use YYYY-MM-DD."
    if kind_of_error == "too_short":
        return "Give at least one."
    if kind_of_error == "list_type":
        return "Must be a list."
    if kind_of_error in {"model_type", "dict_type", "model_attributes_type"}:
        return "Must be an object."
    if kind_of_error == "string_type":
        return "Must be text."
    if kind_of_error == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


class Kind:
    """The defaults every kind starts from; a kind module overrides what differs."""

    name: ClassVar[str]
    label: ClassVar[str]
    Terms: ClassVar[type[Terms]]
    # Measured from the payroll lines (so the engine makes its one pass over them).
    reads_lines: ClassVar[bool] = False
    # The monthly chart of a cumulative percent against a target.
    charted: ClassVar[bool] = False
    takes_area: ClassVar[bool] = False
    # Lists the payroll lines behind it (details["violations"]).
    lists_violations: ClassVar[bool] = False
    # Measured from progress entries (compliance.reporting.progress records them).
    takes_progress: ClassVar[bool] = False
    # Its denominator is a whole target, the same every month (a count), not a share.
    whole_target: ClassVar[bool] = False
    # A memo draws its cumulative chart month by month.
    memo_chart: ClassVar[bool] = True

    @property
    def filed_by_contractors(self) -> bool:
        """Measured from what contractors file (payroll, payments): a notice addressed to a
        contractor tells of it; a count delivered by the developer is not theirs to cure."""
        return self.reads_lines

    # --- parameters -----------------------------------------------------------------

    def terms(self, commitment: Commitment) -> Terms:
        """The commitment's parameters, typed, defaults filled in."""
        return self.Terms.model_validate(commitment.params or {})

    def clean(self, params, *, area=None) -> dict:
        """Check a commitment's parameters; raise ValidationError keyed by parameter path
        ("target_percent", "rates[0].base"), or return them normalised (decimals and dates
        as strings, defaults filled in)."""
        if not isinstance(params, dict):
            raise ValidationError({"params": "Must be an object."})
        errors: dict[str, str] = {}
        terms = None
        try:
            terms = self.Terms.model_validate(params)
        except TermsError as exc:
            for error in exc.errors():
                errors.setdefault(_path(error["loc"]) or "params", _message(error, self.name))
        errors.update({k: v for k, v in self.check_area(params, area).items() if k not in errors})
        if errors:
            raise ValidationError(dict(sorted(errors.items())))
        return terms.model_dump(mode="json", exclude_none=True)

    def check_area(self, params: dict, area) -> dict[str, str]:
        if area is not None and not self.takes_area:
            return {"area": f"A {self.label.lower()} takes no area."}
        return {}

    def craft_names(self, params: dict) -> list[tuple[str, str]]:
        """(path, name) of every craft the parameters name, so a loader can check them."""
        return []

    def rename_craft(self, params: dict, path: str, name: str) -> None:
        """Store a craft's proper name at `path` (one of `craft_names`)."""

    def scope(self, commitment: Commitment) -> str:
        return getattr(self.terms(commitment), "scope", "project")

    def scope_words(self, commitment: Commitment) -> str:
        """ "for each contractor in each trade": where the target must hold, in words."""
        words = SCOPE_WORDS.get(self.scope(commitment), "")
        return gettext(words) if words else ""

    def groups_word(self, commitment: Commitment) -> str:
        """ "contractor and trade": what a group of this commitment is."""
        return SCOPE_GROUPS.get(self.scope(commitment), "")

    # --- measuring ------------------------------------------------------------------

    def evaluate(self, commitments: list[Commitment], ctx) -> list:
        """Measure these commitments (all of this kind) in the run's context."""
        raise NotImplementedError

    def line_aggregates(self, commitment: Commitment, ctx) -> dict:
        """Sums this commitment adds to the engine's one pass over the lines."""
        return {}

    def worker_filters(self, commitment: Commitment):
        """The lines among which this commitment counts distinct workers, and those that
        qualify (two `Q`s, whatever the project's crafts: `engine.firsts`), or None."""
        return None

    # --- words ----------------------------------------------------------------------

    def describe(self, commitment: Commitment) -> str:
        """The promise in one sentence a person with no training can read, in the active
        language (each kind's words are gettext messages with named placeholders)."""
        raise NotImplementedError

    def unit(self, commitment: Commitment) -> str:
        """What numerator, denominator and shortfall count ("hours", "dollars", "units")."""
        return "hours"

    def quantity(self, commitment: Commitment, value) -> str:
        return formatting.quantity(value, self.unit(commitment))

    def headline(self, summary) -> str:
        """The card's one line: the figure to date against the promise."""
        raise NotImplementedError

    def figures(self, card) -> list[Figure]:
        """The figures of the project page's card, labelled."""
        raise NotImplementedError

    def group_columns(self, commitment: Commitment) -> list[str]:
        return ["Qualifying", "All", "Shortfall"]

    def group_cells(self, commitment: Commitment, group) -> list[str]:
        return [
            formatting.number(group.numerator),
            formatting.number(group.denominator),
            self.quantity(commitment, group.shortfall),
        ]

    def series_columns(self, commitment: Commitment) -> tuple[str, str]:
        """The monthly table's columns: (all, counted)."""
        unit = self.unit(commitment)
        return (unit.capitalize(), f"Qualifying {unit}")

    def delivered_percent(self, summary) -> Decimal | None:
        """Share of a whole target delivered (a progress bar), where the kind has one."""
        return None

    # --- a contractor's standing ----------------------------------------------------

    def standing_advice(self, evaluation, *, project) -> str:
        """One sentence for the contractor's standing page: what it takes, for this group,
        to get back on track (or that nothing does); empty where the kind has nothing to say."""
        return ""

    # --- flags ----------------------------------------------------------------------

    def findings(self, evaluation, where: str) -> list[tuple[str, str, str]]:
        """(flag kind, severity, title) for each flag this result calls for."""
        return []

    def flag_figures(self, evaluation) -> dict:
        """The figures a flag keeps (the `flags --json` contract)."""
        return {}

    def flag_facts(self, evaluation) -> list[tuple[str, str]]:
        """The flag page's figures, labelled in words."""
        return [("Status", Status.label(evaluation.status))]

    # --- the memo -------------------------------------------------------------------

    def memo_group_extra(self, evaluation) -> dict:
        """Figures a memo keeps for one group besides the common ones."""
        return {}

    def memo_measured(self, entry: dict, group: dict, *, as_of: str, status: str) -> str:
        raise NotImplementedError

    def memo_facts(self, entry: dict, group: dict, *, measured: str) -> list[tuple[str, str]]:
        """The rows of a one-group commitment's facts table (after "Target")."""
        return [("Measured to date", measured)]

    def cure_words(self, group: dict) -> str | None:
        """What a notice asks to cure one group's finding, in figures; None: the notice's
        general words (make up the shortfall, with a written plan)."""
        return None

    def memo_detail_candidates(self, groups: list[dict]) -> list[dict]:
        """The groups a memo shows month by month: the one group, or those in trouble."""
        if len(groups) == 1:
            return groups
        return [g for g in groups if g["status"] in (Status.SHORTFALL, Status.AT_RISK)]


def day(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def plain(value: Any) -> str:
    """A decimal as written in a sentence: "40" for 40.00, "38.50" otherwise."""
    return formatting.whole_or_two(value)


def damages_arithmetic(group: dict) -> str | None:
    """ "300.00 hours × $25.00 = $7,500.00", from the evaluation's three figures."""
    if group["liquidated_damages"] is None or group["penalty_per_unit"] is None:
        return None
    return (
        f"{formatting.quantity(group['shortfall'], group['unit'])} × "
        f"{formatting.money(group['penalty_per_unit'])} = "
        f"{formatting.money(group['liquidated_damages'])}"
    )


def required_arithmetic(group: dict) -> str | None:
    """ "40.00% × 10,000.00 hours = 4,000.00 hours required; 3,700.00 hours by qualifying
    workers": shown only when it reproduces the evaluation's shortfall to the cent, so the
    memo never shows a figure the evaluation does not."""
    target, den, num = group["target_percent"], group["denominator"], group["numerator"]
    if target is None or den is None or num is None or group["shortfall"] is None:
        return None
    required = round2(Decimal(target) * Decimal(den) / 100)
    if max(Decimal(0), required - Decimal(num)) != Decimal(group["shortfall"]):
        return None
    unit = group["unit"]
    return (
        f"{formatting.percent(target)} × {formatting.quantity(den, unit)} = "
        f"{formatting.quantity(required, unit)} required; "
        f"{formatting.quantity(num, unit)} by qualifying workers"
    )
