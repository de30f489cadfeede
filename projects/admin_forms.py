"""What the admin's commitment pages share: the commitment form (its parameters checked by
the kind, a reason required for changed terms) and how parameters are shown."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html_join

from compliance.evaluation.kinds import KINDS
from projects.models import Commitment

PARAMS_HELP = (
    "The commitment's parameters as a JSON object; which ones depend on the kind. "
    + " ".join(f"{name}: {', '.join(kind.Terms.model_fields)}." for name, kind in KINDS.items())
    + ' Example: {"qualifier": "area_resident", "scope": "project", "target_percent": "40"}.'
)


class CommitmentForm(forms.ModelForm):
    """Shows each bad parameter as "name: what is wrong" under the parameters box.

    The kind's typed terms (compliance.evaluation.kinds) check the parameters, through
    Commitment.clean, keyed by parameter name ("target_percent", "rates[0].base"); those
    are not form fields, so they are shown on `params`.
    """

    kind = forms.ChoiceField(choices=[(name, kind.label) for name, kind in KINDS.items()])
    effective_from = forms.DateField(
        required=False,
        help_text="When changed terms take effect (YYYY-MM-DD; default today). The earlier "
        "terms stay in force before it.",
    )
    change_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the terms change",
        help_text="Required when you change the parameters or the area: the amendment, the "
        "phase, the vote. Shown in the history.",
    )

    class Meta:
        model = Commitment
        fields = [
            "project",
            "agreement",
            "key",
            "clause",
            "position",
            "title",
            "kind",
            "area",
            "params",
            "text",
        ]
        help_texts = {"params": PARAMS_HELP}

    def terms_changed(self) -> bool:
        return self.instance.pk is not None and bool({"params", "area"} & set(self.changed_data))

    def clean(self):
        cleaned = super().clean()
        if self.terms_changed() and not (cleaned.get("change_note") or "").strip():
            self.add_error("change_note", "Say why the terms change: it is kept in the history.")
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        if not hasattr(errors, "error_dict"):
            return super()._update_errors(errors)
        own = {}
        for name, error_list in errors.error_dict.items():
            if name in self.fields or name == NON_FIELD_ERRORS:
                own.setdefault(name, []).extend(error_list)
            elif "params" not in self._errors:
                own.setdefault("params", []).extend(
                    f"{name}: {message}" for message in ValidationError(error_list).messages
                )
        if own:
            super()._update_errors(ValidationError(own))


def params_list(params: dict):
    if not params:
        return "—"
    return format_html_join(
        "", "<div><code>{}</code>: {}</div>", sorted((k, str(v)) for k, v in params.items())
    )


def shown(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)
