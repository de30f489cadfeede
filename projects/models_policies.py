"""Policies (SPEC §2): reusable sets of commitment templates, and their adoption.

An ordinance (San Francisco's ch. 82), a project labor agreement, a model CBA: a *Policy*
holds *PolicyCommitment* templates (a key, a clause, a kind and its parameters). A project
adopts a policy into one of its agreements (*Adoption*): its commitments are made from the
templates, with per-commitment overrides (an area, a start date, any parameter) kept on the
adoption. The services live in projects/policies.py.
"""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.commitment_signals import commitment_check


class Policy(models.Model):
    class Type(models.TextChoices):
        ORDINANCE = "ordinance", _("Ordinance")
        PLA = "pla", _("Project labor agreement")
        CBA = "cba", _("Community benefits agreement")
        EXECUTIVE_ORDER = "executive_order", _("Executive order")
        MODEL = "model", _("Model policy")

    class LocalDefinition(models.TextChoices):
        ZIP = "zip", _("Home ZIP code in the policy's area")
        REPORTED = "reported", _("Residency reported by the contractor")
        BOTH = "both", _("Either a ZIP in the area or reported residency")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    jurisdiction = models.CharField(
        max_length=200, help_text="The city, county or agency: “San Francisco, CA”."
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    adopted = models.DateField(null=True, blank=True, help_text="Date of adoption.")
    source = models.CharField(
        max_length=300, blank=True, help_text="The source document: “Administrative Code ch. 82”."
    )
    source_url = models.URLField(max_length=500, blank=True, help_text="Where to read it.")
    threshold_dollars = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="It applies to projects above this cost, in dollars.",
    )
    local_definition = models.CharField(
        max_length=10,
        choices=LocalDefinition.choices,
        default=LocalDefinition.ZIP,
        help_text="Who counts as local.",
    )
    exempt_crafts = models.ManyToManyField(
        "projects.Craft",
        blank=True,
        related_name="exempt_in_policies",
        help_text="Trades it exempts.",
    )
    public = models.BooleanField(default=False, help_text="Shown on the public pages.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name


class PolicyCommitment(models.Model):
    """A commitment template of a policy; the kinds check its parameters as they check a
    commitment's."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="templates")
    key = models.SlugField(max_length=60)
    clause = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True, help_text="The clause text.")
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict, blank=True)
    area = models.ForeignKey(
        "projects.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policy_templates",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["policy", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "key"], name="unique_policy_template_key")
        ]
        verbose_name = "commitment template"

    def __str__(self) -> str:
        return f"{self.clause} {self.title}".strip()

    def clean(self) -> None:
        # The kinds answer for a template as for the commitments it makes.
        commitment = apps.get_model("projects", "Commitment")
        answers = commitment_check.send(sender=commitment, commitment=self)
        if not answers:
            raise ImproperlyConfigured(
                "No commitment kinds are registered: is compliance installed?"
            )
        self.params = answers[0][1]

    def save(self, *args, **kwargs) -> None:
        self.clean()
        super().save(*args, **kwargs)


class Adoption(models.Model):
    """A policy adopted into one agreement of a project, with its per-commitment overrides
    (`{"local": {"area": "sf-city", "start_date": "2026-01-01"}}`)."""

    agreement = models.ForeignKey(
        "projects.Agreement", on_delete=models.CASCADE, related_name="adoptions"
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="adoptions")
    overrides = models.JSONField(default=dict, blank=True)
    adopted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "policy__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "policy"], name="unique_adoption")
        ]

    def __str__(self) -> str:
        return f"{self.policy} in {self.agreement}"
