"""What contractors report: versioned monthly reports, their payroll lines, workers, progress."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from compliance.storage import evidence_file_name, report_file_name
from projects.models import Assignment, Commitment, Craft, Organization, Project


class Worker(models.Model):
    """A contractor's worker, keyed by the contractor's worker ID (for eCPR, a keyed SSN hash).

    The name is sensitive: only the worker's contractor and the law center may see it.
    """

    contractor = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workers")
    worker_key = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contractor", "worker_key"], name="unique_worker")
        ]

    def __str__(self) -> str:
        return self.worker_key


class Report(models.Model):
    """One version of one assignment's report for one calendar month.

    Every submission or amendment is a new version; exactly one version per (assignment,
    month) is current, enforced by a partial unique constraint; older versions stay forever.
    """

    class Source(models.TextChoices):
        EXCEL = "excel", pgettext_lazy("report source", "Excel upload")
        ECPR = "ecpr", pgettext_lazy("report source", "eCPR XML")
        NY_XML = "ny_xml", pgettext_lazy("report source", "New York payroll XML")
        EXPORT = "export", pgettext_lazy("report source", "Payroll export (mapped)")
        API = "api", pgettext_lazy("report source", "API")
        WEB = "web", pgettext_lazy("report source", "Web form")
        NO_WORK = "no_work", pgettext_lazy("report source", "No work this month")
        OPEN_DATA = "open_data", pgettext_lazy("report source", "Open data")

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reports")
    period = models.DateField(help_text="First day of the reported month.")
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    no_work = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)
    source_file = models.FileField(upload_to=report_file_name, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    total_hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    worker_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    # When the engine checked this version's lines for data anomalies (SPEC §4). A version's
    # lines never change, so each version is checked once.
    anomalies_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment", "-period", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period", "version"], name="unique_report_version"
            ),
            models.UniqueConstraint(
                fields=["assignment", "period"],
                condition=Q(is_current=True),
                name="one_current_report_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.contractor} {self.period:%Y-%m} v{self.version}"


class PayrollLine(models.Model):
    """One worker, one week ending, one craft. Attributes are stored on the line.

    `project`, `assignment` and `is_current` repeat what the report says so the engine can
    aggregate a million lines without a join; the intake keeps them in step.

    Every index and foreign-key check here is paid once per line at import (100,000 lines
    a month for a large contractor). So: no index a listed one already starts with, and no
    database constraint on the repeated `project` and `assignment` (the report's own
    foreign key already guarantees them) nor on `craft` (the intake only writes the
    project's crafts; Django still refuses to delete a craft in use, and cascades deletes).
    On PostgreSQL the `report` and `worker` foreign keys are checked per statement rather
    than per line (migration 0027's triggers stand in for the two constraints): one
    anti-join over the lines a statement added, where a foreign key looks up and locks the
    referenced row once a line (two seconds at 100,000 lines). SQLite keeps its foreign
    keys, cheap there.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    is_current = models.BooleanField(default=True)
    row_number = models.PositiveIntegerField(default=0)
    # Empty on lines from open data, which carry no worker identity (SPEC §5.4): they count
    # toward hours, and make worker counts `no_data`.
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="lines", db_index=False, null=True
    )
    week_ending = models.DateField()
    craft = models.ForeignKey(
        Craft, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    home_zip = models.CharField(max_length=5)
    is_apprentice = models.BooleanField(default=False)
    apprentice_level = models.PositiveSmallIntegerField(null=True, blank=True)
    straight_hours = models.DecimalField(max_digits=7, decimal_places=2)
    overtime_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    doubletime_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    hours = models.DecimalField(
        max_digits=7, decimal_places=2, help_text="Straight + overtime + double-time."
    )
    # Empty where the door gives no rate (open data); a wage floor then finds nothing owed.
    hourly_rate = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    fringe_rate = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    gross_pay = models.DecimalField(max_digits=11, decimal_places=2, null=True, blank=True)
    gender = models.CharField(max_length=1, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    veteran = models.BooleanField(null=True, blank=True)
    disadvantaged = models.BooleanField(null=True, blank=True)
    new_hire = models.BooleanField(null=True, blank=True)
    # As a door reports them, where it does (open data): residency as certified or reported
    # (the `reported_resident` qualifier), and person of color by its own flag, which then
    # decides over the ethnicity text.
    reported_resident = models.BooleanField(null=True, blank=True)
    person_of_color = models.BooleanField(null=True, blank=True)

    # The reported columns of a line, in the order bulk writers (COPY, executemany) use.
    REPORTED_COLUMNS = (
        "week_ending",
        "craft_id",
        "home_zip",
        "is_apprentice",
        "apprentice_level",
        "straight_hours",
        "overtime_hours",
        "doubletime_hours",
        "hours",
        "hourly_rate",
        "fringe_rate",
        "gross_pay",
        "gender",
        "ethnicity",
        "veteran",
        "disadvantaged",
        "new_hire",
    )

    class Meta:
        indexes = [
            # The engine's aggregation: current lines of a project by assignment, craft, week.
            models.Index(
                fields=["project", "assignment", "craft", "week_ending"],
                condition=Q(is_current=True),
                name="line_current_agg",
            ),
            models.Index(fields=["worker", "week_ending"], name="line_worker_week"),
            # Wage floors: the few current lines of a craft paid below its rates in effect;
            # the assignment last, so one contractor's are told apart in the index (issue 17).
            models.Index(
                fields=["project", "craft", "hourly_rate", "assignment"],
                condition=Q(is_current=True),
                name="line_current_rate",
            ),
        ]


class ProgressEntry(models.Model):
    """Evidence toward a count commitment: slots filled, units delivered, dollars paid."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="progress")
    date = models.DateField()
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    ami_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    evidence = models.FileField(upload_to=evidence_file_name, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["commitment", "date", "id"]
        verbose_name_plural = "progress entries"
