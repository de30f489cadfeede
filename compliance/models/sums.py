"""Sums kept per report version, so an evaluation adds them up instead of reading lines."""

from django.db import models
from django.db.models import Q

from compliance.models.reports import Report, Worker
from projects.models import Craft


class ReportSum(models.Model):
    """One sum of hours over one report version's lines of one craft, for one signature (the
    filter a commitment's terms put on the lines, hashed: `engine.sums.signature`).

    A version's lines never change, so neither do its sums: they are made once, when the
    version is stored, or by the first evaluation that needs a signature the version lacks.
    The row without a craft marks the signature as made for the version, whatever its lines
    (none, for a statement of no work); it holds the version's total and its last week
    ending, which tells an evaluation as of an earlier day to read that version's lines.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    craft = models.ForeignKey(
        Craft, on_delete=models.CASCADE, related_name="+", null=True, db_constraint=False
    )
    signature = models.CharField(max_length=40)
    hours = models.DecimalField(max_digits=20, decimal_places=2)
    last_week = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "craft", "signature"],
                condition=Q(craft__isnull=False),
                name="unique_report_sum",
            ),
            models.UniqueConstraint(
                fields=["report", "signature"],
                condition=Q(craft__isnull=True),
                name="unique_report_sum_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.craft_id}/{self.signature[:8]}"


class ReportCheck(models.Model):
    """What the data-anomaly checks that look at one version's lines alone found in them
    (`engine.anomalies.check_version`: a worker with two home ZIPs in the month, a worker
    over 60 hours in a week), made when the version is stored, so the evaluation that
    first checks the version reads this instead of its lines. Empty lists: nothing found."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="+")
    found = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"check of {self.report_id}"


class ReportWorker(models.Model):
    """One worker's first week ending, and first qualifying week ending, among one report
    version's lines of one craft that a commitment's terms count, for one signature (the
    filter those terms put on the lines, hashed: `engine.firsts.signature`).

    A row without a worker (and with a craft) says lines of no worker (open data) are among
    them, and holds the first of their weeks. The row without a craft (nor worker) marks the
    signature as made for the version, whatever its lines. Made, as the version's sums are,
    when it is stored or by the first evaluation that needs the signature; never changed.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    craft = models.ForeignKey(
        Craft,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_index=False,
        db_constraint=False,
    )
    signature = models.CharField(max_length=40)
    worker = models.ForeignKey(
        Worker,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_index=False,
        db_constraint=False,
    )
    first_week = models.DateField(null=True)
    first_qualifying = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "signature", "craft", "worker"],
                condition=Q(worker__isnull=False),
                name="unique_report_worker",
            ),
            models.UniqueConstraint(
                fields=["report", "signature", "craft"],
                condition=Q(worker__isnull=True, craft__isnull=False),
                name="unique_report_worker_unnamed",
            ),
            models.UniqueConstraint(
                fields=["report", "signature"],
                condition=Q(craft__isnull=True),
                name="unique_report_worker_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.craft_id}/{self.signature[:8]}/{self.worker_id}"
