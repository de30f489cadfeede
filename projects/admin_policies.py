"""The program admin's policy pages: policies and their commitment templates, adopting a
policy into an agreement, and offering a template's amendment to every project that adopted
it, each listed (projects.policies holds the rules)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from compliance.evaluation.kinds import KINDS
from projects.admin_audit import AuditedAdmin
from projects.admin_forms import PARAMS_HELP, CommitmentForm, shown
from projects.models import Adoption, Policy, PolicyCommitment
from projects.policies import adopters_of, policy_adopt, template_apply, version_changes


class AdoptionForm(forms.ModelForm):
    """Adopting a policy into the agreement makes its commitments (projects.policies
    .policy_adopt); the form tries it first, so a bad override is shown here, by key."""

    class Meta:
        model = Adoption
        fields = ["policy", "overrides"]
        help_texts = {
            "overrides": 'Per commitment key, what differs for this project: {"local": '
            '{"area": "sf-city", "start_date": "2026-01-01", "target_percent": "25"}}.'
        }

    def clean(self):
        cleaned = super().clean()
        policy, overrides = cleaned.get("policy"), cleaned.get("overrides") or {}
        if policy is None or self.errors:
            return cleaned
        if not isinstance(overrides, dict):
            self.add_error("overrides", "Must be an object keyed by commitment key.")
            return cleaned
        try:
            with transaction.atomic():
                policy_adopt(agreement=self.instance.agreement, policy=policy, overrides=overrides)
                raise _TriedOnly
        except _TriedOnly:
            pass
        except ValidationError as exc:
            self.add_error(
                "overrides",
                [f"{name}: {m}" for name, ms in exc.message_dict.items() for m in ms],
            )
        return cleaned


class _TriedOnly(Exception):
    pass


class AdoptionInline(admin.TabularInline):
    model = Adoption
    form = AdoptionForm
    extra = 0
    can_delete = False
    fields = ["policy", "overrides", "adopted_at"]
    readonly_fields = ["adopted_at"]


class PolicyCommitmentInline(admin.StackedInline):
    model = PolicyCommitment
    extra = 0
    show_change_link = True
    autocomplete_fields = ["area"]
    fields = [("key", "clause", "position"), "title", "kind", "area", "params", "text"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            return forms.ChoiceField(
                choices=[(name, kind.label) for name, kind in KINDS.items()], label="Kind"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Policy)
class PolicyAdmin(AuditedAdmin):
    list_display = ["name", "jurisdiction", "type", "adopted", "local_definition", "public"]
    list_filter = ["type", "local_definition", "public"]
    search_fields = ["name", "slug", "jurisdiction", "source"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["exempt_crafts"]
    inlines = [PolicyCommitmentInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class TemplateForm(CommitmentForm):
    class Meta:
        model = PolicyCommitment
        fields = ["policy", "key", "clause", "position", "title", "kind", "area", "params", "text"]
        help_texts = {"params": PARAMS_HELP}

    def terms_changed(self) -> bool:
        return False


class ApplyForm(forms.Form):
    effective_from = forms.DateField(help_text="When the amendment takes effect (YYYY-MM-DD).")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Why: the amending ordinance, the vote."
    )
    commitments = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple, required=False, label="Apply to"
    )


@admin.register(PolicyCommitment)
class PolicyCommitmentAdmin(AuditedAdmin):
    """A policy's template; saving changed terms offers the amendment to its adopters."""

    form = TemplateForm
    list_display = ["title", "key", "clause", "kind", "policy"]
    list_filter = ["policy", "kind"]
    search_fields = ["key", "title", "clause", "policy__name"]
    autocomplete_fields = ["area"]
    exclude = []
    fields = TemplateForm.Meta.fields

    def save_model(self, request, obj, form, change):
        if change and "params" in form.changed_data:
            old = PolicyCommitment.objects.get(pk=obj.pk).params
            request.session[f"template-amendment-{obj.pk}"] = version_changes(old, obj.params)
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        if request.session.get(f"template-amendment-{obj.pk}") and adopters_of(obj):
            return redirect(reverse("admin:projects_policycommitment_apply", args=[obj.pk]))
        return super().response_change(request, obj)

    def get_urls(self):
        return [
            path(
                "<int:pk>/apply/",
                self.admin_site.admin_view(self.apply_view),
                name="projects_policycommitment_apply",
            ),
            *super().get_urls(),
        ]

    def apply_view(self, request, pk: int):
        """Apply a template's amendment to the projects that adopted it, each listed."""
        template = get_object_or_404(PolicyCommitment.objects.select_related("policy"), pk=pk)
        if not self.has_change_permission(request, template):
            return redirect("admin:index")
        key = f"template-amendment-{pk}"
        changes = {k: new for k, (old, new) in (request.session.get(key) or {}).items()}
        adopters = adopters_of(template)
        form = ApplyForm(
            request.POST or None,
            initial={"effective_from": timezone.localdate(), "commitments": []},
        )
        form.fields["commitments"].choices = [
            (c.pk, f"{c.project.name}: {c.key} ({c.agreement or 'no agreement'})") for c in adopters
        ]
        if request.method == "POST" and form.is_valid() and changes:
            chosen = [c for c in adopters if c.pk in form.cleaned_data["commitments"]]
            try:
                versions = template_apply(
                    template=template,
                    changes=changes,
                    effective_from=form.cleaned_data["effective_from"],
                    note=form.cleaned_data["note"],
                    apply_to=chosen,
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                request.session.pop(key, None)
                messages.success(
                    request,
                    f"The amendment applies to {len(versions)} of {len(adopters)} adopting "
                    f"commitments from {form.cleaned_data['effective_from']:%Y-%m-%d}.",
                )
                return redirect(reverse("admin:projects_policycommitment_change", args=[pk]))
        return TemplateResponse(
            request,
            "admin/projects/policycommitment/apply.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Apply the amendment of {template} to the projects that adopted it",
                "template_obj": template,
                "changes": sorted(
                    (k, shown(o), shown(n))
                    for k, (o, n) in (request.session.get(key) or {}).items()
                ),
                "adopters": adopters,
                "form": form,
                "opts": self.model._meta,
            },
        )
