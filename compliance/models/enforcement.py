from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
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

    class Document(models.TextChoices):
        NOTICE = "notice", "Notice of non-compliance and cure demand"
        CASE = "case", "Case memo"
        EXHIBITS = "exhibits", "Evidence exhibits"
        PACKAGE = "package", "Document package (ZIP)"

    # The formats each document is stored in, first the one shown first.
    FORMATS = {
        Document.NOTICE: ("pdf", "docx"),
        Document.CASE: ("pdf", "docx"),
        Document.EXHIBITS: ("xlsx",),
        Document.PACKAGE: ("zip",),
    }

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memos")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="memos"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.RECIPIENT)
    document = models.CharField(max_length=10, choices=Document.choices, default=Document.CASE)
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
    docx = models.FileField(upload_to=memo_file_name, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    xlsx = models.FileField(upload_to=memo_file_name, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    zip = models.FileField(upload_to=memo_file_name, blank=True)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    @property
    def download_name(self) -> str:
        """The PDF's file name."""
        return self.file_name("pdf")

    def file_name(self, fmt: str) -> str:
        """A download's name: what the document is, its project, and for anything a counsel
        memo built, that it is privileged, so it is not sent out by mistake."""
        word = {
            self.Document.NOTICE: "notice",
            self.Document.CASE: "memo",
            self.Document.EXHIBITS: "exhibits",
            self.Document.PACKAGE: "package",
        }.get(self.document, "memo")
        marking = "-privileged" if self.audience == self.Audience.COUNSEL else ""
        return f"{word}-{self.pk}-{self.project.slug}{marking}.{fmt}"

    def stored(self, fmt: str):
        """The stored file of one format (`pdf`, `docx`, `xlsx`, `zip`), or None."""
        if fmt not in self.FORMATS.get(self.document, ()):
            return None
        file = getattr(self, fmt)
        return file or None

    @property
    def document_label(self) -> str:
        """What the document is, in words, for the memo list."""
        if self.document == self.Document.CASE:
            if self.audience == self.Audience.COUNSEL:
                return "Case memo (privileged)"
            return "Memorandum to the recipient"
        if self.document == self.Document.PACKAGE and self.audience == self.Audience.COUNSEL:
            return "Document package with the case memo (privileged)"
        return self.get_document_display()

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats this memo offers for download, once ready."""
        if self.status != self.Status.READY:
            return ()
        return tuple(f for f in self.FORMATS.get(self.document, ()) if getattr(self, f))


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
    # A notice as actually sent (the attorney's edited PDF or DOCX), kept with its SHA-256.
    sent_document = models.FileField(upload_to=memo_file_name, blank=True)
    sent_document_name = models.CharField(max_length=200, blank=True)
    sent_document_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]


class LedgerQuerySet(models.QuerySet):
    def balances(self, *group_by: str) -> "LedgerQuerySet":
        """Totals per `group_by` (e.g. "project", "assignment"), summed in the database.

        The balance rule (docs/compliance-rules.md, "The enforcement ledger"):

            balance outstanding = assessed − paid − withheld, where a settled assessment
            counts for the amount agreed in its settlement instead of the amount assessed.

        `assessed` is what was assessed as first recorded; `settled_off` what settlements
        took off it (assessed amount − amount agreed, negative when a settlement agreed to
        more); `owed` = assessed − settled_off; `collected` = paid + withheld;
        `balance` = owed − collected. A negative balance is an overpayment.
        """
        kind = LedgerEntry.Kind
        zero = models.Value(
            Decimal(0), output_field=models.DecimalField(max_digits=14, decimal_places=2)
        )

        def total(expression, condition) -> models.Expression:
            return Coalesce(models.Sum(expression, filter=condition), zero)

        return (
            self.order_by()
            .values(*group_by)
            .annotate(
                assessed=total("amount", models.Q(kind=kind.ASSESSED)),
                settled_off=total(
                    models.F("settles__amount") - models.F("amount"),
                    models.Q(kind=kind.SETTLEMENT),
                ),
                paid=total("amount", models.Q(kind=kind.PAYMENT)),
                withheld=total("amount", models.Q(kind=kind.WITHHELD)),
            )
            .annotate(
                owed=models.F("assessed") - models.F("settled_off"),
                collected=models.F("paid") + models.F("withheld"),
            )
            .annotate(balance=models.F("owed") - models.F("collected"))
        )


class LedgerEntry(models.Model):
    """One line of the enforcement ledger (SPEC §6): money between the agreement's
    enforcers and one contractor on one project.

    An assessment keeps the calculation that produced it as text and as figures (quantity,
    unit, rate, amount) copied at the time, so a later change of terms or a re-evaluation
    never rewrites what was assessed. A settlement names the assessment it settles and
    replaces its amount with the amount agreed. The balance is `LedgerQuerySet.balances`.
    """

    class Kind(models.TextChoices):
        ASSESSED = "assessed", "Damages assessed"
        PAYMENT = "payment", "Payment received"
        WITHHELD = "withheld", "Amount withheld"
        SETTLEMENT = "settlement", "Settlement"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ledger_entries")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    commitment = models.ForeignKey(
        "projects.Commitment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commitment_label = models.CharField(max_length=400, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    rate = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    calculation = models.TextField(blank=True)
    evaluation_as_of = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    settles = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="settlements"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="ledger_amount_not_negative"
            ),
            models.UniqueConstraint(
                fields=["settles"],
                condition=models.Q(kind="settlement"),
                name="one_settlement_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.date}: {self.amount}"
