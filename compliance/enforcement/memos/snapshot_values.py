"""How a memo's snapshot writes its values: decimals as the evaluation stored them, ISO
dates, people by name."""

import datetime
from decimal import Decimal

from django.utils import timezone

from compliance.numbers import round2


def last_complete_month_end(today: datetime.date) -> datetime.date:
    """The last day of the month before `today`'s: the latest month whose weeks are all in."""
    return today.replace(day=1) - datetime.timedelta(days=1)


def fig(value) -> str | None:
    """A decimal as the string the evaluation stored ("300.00"), None kept."""
    if value is None:
        return None
    return str(round2(Decimal(str(value))))


def dec(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def person(user) -> str:
    if user is None:
        return "CBA Monitor"
    return user.get_full_name() or user.username
