"""Cure deadlines that passed unmet (SPEC §4).

A notice of non-compliance starts a cure deadline (notice date + the agreement's cure
period). As of a date, the deadline is unmet and passed when it is before that date, the
notice is not marked cured (by then), and no later settlement or closing action was
recorded for the same contractor (or for the whole project).
"""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from compliance.models import EnforcementAction
from projects.models import Project

ENDINGS = [EnforcementAction.Kind.SETTLEMENT, EnforcementAction.Kind.CLOSED]


def passed_cure_deadlines(project: Project, as_of: datetime.date) -> QuerySet:
    ended = EnforcementAction.objects.filter(
        Q(assignment_id=OuterRef("assignment_id")) | Q(assignment__isnull=True),
        project_id=OuterRef("project_id"),
        kind__in=ENDINGS,
        date__lte=as_of,
    ).filter(Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk")))
    return (
        EnforcementAction.objects.filter(
            project=project,
            kind=EnforcementAction.Kind.NOTICE,
            cure_deadline__lt=as_of,
            date__lte=as_of,
        )
        .filter(Q(cured_at__isnull=True) | Q(cured_at__gt=as_of))
        .exclude(Exists(ended))
        .select_related("assignment__contractor")
        .order_by("cure_deadline", "pk")
    )
