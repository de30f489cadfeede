"""A commitment's terms as a web form built from its kind's typed parameters (SPEC §3), so a
program admin never types JSON.

Each kind's `Terms` (a pydantic model) says what its parameters are; `terms_form` turns
them into form fields: a choice as a select, a decimal as a number, a date as a date, a
list of crafts as a multi-select of the crafts, a list of rows (a wage floor's rate table,
a count's milestones) as repeated rows, and the area as a select of the areas where the
kind takes one. The kind still checks the whole (`clean_terms`), and its errors, keyed by
parameter path ("rates[1].base"), are shown beside the field they belong to.
"""

import datetime
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from pydantic import BaseModel

from compliance.evaluation.kinds import KINDS, clean_terms
from compliance.evaluation.kinds.base import SCOPE_WORDS
from compliance.formatting import plural
from projects.models import Area, Commitment, Craft
from projects.policies import history

# What each parameter is called on the form; a parameter not listed is named from its key.
LABELS = {
    "measure": "What is counted",
    "qualifier": "Who counts toward the target",
    "population": "Among which workers",
    "excluded_crafts": "Trades left out",
    "scope": "Where the target must hold",
    "target_percent": "Target (percent)",
    "warning_margin": "Warning margin (percentage points)",
    "min_base": "Smallest base that is measured",
    "penalty_per_unit": "Liquidated damages per unit short (dollars)",
    "rates": "Required rates",
    "basis": "Compared against",
    "unit": "What is counted (slots, units, hires, dollars)",
    "target_quantity": "Target quantity",
    "start_date": "Counting starts",
    "due_date": "Due by",
    "max_ami_percent": "Only units at or below this AMI percent",
    "milestones": "Milestones (cumulative quantity due by a date)",
    "certifications": "Certifications that count",
    "craft": "Trade",
    "effective_from": "From",
    "base": "Base rate ($/hour)",
    "fringe": "Fringe ($/hour)",
    "date": "Date",
    "quantity": "Quantity due by then",
    "area": "Area (its ZIP codes)",
}
CHOICE_WORDS = {
    ("measure", "hours"): "Work hours",
    ("measure", "workers"): "Workers (anyone with hours)",
    ("measure", "new_hires"): "New hires",
    ("qualifier", "area_resident"): "Residents of the area (by home ZIP)",
    ("qualifier", "reported_resident"): "Residents as the contractor reports",
    ("qualifier", "disadvantaged"): "Disadvantaged workers",
    ("qualifier", "apprentice"): "Registered apprentices",
    ("qualifier", "woman"): "Women",
    ("qualifier", "person_of_color"): "People of color",
    ("qualifier", "veteran"): "Veterans",
    ("qualifier", "new_hire"): "New hires",
    ("population", "all"): "All workers",
    ("population", "journey"): "Journeyworkers",
    ("population", "apprentice"): "Apprentices",
    ("basis", "base"): "The base hourly rate",
    ("basis", "total"): "Base rate plus fringe",
    ("scope", "prime"): "For each prime contractor",
    ("certifications", "disabled_veteran"): "Disabled-veteran owned",
    ("certifications", "section3"): "Section 3",
}
EXTRA_ROWS = 2


def label_of(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def choice_words(name: str, value: str) -> str:
    if (name, value) in CHOICE_WORDS:
        return CHOICE_WORDS[(name, value)]
    if name == "scope" and value in SCOPE_WORDS:
        return SCOPE_WORDS[value].capitalize()
    return value.replace("_", " ").capitalize()


def _unwrap(annotation) -> tuple[object, bool]:
    """(the type inside an Optional, whether None is allowed)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _is_crafts(name: str) -> bool:
    return "craft" in name


def _scalar_field(name: str, annotation, *, required: bool, crafts: list[str]) -> forms.Field:
    """The form field of one parameter of a simple type."""
    label = label_of(name)
    if typing.get_origin(annotation) is typing.Literal:
        choices = [(v, choice_words(name, v)) for v in typing.get_args(annotation)]
        return forms.ChoiceField(label=label, choices=choices, required=True)
    if annotation is Decimal:
        return forms.DecimalField(
            label=label, required=required, widget=forms.NumberInput(attrs={"step": "any"})
        )
    if annotation is datetime.date:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if annotation is bool:
        return forms.BooleanField(label=label, required=False)
    if annotation is str and _is_crafts(name):
        choices = [("any", "Any trade"), *[(c, c) for c in crafts]]
        return forms.ChoiceField(label=label, choices=choices, required=required)
    return forms.CharField(label=label, required=required)


@dataclass
class Rows:
    """A list parameter whose items are rows (a rate table): its columns and, per row, the
    names of that row's form fields."""

    name: str
    label: str
    columns: list[str]
    subnames: list[str]
    count: int
    errors: list[str] = field(default_factory=list)

    def field_name(self, row: int, sub: str) -> str:
        return f"{self.name}-{row}-{sub}"


class TermsForm(forms.Form):
    """The parameters of one kind; built by `terms_form`."""

    kind_name: str = ""
    rows: dict[str, Rows]
    order: list[str]

    def layout(self) -> list[dict]:
        """What the template shows, in order: a field, or a table of rows."""
        items = []
        for name in self.order:
            if name in self.rows:
                group = self.rows[name]
                items.append(
                    {
                        "rows": group,
                        "cells": [
                            [self[group.field_name(i, sub)] for sub in group.subnames]
                            for i in range(group.count)
                        ],
                    }
                )
            else:
                items.append({"field": self[name]})
        return items

    def params(self) -> tuple[dict, Area | None]:
        """The parameters typed, as the kind reads them (cleared optional ones as None, so
        an amendment clears them too), and the area. Call after is_valid()."""
        data, params = self.cleaned_data, {}
        self.row_index: dict[str, list[int]] = {}
        for name in self.order:
            if name == "area":
                continue
            if name in self.rows:
                group, items, kept = self.rows[name], [], []
                for i in range(group.count):
                    row = {sub: data.get(group.field_name(i, sub)) for sub in group.subnames}
                    if all(v in (None, "") for v in row.values()):
                        continue
                    items.append({k: _plain(v) for k, v in row.items() if v not in (None, "")})
                    kept.append(i)
                params[name] = items
                self.row_index[name] = kept
                continue
            params[name] = _plain(data.get(name))
        return params, data.get("area")

    def show_errors(self, error: ValidationError) -> None:
        """Put the kind's errors ("rates[1].base", "target_percent", "area") beside their
        fields; one that belongs to no field goes above the form, named in words."""
        for path, messages in error.message_dict.items():
            target = self._field_for(path)
            for message in messages:
                if target in self.rows:
                    self.rows[target].errors.append(message)
                elif target is not None:
                    self.add_error(target, message)
                else:
                    self.add_error(None, f"{label_of(path.split('[')[0])}: {message}")

    def _field_for(self, path: str) -> str | None:
        name, _, rest = path.partition("[")
        if name in self.rows:
            if not rest:
                return name
            index, _, sub = rest.partition("].")
            kept = getattr(self, "row_index", {}).get(name, [])
            position = int(index) if index.isdigit() else -1
            if 0 <= position < len(kept) and sub in self.rows[name].subnames:
                return self.rows[name].field_name(kept[position], sub)
            return name
        return path if path in self.fields else None


def _plain(value):
    """A typed value as the kind's parameters hold it: decimals and dates as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value == "":
        return None
    return value


def _initial(value):
    return "" if value is None else value


def terms_form(
    *, kind: str, params: dict | None = None, area: Area | None = None, data=None, prefix=None
) -> TermsForm:
    """The form of a kind's parameters, filled with `params` (a commitment's current terms)
    or the kind's defaults, bound to `data` when posted."""
    terms = KINDS[kind].Terms
    crafts = list(Craft.objects.order_by("name").values_list("name", flat=True))
    params = params or {}
    fields, initial, rows, order = {}, {}, {}, []
    for name, info in terms.model_fields.items():
        annotation, optional = _unwrap(info.annotation)
        required = info.is_required() and not optional
        default = None if info.is_required() else info.get_default()
        value = params.get(name, default)
        order.append(name)
        if typing.get_origin(annotation) is list:
            (item,) = typing.get_args(annotation)
            if isinstance(item, type) and issubclass(item, BaseModel):
                items = list(value or [])
                group = Rows(
                    name=name,
                    label=label_of(name),
                    columns=[label_of(sub) for sub in item.model_fields],
                    subnames=list(item.model_fields),
                    count=len(items) + EXTRA_ROWS,
                )
                for i in range(group.count):
                    for sub, sub_info in item.model_fields.items():
                        sub_type, _ = _unwrap(sub_info.annotation)
                        name_i = group.field_name(i, sub)
                        fields[name_i] = _scalar_field(sub, sub_type, required=False, crafts=crafts)
                        if sub_type is str and _is_crafts(sub):
                            fields[name_i].choices = [("", "—"), *fields[name_i].choices]
                        if typing.get_origin(sub_type) is typing.Literal:
                            fields[name_i].choices = [("", "—"), *fields[name_i].choices]
                            fields[name_i].required = False
                        if i < len(items):
                            initial[name_i] = _initial(dict(items[i]).get(sub))
                rows[name] = group
                continue
            if typing.get_origin(item) is typing.Literal:
                choices = [(v, choice_words(name, v)) for v in typing.get_args(item)]
            else:
                choices = [(c, c) for c in crafts] if _is_crafts(name) else []
                choices += [(v, v) for v in value or [] if v not in dict(choices)]
            fields[name] = forms.MultipleChoiceField(
                label=label_of(name),
                choices=choices,
                required=required,
                widget=forms.CheckboxSelectMultiple,
            )
            initial[name] = list(value or [])
            continue
        fields[name] = _scalar_field(name, annotation, required=required, crafts=crafts)
        if info.description:
            fields[name].help_text = info.description
        initial[name] = _initial(value)
    if KINDS[kind].takes_area:
        order.append("area")
        fields["area"] = forms.ModelChoiceField(
            label=label_of("area"),
            queryset=Area.objects.order_by("name"),
            required=False,
            empty_label="— none —",
            help_text="For a share of area residents; create areas in the Areas step.",
        )
        initial["area"] = area
    form_class = type(f"{kind.title().replace('_', '')}TermsForm", (TermsForm,), fields)
    form = form_class(data=data, initial=initial, prefix=prefix)
    form.kind_name, form.rows, form.order = kind, rows, order
    return form


def terms_checked(form: TermsForm) -> tuple[dict, Area | None] | None:
    """The form's parameters checked by the kind, or None with the errors on the form."""
    if not form.is_valid():
        return None
    params, area = form.params()
    try:
        clean_terms(kind=form.kind_name, params=params, area=area)
    except ValidationError as error:
        form.show_errors(error)
        return None
    return params, area


def kind_choices() -> list[tuple[str, str]]:
    """(name, label) of every kind, for "add a commitment"."""
    return [(name, kind.label) for name, kind in KINDS.items()]


def _value_words(name: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return (
            plural(len(value), "row")
            if value and isinstance(value[0], dict)
            else ", ".join(choice_words(name, str(v)) for v in value)
        )
    if isinstance(value, str) and ((name, value) in CHOICE_WORDS or name == "scope"):
        return choice_words(name, value)
    return str(value)


def history_in_words(commitment: Commitment) -> list[dict]:
    """The versions of its terms (projects.policies.history) with each change in words:
    ("Target (percent)", "30", "35")."""
    rows = history(commitment)
    for row in rows:
        row["words"] = [
            (label_of(name), _value_words(name, old), _value_words(name, new))
            for name, (old, new) in row["changes"].items()
        ]
    return rows
