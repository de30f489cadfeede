"""The program admin's setup pages (SPEC §7.1): projects, agreements, policies,
commitments, people.

Every save and delete made here is an audit event (projects/admin_audit.py). A commitment's
terms are never overwritten: changing them on its page records a new version from an
effective date, with who and why (SPEC §3.6), and the page lists its history. Changing a
policy's template offers the amendment to every project that adopted it, each listed.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from projects.admin_audit import AuditedAdmin
from projects.admin_forms import CommitmentForm, params_list, shown
from projects.admin_policies import AdoptionInline
from projects.models import (
    Adoption,
    Agreement,
    ApiToken,
    Area,
    Assignment,
    Certification,
    Commitment,
    Craft,
    Membership,
    Monitoring,
    Organization,
    Project,
)
from projects.policies import (
    commitment_amend,
    history,
    policy_adopt,
    terms_baseline,
)
from projects.tokens import api_token_revoke


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
        return params_list(obj.params) if obj.pk else "—"


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "project"
    extra = 0
    show_change_link = True
    autocomplete_fields = ["contractor"]
    fields = [
        "contractor",
        "tier",
        "parent",
        "scope_of_work",
        "contract_value",
        "start_date",
        "end_date",
    ]


class CertificationInline(admin.TabularInline):
    """The firm's certifications on this project (SPEC §3.7): a contracting share counts a
    payment when the firm held a qualifying one on the payment's date."""

    model = Certification
    extra = 1
    fields = ["type", "valid_from", "valid_to"]


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
        return params_list(saved or {})

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
                    ((k, shown(old), shown(new)) for k, (old, new) in row["changes"].items()),
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


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ["contractor", "project", "tier", "parent", "start_date", "end_date"]
    list_filter = ["project", "tier", "contractor"]
    search_fields = ["contractor__name", "contractor__slug", "project__name", "scope_of_work"]
    list_select_related = ["contractor", "project", "parent__contractor"]
    autocomplete_fields = ["contractor", "contacts"]
    raw_id_fields = ["parent"]
    inlines = [CertificationInline]


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
