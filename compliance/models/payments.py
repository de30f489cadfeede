"""What a prime reports it paid its subcontractors (SPEC §3.7), as part of a report version."""

from django.db import models
from django.db.models import Q

from compliance.models.reports import Report
from projects.models import Assignment, Project


class Payment(models.Model):
    """One payment to a subcontractor, reported in the payer's monthly report.

    A payment belongs to a report version, like a payroll line: an amendment replaces the
    month's payments with its own, and only the current versions' payments count. `project`
    and `payer` repeat what the report says so the engine sums them without a join.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="payments")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    payer = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    subcontractor = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="payments_received"
    )
    is_current = models.BooleanField(default=True)
    row_number = models.PositiveIntegerField(default=0)
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["report", "row_number", "id"]
        indexes = [
            models.Index(
                fields=["project", "date"], condition=Q(is_current=True), name="payment_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.subcontractor_id} on {self.date}"
