"""The program admin's setup pages (SPEC §7.1): projects, agreements, commitments, people.

Every save and delete made here is an audit event (projects/admin_audit.py).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html_join

from compliance.evaluation.kinds import KINDS
from projects.admin_audit import AuditedAdmin
from projects.models import (
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

    class Meta:
        model = Commitment
        fields = ["project", "key", "clause", "position", "title", "kind", "area", "params", "text"]
        help_texts = {"params": PARAMS_HELP}

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
    extra = 1
    max_num = 1


class CommitmentInline(admin.StackedInline):
    model = Commitment
    form = CommitmentForm
    extra = 0
    show_change_link = True
    autocomplete_fields = ["area"]
    fields = [("key", "clause", "position"), "title", "kind", "area", "params", "text"]


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
        "project",
        "effective_date",
        "report_due_day",
        "cure_period_days",
        "damages_basis",
    ]
    list_filter = ["project", "damages_basis"]
    search_fields = ["title", "project__name", "signatories"]


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
    list_display = ["title", "key", "clause", "kind", "project", "area"]
    list_filter = ["project", "kind"]
    search_fields = ["key", "title", "clause", "text", "project__name"]
    list_select_related = ["project", "area"]
    autocomplete_fields = ["area"]
    fields = [
        "project",
        ("key", "clause", "position"),
        "title",
        "kind",
        "area",
        "params",
        "parameters",
        "text",
    ]
    readonly_fields = ["parameters"]

    @admin.display(description="Parameters in force")
    def parameters(self, obj):
        """The saved parameters with their defaults filled in (not what a refused form holds)."""
        saved = Commitment.objects.filter(pk=obj.pk).values_list("params", flat=True).first()
        if not saved:
            return "—"
        return format_html_join(
            "", "<div><code>{}</code>: {}</div>", sorted((k, str(v)) for k, v in saved.items())
        )


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
