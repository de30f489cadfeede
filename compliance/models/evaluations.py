from django.db import models
from django.utils import timezone

from projects.models import Assignment, Commitment, CommitmentVersion, Craft, Project


class BulkJSONField(models.JSONField):
    """A JSON column that PostgreSQL bulk-inserts as plain VALUES.

    Django otherwise bulk-inserts through UNNEST over arrays, and psycopg escapes every JSON
    document into an array literal in Python: for the megabytes of monthly series and listed
    lines an evaluation stores, ten times slower than sending each value as it is.
    """

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"


class Evaluation(models.Model):
    """The computed result of one commitment for one group as of a date (SPEC §3).

    Recomputed by the engine, never edited by hand. `commitment_key` is the commitment's key,
    or "reporting" for the reporting obligation (then `commitment` is empty). `group_key`
    names the group ("project", "a12", "c3", "a12-c3") so a constraint can keep one row per
    group. `series` is the monthly series; `details` holds kind-specific figures (violating
    lines for wage floors, report counts for reporting, due-to-date for count targets).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="evaluations"
    )
    commitment_key = models.CharField(max_length=60)
    kind = models.CharField(max_length=20)
    group_key = models.CharField(max_length=40, default="project")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    craft = models.ForeignKey(
        Craft, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    as_of = models.DateField()
    # The version of the commitment's terms in force on `as_of` that it applied (SPEC §3.6);
    # empty for a commitment with no version recorded and for the reporting obligation.
    terms_version = models.ForeignKey(
        CommitmentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    numerator = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    actual_percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    target_percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    shortfall = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    projected_percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=12)
    series = BulkJSONField(default=list, blank=True)
    details = BulkJSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    # What the result says, hashed (`engine.measure.digest`): a run that finds the same
    # leaves the row as it is but for its date and time.
    digest = models.CharField(max_length=40, blank=True, default="")
    # What it was measured from, hashed (`engine.inputs`): a run as of the same day whose
    # inputs are the same keeps the result without measuring it again.
    inputs = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["project", "commitment_key", "group_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "commitment_key", "group_key"], name="one_evaluation_per_group"
            )
        ]
