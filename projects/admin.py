"""The program admin's setup pages (SPEC §7.1): projects, agreements, policies,
commitments, people.

Every save and delete made here is an audit event (projects/admin_audit.py). A commitment's
terms are never overwritten: changing them on its page records a new version from an
effective date, with who and why (SPEC §3.6), and the page lists its history. Changing a
policy's template offers the amendment to every project that adopted it, each listed.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from compliance.evaluation.kinds import KINDS
from projects.admin_audit import AuditedAdmin
from projects.models import (
    Adoption,
    Agreement,
    ApiToken,
    Area,
    Assignment,
    Commitment,
    Craft,
    Membership,
    Monitoring,
    Organization,
    Policy,
    PolicyCommitment,
    Project,
)
from projects.policies import (
    adopters_of,
    commitment_amend,
    history,
    policy_adopt,
    template_apply,
    terms_baseline,
    version_changes,
)
from projects.tokens import api_token_revoke

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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class AgreementInline(admin.StackedInline):
    model = Agreement
    extra = 0
    show_change_link = True
    fields = [
        ("key", "title"),
        ("effective_date", "public"),
        "signatories",
        "document",
        ("cure_period_days", "report_due_day", "damages_basis"),
    ]


class CommitmentInline(admin.StackedInline):
    """A project's commitments at a glance; their terms change on the commitment's own page,
    where a change becomes a version with its reason."""

    model = Commitment
    extra = 0
    show_change_link = True
    can_delete = False
    fields = [("key", "clause", "position"), "agreement", "title", "terms", "text"]
    readonly_fields = ["terms"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Terms (latest version)")
    def terms(self, obj):
        return _params_list(obj.params) if obj.pk else "—"


def _params_list(params: dict):
    if not params:
        return "—"
    return format_html_join(
        "", "<div><code>{}</code>: {}</div>", sorted((k, str(v)) for k, v in params.items())
    )


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "project"
    extra = 0
    show_change_link = True
    autocomplete_fields = ["contractor"]
    fields = ["contractor", "tier", "parent", "scope_of_work", "start_date", "end_date"]


class MonitoringInline(admin.TabularInline):
    model = Monitoring
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "kind", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind"]}),
        (
            "Letterhead and signature",
            {
                "fields": ["address", "phone", "email", "signer_name", "signer_title"],
                "description": "Printed on the notices a law center sends, and as the "
                "addressee's address on a notice to a contractor.",
            },
        ),
    ]

    @admin.display(description="Members")
    def member_count(self, obj):
        return obj.memberships.count()


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "organization", "title"]
    list_filter = ["organization__kind", "organization"]
    search_fields = ["user__username", "user__email", "user__last_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["name", "slug", "location", "status", "start_date", "end_date", "owner"]
    list_filter = ["status", "owner"]
    search_fields = ["name", "slug", "location"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["crafts"]
    autocomplete_fields = ["owner"]
    inlines = [AgreementInline, MonitoringInline, CommitmentInline, AssignmentInline]


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


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin):
    list_display = [
        "title",
        "key",
        "project",
        "effective_date",
        "report_due_day",
        "cure_period_days",
        "damages_basis",
        "public",
    ]
    list_filter = ["project", "damages_basis", "public"]
    search_fields = ["title", "key", "project__name", "signatories"]

    def get_inlines(self, request, obj):
        # A policy is adopted into an agreement that exists: add the agreement first.
        return [AdoptionInline] if obj is not None else []

    def save_formset(self, request, form, formset, change):
        if formset.model is not Adoption:
            return super().save_formset(request, form, formset, change)
        for adoption_form in formset.forms:
            if not adoption_form.has_changed() or not adoption_form.cleaned_data.get("policy"):
                continue
            policy_adopt(
                agreement=form.instance,
                policy=adoption_form.cleaned_data["policy"],
                overrides=adoption_form.cleaned_data.get("overrides") or {},
                user=request.user,
            )


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ["name", "slug", "zip_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="ZIP codes")
    def zip_count(self, obj):
        return len(obj.zips)


@admin.register(Craft)
class CraftAdmin(AuditedAdmin):
    list_display = ["name", "alias_list"]
    list_filter = ["projects"]
    search_fields = ["name"]

    @admin.display(description="Aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)


@admin.register(Commitment)
class CommitmentAdmin(AuditedAdmin):
    form = CommitmentForm
    list_display = ["title", "key", "clause", "kind", "project", "agreement", "area"]
    list_filter = ["project", "kind"]
    search_fields = ["key", "title", "clause", "text", "project__name"]
    list_select_related = ["project", "agreement", "area"]
    autocomplete_fields = ["area"]
    fields = [
        "project",
        "agreement",
        ("key", "clause", "position"),
        "title",
        "kind",
        "area",
        "params",
        "parameters",
        ("effective_from", "change_note"),
        "text",
        "terms_history",
    ]
    readonly_fields = ["parameters", "terms_history"]

    @admin.display(description="Parameters in force")
    def parameters(self, obj):
        """The saved parameters with their defaults filled in (not what a refused form holds)."""
        saved = Commitment.objects.filter(pk=obj.pk).values_list("params", flat=True).first()
        return _params_list(saved or {})

    @admin.display(description="History of the terms")
    def terms_history(self, obj):
        """Each version: from when, what changed (old → new), who recorded it and why."""
        if not obj.pk:
            return "—"
        rows = []
        for row in history(obj):
            version = row["version"]
            if row["first"]:
                what = "First terms"
            else:
                what = format_html_join(
                    "",
                    "<div><code>{}</code>: {} → {}</div>",
                    ((k, _shown(old), _shown(new)) for k, (old, new) in row["changes"].items()),
                )
            rows.append(
                (
                    version.effective_from.isoformat(),
                    what,
                    version.who,
                    timezone.localtime(version.created_at).strftime("%Y-%m-%d %H:%M"),
                    version.note or "—",
                )
            )
        if not rows:
            return "No version recorded yet: the parameters above apply from the start."
        return format_html(
            "<table><thead><tr><th>In force from</th><th>What changed</th><th>Who</th>"
            "<th>Recorded</th><th>Why</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                rows,
            ),
        )

    def save_model(self, request, obj, form, change):
        """New terms become a version from their effective date; the rest saves as usual."""
        if not form.terms_changed():
            super().save_model(request, obj, form, change)
            if not change:
                terms_baseline(obj, user=request.user)
            return
        new_params, new_area = obj.params, obj.area
        saved = Commitment.objects.get(pk=obj.pk)
        with transaction.atomic():
            terms_baseline(saved, user=request.user)
            obj.params, obj.area = saved.params, saved.area
            super().save_model(request, obj, form, change)
            try:
                commitment_amend(
                    commitment=obj,
                    effective_from=form.cleaned_data.get("effective_from") or timezone.localdate(),
                    changes=new_params,
                    area=new_area,
                    note=form.cleaned_data["change_note"],
                    user=request.user,
                    replace=True,
                )
            except ValidationError as exc:
                messages.warning(request, " ".join(exc.messages))
        obj.refresh_from_db()


def _shown(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


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
                    (k, _shown(o), _shown(n))
                    for k, (o, n) in (request.session.get(key) or {}).items()
                ),
                "adopters": adopters,
                "form": form,
                "opts": self.model._meta,
            },
        )


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ["contractor", "project", "tier", "parent", "start_date", "end_date"]
    list_filter = ["project", "tier", "contractor"]
    search_fields = ["contractor__name", "contractor__slug", "project__name", "scope_of_work"]
    list_select_related = ["contractor", "project", "parent__contractor"]
    autocomplete_fields = ["contractor", "contacts"]
    raw_id_fields = ["parent"]


@admin.register(Monitoring)
class MonitoringAdmin(AuditedAdmin):
    list_display = ["organization", "project"]
    list_filter = ["project", "organization__kind"]
    search_fields = ["organization__name", "project__name"]
    autocomplete_fields = ["organization"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners; an admin can see them and revoke them."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, user=request.user)
        messages.success(request, "The selected tokens no longer work.")


class UserMembershipInline(admin.StackedInline):
    model = Membership
    can_delete = True
    max_num = 1
    autocomplete_fields = ["organization"]
    verbose_name = "organization (decides the user's role)"


admin.site.unregister(User)


@admin.register(User)
class CbaUserAdmin(AuditedAdmin, UserAdmin):
    """Users with their organization on the same page: the organization decides the role."""

    inlines = [UserMembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "organization", "is_staff"]
    list_filter = ["is_staff", "is_active", "membership__organization__kind"]
    list_select_related = ["membership__organization"]

    @admin.display(description="Organization", ordering="membership__organization__name")
    def organization(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.organization if membership else "—"
