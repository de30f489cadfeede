"""Who and what is promised: organizations, projects, agreements, commitments and their
versions, assignments. Policies (reusable sets of commitment templates) live in
projects/models_policies.py, re-exported here."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from compliance.reporting import obligation
from compliance.storage import agreement_file_name
from projects.commitment_signals import (  # noqa: F401 (re-exported for the kinds)
    commitment_check,
    commitment_takes_progress,
    commitment_words,
)
from projects.models_policies import (  # noqa: F401 (registered with the app, re-exported)
    Adoption,
    Policy,
    PolicyCommitment,
)


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
    # The language the person reads pages and e-mails in; blank follows the browser.
    language = models.CharField(
        max_length=8, blank=True, choices=settings.LANGUAGES, verbose_name="language"
    )

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

    class Sector(models.TextChoices):
        TRANSIT = "transit", "Transit"
        HOUSING = "housing", "Housing"
        MIXED_USE = "mixed_use", "Mixed use"
        ARENA = "arena", "Arena or stadium"
        PUBLIC_WORKS = "public_works", "Public works"

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
    # What a comparison across cities needs (SPEC §2, issue 14 item 6).
    jurisdiction = models.CharField(
        max_length=200, blank=True, help_text="The city, county or agency whose rules apply."
    )
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    total_cost = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Dollars."
    )
    public_subsidy = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Dollars."
    )
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

    @property
    def agreement(self) -> "Agreement | None":
        """The project's primary agreement (see `governing_agreement`), None without one."""
        cached = self.__dict__.get("_primary_agreement")
        if cached is None:
            cached = governing_agreement(self)
            if cached is not None:
                self.__dict__["_primary_agreement"] = cached
        return cached

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.__dict__.pop("_primary_agreement", None)
        super().refresh_from_db(*args, **kwargs)


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
    """An instrument the project is bound by: a CBA, a project labor agreement, a city
    ordinance as applied to it. A project may have several (see `governing_agreement`).

    `damages_basis` says when liquidated damages fall due: at the project's completion (a
    shortfall before then is an exposure, not a debt) or as the shortfall accrues
    (compliance.evaluation.damages applies it).
    """

    class DamagesBasis(models.TextChoices):
        AT_COMPLETION = "at_completion", "At completion (an exposure until then)"
        TO_DATE = "to_date", "To date (owed as the shortfall accrues)"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="agreements")
    key = models.SlugField(
        max_length=60,
        blank=True,
        help_text="Short name, unique within the project (made from the title when blank).",
    )
    title = models.CharField(max_length=200)
    effective_date = models.DateField()
    signatories = models.TextField(blank=True, help_text="The parties and who signed for them.")
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
    public = models.BooleanField(
        default=False, help_text="Its figures are shown on the public pages, without signing in."
    )

    class Meta:
        ordering = ["project", "effective_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="unique_agreement_key")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.key:
            base = slugify(self.title)[:50] or "agreement"
            taken = set(
                Agreement.objects.filter(project_id=self.project_id)
                .exclude(pk=self.pk)
                .values_list("key", flat=True)
            )
            key, n = base, 2
            while key in taken:
                key, n = f"{base}-{n}", n + 1
            self.key = key
        super().save(*args, **kwargs)

    def report_due_date(self, period: datetime.date) -> datetime.date:
        """A month's report is due on `report_due_day` of the next month (SPEC §3.4)."""
        return obligation.due_date(period, due_day=self.report_due_day)


def governing_agreement(project: Project, *, commitment=None) -> Agreement | None:
    """Which of a project's agreements governs what, once.

    What belongs to one commitment (the clause it is cited by, the damages basis of its
    shortfall, the cure period of a notice about its findings alone) follows the agreement
    the commitment belongs to. What belongs to the project as a whole follows its *primary*
    agreement, the one with the earliest effective date (ties: the first recorded): the
    monthly reporting obligation and so its `report_due_day` (one report a month, whatever
    the number of instruments), a document's heading, and the cure period of a notice
    covering commitments of several agreements. A commitment with no agreement recorded
    (set up before projects had several) belongs to the primary one. None when the
    project has no agreement yet; callers then use an unsaved `Agreement()`'s defaults.
    """
    if commitment is not None and commitment.agreement_id is not None:
        return commitment.agreement
    agreements = sorted(project.agreements.all(), key=lambda a: (a.effective_date, a.pk or 0))
    return agreements[0] if agreements else None


class Commitment(models.Model):
    """One enforceable promise of an agreement; its parameters depend on its kind (SPEC §3),
    one of compliance.evaluation.kinds.KINDS."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitments")
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="commitments",
        help_text="The agreement whose clause it is (blank: the project's primary agreement).",
    )
    # The policy template it was made from, when a policy adopted into the agreement made it.
    template = models.ForeignKey(
        "projects.PolicyCommitment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
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
        if self.agreement_id is not None and self.agreement.project_id != self.project_id:
            raise ValidationError({"agreement": "Choose one of this project's agreements."})

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
        """A commitment with a bad parameter cannot be saved, from any door; one saved
        without an agreement belongs to the project's primary agreement."""
        self.clean()
        if self.agreement_id is None and self.project_id is not None:
            self.agreement = governing_agreement(self.project)
        super().save(*args, **kwargs)

    def terms_on(self, day: datetime.date) -> "CommitmentVersion | None":
        """The version of its terms in force on a day (SPEC §3.6): the one with the latest
        effective date on or before it (ties: the later recorded); before the first version
        takes effect, the first. None when the terms have no version recorded (its `params`
        are then the terms, from the start). Uses prefetched versions when there are."""
        versions = sorted(self.versions.all(), key=lambda v: (v.effective_from, v.pk))
        in_force = [v for v in versions if v.effective_from <= day]
        if in_force:
            return in_force[-1]
        return versions[0] if versions else None


class CommitmentVersion(models.Model):
    """One version of a commitment's terms (SPEC §3.6): its parameters (and area) from an
    effective date, who recorded it and why. Versions are added, never edited or deleted;
    a phased target ("15% from 2025, 20% from 2026") is two versions. The commitment's own
    `params` and `area` mirror its latest version, so a page that shows "the terms" shows
    the latest; the engine applies the one in force on its as-of date."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField()
    params = models.JSONField(default=dict, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="Why: the amendment, the phase, the vote.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who, when no person did it: "load_project", "policy sf-local-hire".
    created_by_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["commitment", "effective_from", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment} — terms of {self.effective_from.isoformat()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("A version of a commitment's terms is never changed.")
        super().save(*args, **kwargs)

    @property
    def who(self) -> str:
        if self.created_by_id:
            return self.created_by.get_full_name() or self.created_by.get_username()
        return self.created_by_label or "—"


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
