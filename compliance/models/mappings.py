"""How a contractor's own payroll export reads as ours: its column and code mapping."""

from django.conf import settings
from django.db import models

from projects.models import Organization


class ExportMapping(models.Model):
    """A contractor's payroll export, mapped once (SPEC §5.4).

    `columns`: our field → the header of their column. `codes`: for `craft`, their
    classification → our craft's name; for `apprentice`, their code → "J" or "RA". A later
    upload whose header row has every mapped header uses the mapping without asking.
    """

    contractor = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="export_mappings"
    )
    name = models.CharField(max_length=100)
    columns = models.JSONField(default=dict)
    codes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contractor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contractor", "name"], name="unique_export_mapping")
        ]

    def __str__(self) -> str:
        return self.name
