"""Each commitment's standing on its project, rolled up once per evaluation for the dashboard.

The coalition's dashboard lists every project it monitors, each commitment's status on
each: rolling the status up from every group of every project on each request read every
evaluation of the portfolio (about 2 KB each, with their series). The pipeline rolls them
up when it stores a project's evaluations instead, with the function the project page
reads its own standings with (`compliance.evaluation.standings`), so the two cannot differ.
"""

from django.db import models

from projects.models import Commitment, Project


class CommitmentStanding(models.Model):
    """One commitment's standing as its project page shows it (`CommitmentSummary`): its
    status, its figures to date, how many groups are in each status. Rewritten with the
    project's evaluations, never edited by hand; none for a commitment not evaluated yet."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    commitment = models.OneToOneField(Commitment, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    status = models.CharField(max_length=12, blank=True)
    whole_row = models.BooleanField(
        default=False, help_text="Measured for the whole project, not only per group."
    )
    numerator = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    shortfall = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    actual_percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    target_percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    projected_percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    group_count = models.PositiveIntegerField(default=0)
    group_counts = models.JSONField(
        default=dict, blank=True, help_text="How many groups are in each status, if any."
    )

    # The figures it keeps of a `CommitmentSummary`, under the same names (status aside: a
    # summary's None is stored as "").
    FIGURES = (
        "as_of",
        "whole_row",
        "numerator",
        "denominator",
        "shortfall",
        "actual_percent",
        "target_percent",
        "projected_percent",
        "group_count",
        "group_counts",
    )

    def __str__(self) -> str:
        return f"{self.commitment_id} on project {self.project_id}: {self.status or 'none'}"
