from django.conf import settings
from django.db import models
from django.utils import timezone

from compliance.storage import memo_file_name
from projects.models import Assignment, Project


class Memo(models.Model):
    """An enforcement memo (SPEC §6), built in the background and stored with its evidence.

    Its audience decides what it may carry (`projects.access.note_visibilities_for_audience`):
    a `recipient` memo, addressed to a contractor and/or the owner, carries shared notes and
    worker IDs only; a `counsel` memo, the law center's own, carries internal notes and
    worker names, and every page says it is privileged.
    """

    class Audience(models.TextChoices):
        RECIPIENT = "recipient", "For the recipient (the contractor and/or the owner)"
        COUNSEL = "counsel", "Counsel's case memo (privileged)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memos")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="memos"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.RECIPIENT)
    commitment_keys = models.JSONField(default=list, blank=True)
    # The day the figures are measured to: the end of the last complete month unless the
    # requester chose one (compliance.enforcement.memos.build.memo_as_of).
    as_of = models.DateField(null=True, blank=True)
    flags = models.ManyToManyField("compliance.Flag", blank=True, related_name="memos")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.TextField(blank=True)
    pdf = models.FileField(upload_to=memo_file_name, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    @property
    def download_name(self) -> str:
        """The PDF's file name; a counsel memo says it is privileged, so it is not sent out
        by mistake."""
        marking = "-privileged" if self.audience == self.Audience.COUNSEL else ""
        return f"memo-{self.pk}-{self.project.slug}{marking}.pdf"


class EnforcementAction(models.Model):
    """A step the law center takes (SPEC §4); a notice starts a cure deadline."""

    class Kind(models.TextChoices):
        NOTICE = "notice", "Notice of non-compliance"
        CURE_DEMAND = "cure_demand", "Cure demand"
        MEETING = "meeting", "Meeting"
        PAYMENT_WITHHELD = "payment_withheld", "Payment withheld"
        DAMAGES_ASSESSED = "damages_assessed", "Liquidated damages assessed"
        SETTLEMENT = "settlement", "Settlement"
        CLOSED = "closed", "Closed"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="enforcement_actions"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    flags = models.ManyToManyField("compliance.Flag", blank=True, related_name="actions")
    memo = models.ForeignKey(Memo, on_delete=models.SET_NULL, null=True, blank=True)
    cure_deadline = models.DateField(null=True, blank=True)
    cured_at = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
