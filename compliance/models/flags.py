from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compliance.models.evaluations import BulkJSONField
from compliance.status import severity_order
from compliance.storage import attachment_file_name
from projects.models import Assignment, Commitment, Craft, Project

# The statuses of a flag still to be dealt with (the queue, the one-per-key rule, its index).
UNRESOLVED = ["open", "acknowledged", "escalated", "disputed"]


class Flag(models.Model):
    """A finding a person must look at (SPEC §4).

    At most one unresolved flag per project and `dedupe_key` (kind, commitment, group,
    month), enforced by a partial unique constraint so two evaluations racing cannot raise
    twins, and two projects that share a commitment key never share a flag.
    """

    class Kind(models.TextChoices):
        SHORTFALL = "shortfall", pgettext_lazy("flag kind", "Shortfall")
        AT_RISK = "at_risk", pgettext_lazy("flag kind", "At risk")
        WAGE_VIOLATION = "wage_violation", pgettext_lazy("flag kind", "Wage violation")
        MISSING_REPORT = "missing_report", pgettext_lazy("flag kind", "Missing report")
        LATE_REPORT = "late_report", pgettext_lazy("flag kind", "Late report")
        DATA_ANOMALY = "data_anomaly", pgettext_lazy("flag kind", "Data anomaly")
        CURE_DEADLINE = "cure_deadline", pgettext_lazy("flag kind", "Cure deadline passed")

    class Severity(models.TextChoices):
        INFO = "info", _("Info")
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("flag", "Open")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("flag", "Acknowledged")
        ESCALATED = "escalated", pgettext_lazy("flag", "Escalated")
        DISPUTED = "disputed", pgettext_lazy("flag", "Disputed")
        RESOLVED = "resolved", pgettext_lazy("flag", "Resolved")
        WAIVED = "waived", pgettext_lazy("flag", "Waived")
        AUTO_RESOLVED = "auto_resolved", pgettext_lazy("flag", "Auto-resolved")

    UNRESOLVED = UNRESOLVED

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="flags")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    commitment_key = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    group_key = models.CharField(max_length=40, default="project")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    craft = models.ForeignKey(
        Craft, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    month = models.DateField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    figures = BulkJSONField(default=dict, blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reraised_as"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # When the condition behind a closed flag was last seen gone: a flag a person resolved or
    # waived is raised again only if its condition cleared and then came back.
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "dedupe_key"],
                condition=Q(status__in=UNRESOLVED),
                name="one_unresolved_flag_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="flag_project_status"),
            # The flag queue's default order, worst first (`flag_queue`): its first page
            # is read off this index instead of sorting every unresolved flag.
            models.Index(
                severity_order(),
                F("raised_at").desc(),
                F("id").desc(),
                name="flag_queue_worst_first",
                condition=Q(status__in=UNRESOLVED),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FlagEvent(models.Model):
    """A flag's history: raised, updated, each transition, each comment (who, when, note).

    Every note has a visibility (SPEC §4): `shared` notes are read by the contractor
    concerned and the owner too, `internal` ones by the coalition and the law center only.
    Who reads which is `projects.access.note_visibilities_for`. Events the engine writes
    (raised, updated) are shared: their notes are the flag's own figures.
    """

    class Visibility(models.TextChoices):
        SHARED = "shared", _("Shared: the contractor concerned and the owner read it")
        INTERNAL = "internal", _("Internal: the coalition and the law center only")

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(max_length=20)  # raised, updated, transition, comment
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    note = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Evidence attached to the note (a dispute's dispatch slips): read by whoever reads the
    # note (`projects.access.flag_attachments_for`), stored under a random name.
    attachment = models.FileField(upload_to=attachment_file_name, blank=True, max_length=200)
    attachment_name = models.CharField(max_length=160, blank=True)
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class Notification(models.Model):
    """An in-app alert for one person; `event_key` makes the same alert impossible twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    flag = models.ForeignKey(
        Flag, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    event_key = models.CharField(max_length=200)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event_key"], name="one_alert_per_event")
        ]


class NotificationPreference(models.Model):
    class Email(models.TextChoices):
        EACH = "each", _("An email for each alert")
        DIGEST = "digest", _("One daily digest")
        NONE = "none", _("No email")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.EACH)
