"""Who and what is promised: organizations, projects, agreements, commitments, assignments."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.dispatch import Signal
from django.utils import timezone

from compliance.reporting import obligation
from compliance.storage import agreement_file_name


class Organization(models.Model):
    class Kind(models.TextChoices):
        CONTRACTOR = "contractor", "Contractor"
        COALITION = "coalition", "Community coalition"
        LAW_CENTER = "law_center", "Law center"
        OWNER = "owner", "Owner / developer"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The letterhead and signature block of the documents it sends (a law center's notice),
    # and a contractor's address on a notice addressed to it.
    address = models.TextField(blank=True, help_text="Street, city, state and ZIP, one a line.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    signer_name = models.CharField(
        max_length=120, blank=True, help_text="Who signs the notices it sends."
    )
    signer_title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in one organization; their role follows the organization's kind."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    title = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.user} at {self.organization}"


class Area(models.Model):
    """A named list of 5-digit ZIP codes, reusable across projects."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    zips = models.JSONField(default=list, help_text="List of 5-digit ZIP codes.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        bad = [z for z in self.zips if not (isinstance(z, str) and len(z) == 5 and z.isdigit())]
        if bad:
            raise ValidationError({"zips": f"Not 5-digit ZIP codes: {', '.join(map(str, bad))}."})


def normalize_craft_name(value: str) -> str:
    """Craft matching ignores case and spaces (SPEC §2): "Op  Eng" == "op eng" == "OpEng"."""
    return "".join(str(value).split()).casefold()


class Craft(models.Model):
    """A trade classification; uploads may use any of its aliases."""

    name = models.CharField(max_length=100, unique=True)
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def match_keys(self) -> set[str]:
        return {normalize_craft_name(n) for n in [self.name, *self.aliases]}


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        COMPLETE = "complete", "Complete"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_projects",
        limit_choices_to={"kind": Organization.Kind.OWNER},
    )
    start_date = models.DateField()
    end_date = models.DateField(help_text="Expected completion.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    crafts = models.ManyToManyField(Craft, related_name="projects", blank=True)
    monitors = models.ManyToManyField(
        Organization, through="Monitoring", related_name="monitored_projects", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Expected completion is before the start date."})


class Monitoring(models.Model):
    """A coalition or law center that follows a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="monitoring")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="monitoring",
        limit_choices_to={"kind__in": ["coalition", "law_center"]},
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "organization"], name="unique_monitoring")
        ]

    def __str__(self) -> str:
        return f"{self.organization} monitors {self.project}"


class Agreement(models.Model):
    """The CBA or policy a project is bound by.

    `damages_basis` says when liquidated damages fall due: at the project's completion (a
    shortfall before then is an exposure, not a debt) or as the shortfall accrues
    (compliance.evaluation.damages applies it).
    """

    class DamagesBasis(models.TextChoices):
        AT_COMPLETION = "at_completion", "At completion (an exposure until then)"
        TO_DATE = "to_date", "To date (owed as the shortfall accrues)"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="agreement")
    title = models.CharField(max_length=200)
    effective_date = models.DateField()
    signatories = models.TextField(blank=True)
    document = models.FileField(upload_to=agreement_file_name, blank=True)
    cure_period_days = models.PositiveIntegerField(default=30)
    report_due_day = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Day of the next month a monthly report is due.",
    )
    damages_basis = models.CharField(
        max_length=14,
        choices=DamagesBasis.choices,
        default=DamagesBasis.AT_COMPLETION,
        help_text="When liquidated damages are owed: at the project's completion (or a count's "
        "due date), or as the shortfall accrues.",
    )

    def __str__(self) -> str:
        return self.title

    def report_due_date(self, period: datetime.date) -> datetime.date:
        """A month's report is due on `report_due_day` of the next month (SPEC §3.4)."""
        return obligation.due_date(period, due_day=self.report_due_day)


# A commitment's kind, and so its parameters, belong to the compliance engine
# (compliance.evaluation.kinds), which this app must not import: the kinds answer this
# signal, sent before every save, with the parameters checked and normalised.
commitment_check = Signal()
# Answered by the kinds too: whether progress entries (SPEC §2) are a commitment's evidence.
commitment_takes_progress = Signal()
# And in words: {"description": the promise in a sentence, "unit": what it counts}.
commitment_words = Signal()


class Commitment(models.Model):
    """One enforceable promise of an agreement; its parameters depend on its kind (SPEC §3),
    one of compliance.evaluation.kinds.KINDS."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitments")
    key = models.SlugField(max_length=60)
    clause = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True, help_text="The clause text, as signed.")
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="unique_commitment_key")
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.title}".strip()

    def clean(self) -> None:
        """Its kind checks the parameters (raising ValidationError keyed by parameter path)
        and stores them normalised."""
        answers = commitment_check.send(sender=Commitment, commitment=self)
        if not answers:
            raise ImproperlyConfigured(
                "No commitment kinds are registered: is compliance installed?"
            )
        self.params = answers[0][1]

    @property
    def takes_progress(self) -> bool:
        """Whether it is measured by progress entries (a count), as its kind says."""
        answers = commitment_takes_progress.send(sender=Commitment, commitment=self)
        return any(answer for _, answer in answers)

    def _words(self) -> dict:
        answers = commitment_words.send(sender=Commitment, commitment=self)
        return answers[0][1] if answers else {}

    @property
    def description(self) -> str:
        """The promise in one sentence a person with no training can read."""
        return self._words().get("description", self.title)

    @property
    def unit(self) -> str:
        """What its figures count: "hours", "dollars", "units"."""
        return self._words().get("unit", "")

    def save(self, *args, **kwargs) -> None:
        """A commitment with a bad parameter cannot be saved, from any door."""
        self.clean()
        super().save(*args, **kwargs)


class Assignment(models.Model):
    """A contractor on a project, and its monthly reporting obligation."""

    class Tier(models.TextChoices):
        PRIME = "prime", "Prime"
        SUB = "sub", "Subcontractor"
        LOWER = "lower", "Lower-tier subcontractor"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    contractor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="assignments",
        limit_choices_to={"kind": Organization.Kind.CONTRACTOR},
    )
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.SUB)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    scope_of_work = models.CharField(max_length=300, blank=True)
    contract_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The value of its contract, in dollars.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Blank: project completion.")
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="contact_assignments"
    )

    class Meta:
        ordering = ["project", "tier", "contractor__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "contractor"], name="unique_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.contractor} on {self.project}"

    def clean(self) -> None:
        if self.parent_id and self.parent.project_id != self.project_id:
            raise ValidationError({"parent": "The parent must be on the same project."})
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end is before the start."})

    @property
    def obligation_end(self):
        return self.end_date or self.project.end_date


class Certification(models.Model):
    """A business certification the firm on an assignment holds (SPEC §3.7), valid from one
    date to another (either end open). A contracting share counts a payment to the firm when
    it held a qualifying certification on the payment's date."""

    class Type(models.TextChoices):
        LOCAL = "local", "Local business"
        SMALL = "small", "Small business"
        DISADVANTAGED = "disadvantaged", "Disadvantaged business"
        MINORITY = "minority", "Minority-owned business"
        WOMEN = "women", "Women-owned business"
        DISABLED_VETERAN = "disabled_veteran", "Disabled-veteran-owned business"
        SECTION3 = "section3", "Section 3 business"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="certifications"
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    valid_from = models.DateField(null=True, blank=True, help_text="Blank: since always.")
    valid_to = models.DateField(null=True, blank=True, help_text="Blank: no expiry.")

    class Meta:
        ordering = ["assignment", "type", "valid_from"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.assignment.contractor})"

    @property
    def project(self):
        return self.assignment.project

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The certification expires before it starts."})


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_token() -> str:
        return "cba_" + secrets.token_urlsafe(32)
