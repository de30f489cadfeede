"""The parameters each kind of commitment takes (SPEC §3), checked before any save.

`clean_params` returns the parameters normalised (decimals and dates as strings, defaults
filled in) or raises a ValidationError whose keys are the parameter names, so the project
definition loader can point at `commitments[2].target_percent`.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

MEASURES = ["hours", "workers", "new_hires"]
QUALIFIERS = [
    "area_resident",
    "disadvantaged",
    "apprentice",
    "woman",
    "person_of_color",
    "veteran",
    "new_hire",
]
POPULATIONS = ["all", "journey", "apprentice"]
SCOPES = ["project", "contractor", "craft", "contractor_craft"]
BASES = ["base", "total"]

PARAMS_BY_KIND = {
    "workforce_share": {
        "measure",
        "qualifier",
        "population",
        "excluded_crafts",
        "scope",
        "target_percent",
        "warning_margin",
        "min_base",
        "penalty_per_unit",
    },
    "wage_floor": {"rates", "basis", "scope"},
    "count_target": {
        "unit",
        "target_quantity",
        "start_date",
        "due_date",
        "max_ami_percent",
        "milestones",
        "warning_margin",
    },
}


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, message)


def _decimal(
    errors, params, name, *, label=None, required=False, default=None, minimum=None, maximum=None
):
    """A decimal parameter; errors are reported under `label` ("rates[0].base") or `name`."""
    label = label or name
    value = params.get(name)
    if value is None or value == "":
        if required:
            errors.add(label, "Required.")
        return default
    if isinstance(value, bool):
        errors.add(label, f"{value!r} is not a number.")
        return default
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(label, f"{value!r} is not a number.")
        return default
    if not number.is_finite():
        errors.add(label, f"{value!r} is not a number.")
        return default
    if minimum is not None and number < minimum:
        errors.add(label, f"Must be at least {minimum}.")
    if maximum is not None and number > maximum:
        errors.add(label, f"Must be at most {maximum}.")
    return str(number)


def _date(errors, name, value, *, required=True):
    if value is None or value == "":
        if required:
            errors.add(name, "Required (YYYY-MM-DD).")
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        errors.add(name, f"{value!r} is not a date: use YYYY-MM-DD.")
        return None


def _choice(errors, params, name, choices, default=None):
    value = params.get(name, default)
    if value is None:
        errors.add(name, f"Required: one of {', '.join(choices)}.")
    elif value not in choices:
        errors.add(name, f"{value!r} is not one of {', '.join(choices)}.")
    return value


def _workforce_share(errors, params, area):
    out = {
        "measure": _choice(errors, params, "measure", MEASURES, "hours"),
        "qualifier": _choice(errors, params, "qualifier", QUALIFIERS),
        "population": _choice(errors, params, "population", POPULATIONS, "all"),
        "scope": _choice(errors, params, "scope", SCOPES, "project"),
        "target_percent": _decimal(
            errors, params, "target_percent", required=True, minimum=0, maximum=100
        ),
        "warning_margin": _decimal(errors, params, "warning_margin", default="5", minimum=0),
        "min_base": _decimal(errors, params, "min_base", default="0", minimum=0),
        "penalty_per_unit": _decimal(errors, params, "penalty_per_unit", minimum=0),
    }
    excluded = params.get("excluded_crafts", [])
    if not isinstance(excluded, list) or not all(isinstance(c, str) for c in excluded):
        errors.add("excluded_crafts", "Must be a list of craft names.")
        excluded = []
    out["excluded_crafts"] = excluded
    if out["qualifier"] == "area_resident" and area is None:
        errors.add("area", "An area_resident commitment needs an area.")
    if out["qualifier"] != "area_resident" and area is not None:
        errors.add("area", "Only an area_resident commitment takes an area.")
    return out


def _wage_floor(errors, params, area):
    out = {
        "basis": _choice(errors, params, "basis", BASES, "base"),
        "scope": _choice(errors, params, "scope", SCOPES, "project"),
    }
    rates = params.get("rates")
    if not isinstance(rates, list) or not rates:
        errors.add("rates", "Give at least one rate: {craft, effective_from, base, fringe}.")
        rates = []
    clean_rates = []
    for i, row in enumerate(rates):
        where = f"rates[{i}]"
        if not isinstance(row, dict):
            errors.add(where, "Must be an object {craft, effective_from, base, fringe}.")
            continue
        unknown = set(row) - {"craft", "effective_from", "base", "fringe"}
        if unknown:
            errors.add(f"{where}.{sorted(unknown)[0]}", "Unknown key.")
        craft = row.get("craft")
        if not isinstance(craft, str) or not craft:
            errors.add(f"{where}.craft", 'Required: a craft name or "any".')
        clean_rates.append(
            {
                "craft": craft,
                "effective_from": _date(
                    errors, f"{where}.effective_from", row.get("effective_from")
                ),
                "base": _decimal(
                    errors,
                    row,
                    "base",
                    label=f"{where}.base",
                    required=True,
                    minimum=Decimal("0.01"),
                )
                if "base" in row
                else errors.add(f"{where}.base", "Required."),
                "fringe": _decimal(
                    errors, row, "fringe", label=f"{where}.fringe", default="0", minimum=0
                ),
            }
        )
    out["rates"] = clean_rates
    if area is not None:
        errors.add("area", "A wage floor takes no area.")
    return out


def _count_target(errors, params, area):
    out = {
        "unit": params.get("unit") or errors.add("unit", "Required: slots, units, hires, dollars."),
        "target_quantity": _decimal(
            errors, params, "target_quantity", required=True, minimum=Decimal("0.01")
        ),
        "start_date": _date(errors, "start_date", params.get("start_date")),
        "due_date": _date(errors, "due_date", params.get("due_date")),
        "max_ami_percent": _decimal(errors, params, "max_ami_percent", minimum=0),
        "warning_margin": _decimal(errors, params, "warning_margin", default="5", minimum=0),
    }
    if out["start_date"] and out["due_date"] and out["due_date"] <= out["start_date"]:
        errors.add("due_date", "The due date must be after the start date.")
    milestones = params.get("milestones", [])
    if not isinstance(milestones, list):
        errors.add("milestones", "Must be a list of {date, quantity}.")
        milestones = []
    clean_milestones = []
    for i, row in enumerate(milestones):
        where = f"milestones[{i}]"
        if not isinstance(row, dict):
            errors.add(where, "Must be an object {date, quantity}.")
            continue
        clean_milestones.append(
            {
                "date": _date(errors, f"{where}.date", row.get("date")),
                "quantity": _decimal(
                    errors, row, "quantity", label=f"{where}.quantity", required=True, minimum=0
                )
                if "quantity" in row
                else errors.add(f"{where}.quantity", "Required."),
            }
        )
    out["milestones"] = sorted(clean_milestones, key=lambda m: m["date"] or "")
    if area is not None:
        errors.add("area", "A count target takes no area.")
    return out


CLEANERS = {
    "workforce_share": _workforce_share,
    "wage_floor": _wage_floor,
    "count_target": _count_target,
}


def clean_params(*, kind: str, params: dict, area=None) -> dict:
    """Check and normalise a commitment's parameters for its kind; raise ValidationError."""
    if kind not in CLEANERS:
        raise ValidationError({"kind": f"{kind!r} is not one of {', '.join(CLEANERS)}."})
    if not isinstance(params, dict):
        raise ValidationError({"params": "Must be an object."})
    errors = _Errors()
    for name in sorted(set(params) - PARAMS_BY_KIND[kind]):
        errors.add(name, f"Unknown parameter for a {kind} commitment.")
    cleaned = CLEANERS[kind](errors, params, area)
    if errors:
        raise ValidationError(dict(errors))
    return {k: v for k, v in cleaned.items() if v is not None}
