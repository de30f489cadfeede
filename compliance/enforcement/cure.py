"""Cure deadlines: when they fall, and which passed unmet (SPEC §4, §6).

A notice of non-compliance starts a cure deadline: the notice date plus the agreement's cure
period, moved to the next business day when it falls on a weekend or a US federal holiday
(`cure_deadline`). As of a date, the deadline is unmet and passed when it is before that date, the
notice is not marked cured (by then), and no later settlement or closing action was
recorded for the same contractor (or for the whole project).
"""

import datetime
from functools import cache

import holidays
from django.db.models import Exists, OuterRef, Q, QuerySet

from compliance.models import EnforcementAction
from projects.models import Project

ENDINGS = [EnforcementAction.Kind.SETTLEMENT, EnforcementAction.Kind.CLOSED]


@cache
def _federal_holidays(year: int) -> holidays.HolidayBase:
    # Observed days included: New Year's Day on a Saturday is observed the Friday before.
    return holidays.US(years=year, observed=True)


def is_business_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a US federal holiday (as observed)."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def cure_deadline(notice_date: datetime.date, cure_period_days: int) -> datetime.date:
    """The cure deadline a notice sets (SPEC §6): the notice date plus the cure period in
    calendar days, moved forward to the next business day while it falls on a Saturday, a
    Sunday or a US federal holiday (the `holidays` package's list, observed dates).

    Example G: 2026-11-27 + 30 days is Sunday 2026-12-27, so 2026-12-28; 2026-12-02 + 30
    days is Friday 2027-01-01, New Year's Day, then a weekend, so Monday 2027-01-04.
    """
    day = notice_date + datetime.timedelta(days=cure_period_days)
    while not is_business_day(day):
        day += datetime.timedelta(days=1)
    return day


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
