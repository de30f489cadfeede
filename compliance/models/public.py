"""What the public pages show of a project (SPEC §7.4, §8), computed after each evaluation.

The figures are gathered and suppressed once, when the project is evaluated, and kept here:
the public page, its CSV and JSON, and the comparison across projects read this one row, so
they cost the same few queries whatever the project's size, and what anyone downloads is
exactly what the page shows.
"""

from django.db import models

from projects.models import Project


class PublicFigures(models.Model):
    """The published, already suppressed figures of one public project.

    `figures` is JSON; every number is a string (Decimal as text) or null when suppressed or
    unknown. Its keys:
    - `headline`: one entry per compared metric, keyed `local_hire`, `apprentice`, `women`,
      `people_of_color`, each {"achieved_percent", "target_percent" (null without a target),
      "met" (true/false/null), "hours", "qualifying_hours", "workers" (distinct, null when
      unknown), "suppressed" (bool), "definition" (the rule in plain words: what counts as
      local, the denominator, exempt trades), "commitment" (title or null)};
    - `wages_to_target_groups`: {"local_hire": amount, ...} in dollars, null when suppressed;
      empty when the lines carry no pay at all (a city's open data);
    - `damages`: {"assessed": amount, "collected": amount};
    - `reporting`: {"reports_due", "reports_on_time", "median_lag_days"} over all contractors;
    - the rest (per commitment, per trade, per contractor, the worker-hours table) is the
      public page's own, described in the data dictionary.
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="public_figures")
    as_of = models.DateField(help_text="The date of the data: evaluated as of this day.")
    computed_at = models.DateTimeField()
    etag = models.CharField(max_length=64, help_text="A hash of the figures, for caching.")
    figures = models.JSONField()

    class Meta:
        verbose_name_plural = "public figures"

    def __str__(self) -> str:
        return f"Public figures of {self.project} as of {self.as_of}"
