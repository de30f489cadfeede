"""Admin pages for what was reported and what it means.

Reports, payroll lines, evaluations, audit events and notifications are evidence or
computed results: the admin shows them and never changes them. Workers, progress entries,
flags, memos and enforcement actions can be corrected here, and each change is audited.
No full SSN is ever stored, so none can be shown (an eCPR worker ID is a keyed hash).
"""

from django.contrib import admin
from django.utils import timezone

from compliance.models import (
    AuditEvent,
    EnforcementAction,
    Evaluation,
    Flag,
    FlagEvent,
    Memo,
    Notification,
    Payment,
    PayrollLine,
    ProgressEntry,
    Report,
    Worker,
)
from projects.admin_audit import AuditedAdmin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never edited: evidence and computed results."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(ReadOnlyInline):
    """A prime's payments to its subcontractors, as the version reported them."""

    model = Payment
    fk_name = "report"
    fields = ["row_number", "date", "subcontractor", "amount", "is_current"]
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    inlines = [PaymentInline]
    list_display = [
        "assignment",
        "period",
        "version",
        "is_current",
        "source",
        "is_late",
        "line_count",
        "total_hours",
        "submitted_by",
        "submitted_at",
    ]
    list_filter = [
        "assignment__project",
        "source",
        "is_current",
        "is_late",
        "no_work",
        "assignment__tier",
        "assignment__contractor",
    ]
    search_fields = ["assignment__contractor__name", "original_filename", "sha256"]
    date_hierarchy = "period"
    list_select_related = ["assignment__contractor", "assignment__project", "submitted_by"]


@admin.register(PayrollLine)
class PayrollLineAdmin(ReadOnlyAdmin):
    list_display = [
        "worker",
        "week_ending",
        "craft",
        "home_zip",
        "is_apprentice",
        "hours",
        "hourly_rate",
        "assignment",
        "is_current",
    ]
    list_filter = ["project", "is_current", "is_apprentice", "craft"]
    search_fields = ["worker__worker_key", "home_zip"]
    list_select_related = ["worker", "craft", "assignment__contractor", "assignment__project"]
    show_full_result_count = False
    date_hierarchy = "week_ending"


@admin.register(Worker)
class WorkerAdmin(AuditedAdmin):
    list_display = ["worker_key", "name", "contractor"]
    list_filter = ["contractor"]
    search_fields = ["worker_key", "name"]
    list_select_related = ["contractor"]
    readonly_fields = ["contractor", "worker_key"]

    def has_add_permission(self, request):
        return False


@admin.register(ProgressEntry)
class ProgressEntryAdmin(AuditedAdmin):
    list_display = ["commitment", "date", "quantity", "ami_percent", "entered_by"]
    list_filter = ["commitment__project", "commitment"]
    search_fields = ["note", "commitment__title", "commitment__key"]
    date_hierarchy = "date"
    list_select_related = ["commitment__project", "entered_by"]
    raw_id_fields = ["entered_by"]


class FlagEventInline(ReadOnlyInline):
    model = FlagEvent
    fields = ["created_at", "actor", "kind", "from_status", "to_status", "visibility", "note"]
    readonly_fields = fields


@admin.register(Flag)
class FlagAdmin(AuditedAdmin):
    list_display = [
        "title",
        "project",
        "kind",
        "severity",
        "status",
        "assignment",
        "month",
        "raised_at",
    ]
    list_filter = ["project", "kind", "severity", "status", "assignment__contractor"]
    search_fields = ["title", "commitment_key", "dedupe_key"]
    list_select_related = ["project", "assignment__contractor"]
    readonly_fields = [
        "project",
        "commitment",
        "commitment_key",
        "kind",
        "group_key",
        "assignment",
        "craft",
        "month",
        "dedupe_key",
        "figures",
        "previous",
        "raised_at",
        "updated_at",
        "resolved_at",
    ]
    inlines = [FlagEventInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Changed now: the next evaluation reconciles it with its result (`engine.inputs`).
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Memo)
class MemoAdmin(AuditedAdmin):
    list_display = ["project", "assignment", "status", "requested_by", "requested_at"]
    list_filter = ["project", "status"]
    search_fields = ["project__name", "assignment__contractor__name", "failure_reason"]
    list_select_related = ["project", "assignment__contractor", "requested_by"]
    readonly_fields = [
        "project",
        "assignment",
        "commitment_keys",
        "requested_by",
        "requested_at",
        "status",
        "failure_reason",
        "pdf",
        "pdf_sha256",
        "snapshot_sha256",
        "finished_at",
    ]
    exclude = ["snapshot", "flags"]

    def has_add_permission(self, request):
        return False


@admin.register(EnforcementAction)
class EnforcementActionAdmin(AuditedAdmin):
    list_display = [
        "kind",
        "project",
        "assignment",
        "date",
        "amount",
        "cure_deadline",
        "cured_at",
        "created_by",
    ]
    list_filter = ["project", "kind", "assignment__contractor"]
    search_fields = ["note", "project__name", "assignment__contractor__name"]
    date_hierarchy = "date"
    list_select_related = ["project", "assignment__contractor", "created_by"]
    raw_id_fields = ["assignment", "memo", "created_by"]
    filter_horizontal = ["flags"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = [
        "project",
        "commitment_key",
        "group_key",
        "status",
        "actual_percent",
        "target_percent",
        "shortfall",
        "as_of",
    ]
    list_filter = ["project", "kind", "status"]
    search_fields = ["commitment_key", "group_key"]
    list_select_related = ["project"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "actor_label", "verb", "object_type", "project"]
    list_filter = ["verb", "object_type", "project"]
    search_fields = ["verb", "actor__username", "actor_label", "object_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "project"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "message", "created_at", "read_at", "emailed_at"]
    list_filter = ["read_at", "emailed_at"]
    search_fields = ["user__username", "message"]
    list_select_related = ["user"]
