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
      unknown), "suppressed" (bool), "commitment" (title or null), "terms" (what counts,
      as facts: the commitment's {"kind", "params", "area" (name or null)}, or null where no
      commitment sets the group's rule), "policy_target" ({"percent", "policy"}: the target
      the policy the commitment was made from publishes, or null)}. No sentence is stored:
      the pages and the JSON download say "definition" from "terms" in the visitor's
      language (`public.pages.definition_words`); a row gathered before (with an English
      "definition" and no "terms") is read as stored until `refresh_public_figures`;
    - `wages_to_target_groups`: {"local_hire": amount, ...} in dollars, null when suppressed;
      empty when the lines carry no pay at all (a city's open data);
    - `damages`: {"assessed": amount, "collected": amount};
    - `reporting`: {"reports_due", "reports_on_time", "median_lag_days"} over all contractors;
    - `rules`: {"local_rule" ({"rule": "area", "area", "zips"} | {"rule": "reported"} |
      {"rule": "none"}), "exempt_trades", "agreements"}; each of `commitments` keeps its
      "terms" likewise, not its description;
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
