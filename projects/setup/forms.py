"""The forms of the setup steps: they parse and check what was typed; the writes are in
projects/setup/services.py."""

from django import forms
from django.core.exceptions import ValidationError

from projects.models import Agreement, Assignment, Craft, Organization, Project
from projects.setup.services import parse_aliases, parse_emails, parse_zips

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = forms.NumberInput(attrs={"step": "0.01", "min": "0"})


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "location",
            "owner",
            "start_date",
            "end_date",
            "jurisdiction",
            "sector",
            "total_cost",
            "public_subsidy",
        ]
        labels = {
            "slug": "Short name (in addresses)",
            "end_date": "Expected completion",
            "total_cost": "Total cost (dollars)",
            "public_subsidy": "Public subsidy (dollars)",
        }
        error_messages = {
            "slug": {"unique": "Another project has this short name: choose another."}
        }
        help_texts = {
            "slug": "Lower-case letters, digits and dashes: “crenshaw-lax”.",
            "end_date": "",
            "total_cost": "",
            "public_subsidy": "",
        }
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "total_cost": MONEY,
            "public_subsidy": MONEY,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].empty_label = "— no owner recorded —"
        self.fields["sector"].choices = [("", "— not said —"), *Project.Sector.choices]


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "key",
            "title",
            "effective_date",
            "signatories",
            "cure_period_days",
            "report_due_day",
            "damages_basis",
            "public",
        ]
        labels = {
            "key": "Short name",
            "signatories": "Parties",
            "cure_period_days": "Cure period (days)",
            "report_due_day": "Monthly report due on day",
            "damages_basis": "Liquidated damages owed",
            "public": "Public: its figures may be shown on the public pages",
        }
        widgets = {"effective_date": DATE, "signatories": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self) -> None:
        """The project is not on the form; the service checks the key within it."""


class AreaForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="“Economically disadvantaged ZIPs”.")
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label="Short name",
        help_text="Blank: made from the name.",
    )
    zips = forms.CharField(
        label="ZIP codes",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="5-digit ZIP codes, separated by commas, spaces or new lines.",
    )

    def clean_zips(self) -> list[str]:
        return parse_zips(self.cleaned_data["zips"])


class CraftsForm(forms.Form):
    crafts = forms.ModelMultipleChoiceField(
        queryset=Craft.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Trades on this project",
    )


class CraftForm(forms.Form):
    name = forms.CharField(max_length=100, label="New trade", help_text="“Operating Engineer”.")
    aliases = forms.CharField(
        required=False,
        label="Other names uploads may use",
        help_text="Separated by commas: “Op Eng, Operator”.",
    )

    def clean_aliases(self) -> list[str]:
        return parse_aliases(self.cleaned_data["aliases"])


class ContractorForm(forms.Form):
    contractor = forms.ModelChoiceField(
        queryset=Organization.objects.filter(kind=Organization.Kind.CONTRACTOR).order_by("name"),
        required=False,
        label="Company",
        empty_label="— a new company (type its name below) —",
    )
    new_company = forms.CharField(max_length=200, required=False, label="New company's name")
    tier = forms.ChoiceField(choices=Assignment.Tier.choices, initial=Assignment.Tier.SUB)
    parent = forms.ModelChoiceField(
        queryset=Assignment.objects.none(),
        required=False,
        label="Works for",
        empty_label="— nobody (a prime) —",
    )
    scope_of_work = forms.CharField(max_length=300, required=False, label="Scope of work")
    start_date = forms.DateField(
        required=False,
        widget=DATE,
        label="Reports due from",
        help_text="Blank: the project's start.",
    )
    end_date = forms.DateField(
        required=False,
        widget=DATE,
        label="Reports due until",
        help_text="Blank: the project's completion.",
    )
    emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Contacts' e-mail addresses",
        help_text="Each new contact gets an e-mail inviting them to choose a password.",
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = project.assignments.select_related("contractor")

    def clean_emails(self) -> list[str]:
        return parse_emails(self.cleaned_data["emails"])

    def clean(self):
        data = super().clean()
        if not data.get("contractor") and not (data.get("new_company") or "").strip():
            raise ValidationError({"contractor": "Pick a company or type a new one's name."})
        if data.get("tier") != Assignment.Tier.PRIME and not data.get("parent"):
            if "tier" in data:
                self.add_error("parent", "A subcontractor works for someone: pick whom.")
        return data


class CommitmentFieldsForm(forms.Form):
    """What every commitment has, whatever its kind."""

    agreement = forms.ModelChoiceField(queryset=Agreement.objects.none(), empty_label=None)
    key = forms.SlugField(
        max_length=60, label="Short name", help_text="Unique within the project: “local-hire”."
    )
    clause = forms.CharField(max_length=60, required=False, help_text="“§4.2(a)”.")
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Clause text, as signed"
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = project.agreements.all()


class AmendmentForm(forms.Form):
    """When new terms of a commitment with a history apply, and why."""

    effective_from = forms.DateField(widget=DATE, label="New terms apply from")
    note = forms.CharField(
        max_length=500, label="Why", help_text="The amendment, the phase or the vote."
    )


class AdoptionForm(forms.Form):
    """Adopt a policy into an agreement, with per-commitment overrides; the override fields
    (`<template>-area`, `<template>-start_date`, `<template>-key`) are added per template."""

    agreement = forms.ModelChoiceField(
        queryset=Agreement.objects.none(), empty_label=None, label="Into the agreement"
    )

    def __init__(self, *args, project: Project, policy, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = project.agreements.all()
        self.templates = list(policy.templates.select_related("area").order_by("position", "key"))
        for template in self.templates:
            if template.area_id:
                self.fields[f"{template.key}-area"] = forms.ModelChoiceField(
                    queryset=areas,
                    required=False,
                    label="Area",
                    empty_label=f"the policy's: {template.area.name}",
                )
            self.fields[f"{template.key}-start_date"] = forms.DateField(
                required=False,
                widget=DATE,
                label="Applies from",
                help_text="Blank: the agreement's effective date.",
            )
            self.fields[f"{template.key}-key"] = forms.SlugField(
                required=False,
                label="Short name on this project",
                help_text=f"Blank: “{template.key}”.",
            )

    def overrides(self) -> dict:
        """{template key: {"area": slug, "start_date": ..., "key": ...}} for what was set."""
        found = {}
        for template in self.templates:
            override = {}
            area = self.cleaned_data.get(f"{template.key}-area")
            if area is not None:
                override["area"] = area.slug
            start = self.cleaned_data.get(f"{template.key}-start_date")
            if start is not None:
                override["start_date"] = start.isoformat()
            key = self.cleaned_data.get(f"{template.key}-key")
            if key:
                override["key"] = key
            if override:
                found[template.key] = override
        return found

    def template_rows(self) -> list[dict]:
        return [
            {
                "template": t,
                "fields": [
                    self[name]
                    for name in (f"{t.key}-area", f"{t.key}-start_date", f"{t.key}-key")
                    if name in self.fields
                ],
            }
            for t in self.templates
        ]
