"""Small presentation helpers: status badges that carry text and an icon, not colour alone."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from compliance import formatting
from compliance.evaluation import svg
from compliance.status import Status
from compliance.text import printable

register = template.Library()

STATUS_TEXT = {
    # evaluation statuses: the words come from compliance.status
    **{
        status: (icon, Status.LABELS[status])
        for status, icon in {"met": "✓", "on_track": "→", "at_risk": "!", "shortfall": "✗"}.items()
    },
    Status.NO_DATA: ("–", Status.LABELS[Status.NO_DATA]),
    # reporting months
    "received": ("✓", gettext_lazy("On time")),
    "late": ("!", pgettext_lazy("report", "Late")),
    "missing": ("✗", pgettext_lazy("report", "Missing")),
    "not_due": ("–", gettext_lazy("Not due yet")),
    # flag severities
    "critical": ("✗", gettext_lazy("Critical")),
    "warning": ("!", gettext_lazy("Warning")),
    "info": ("i", gettext_lazy("Info")),
    # flag statuses
    "open": ("●", pgettext_lazy("flag", "Open")),
    "acknowledged": ("◐", pgettext_lazy("flag", "Acknowledged")),
    "escalated": ("▲", pgettext_lazy("flag", "Escalated")),
    "disputed": ("?", pgettext_lazy("flag", "Disputed")),
    "resolved": ("✓", pgettext_lazy("flag", "Resolved")),
    "waived": ("–", pgettext_lazy("flag", "Waived")),
    "auto_resolved": ("✓", pgettext_lazy("flag", "Auto-resolved")),
}


@register.simple_tag
def status_badge(status) -> str:
    """A status as colour, icon and words together (SPEC §7.1: colour is never alone)."""
    if not status:
        return format_html('<span class="status status-no_data">– {}</span>', Status.label(None))
    icon, label = STATUS_TEXT.get(status, ("", str(status).replace("_", " ").capitalize()))
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        status,
        icon,
        label,
    )


@register.simple_tag
def trend_arrow(summary) -> str:
    """Where the projection at completion goes from today's percent, in an arrow and words."""
    trend = getattr(summary, "trend", None)
    if trend is None:
        return ""
    arrow = {"up": "↑", "down": "↓", "flat": "→"}[trend]
    words = {"up": "rising", "down": "falling", "flat": "steady"}[trend]
    return format_html(
        '<span class="trend trend-{}" title="Projected {}% at completion">'
        '<span aria-hidden="true">{}</span><span class="sr-only">{}, projected {}% at '
        "completion</span></span>",
        trend,
        summary.projected_percent,
        arrow,
        words,
        summary.projected_percent,
    )


@register.filter
def num(value, places: int = 2) -> str:
    """1234.5 → "1,234.50"; "—" for None."""
    return formatting.number(value, int(places))


@register.filter
def month(value) -> str:
    """ "2026-01" or a date → "Jan 2026"."""
    return formatting.month(value)


# How figures and dates read on pages, as in e-mails, the export and memos.
register.filter("long_month", formatting.long_month)
register.filter("long_date", formatting.long_date)
register.filter("short_date", formatting.short_date)
register.filter("timestamp", formatting.timestamp)
register.filter("money", formatting.money)
register.filter("percent", formatting.percent)


@register.filter
def plural(count, noun: str) -> str:
    """ "1 alert", "3 alerts"; `noun` may give both forms as "person,people"."""
    one, _, many = noun.partition(",")
    return formatting.plural(int(count or 0), one, many or None)


@register.filter
def label(value) -> str:
    """ "actual_percent" → "Actual percent"."""
    return str(value).replace("_", " ").capitalize()


@register.filter
def is_scalar(value) -> bool:
    return not isinstance(value, (dict, list, tuple))


@register.filter
def shown_figures(figures: dict) -> list[tuple[str, str]]:
    """A flag's stored figures as rows a person reads: labelled in words, dates and months
    written out, and the database's own ids (`report_id`) left out."""
    return [
        (label(key), formatting.figure(value))
        for key, value in (figures or {}).items()
        if is_scalar(value) and not str(key).endswith("_id")
    ]


@register.simple_tag
def cumulative_chart(data, title: str):
    return svg.cumulative_chart(data, title=title)


@register.simple_tag
def monthly_chart(data, title: str):
    return svg.monthly_chart(data, title=title)


@register.filter
def isolated(value) -> str:
    """Stored text shown inside a sentence: control characters as "�", and wrapped in
    `<bdi>` so a right-to-left override in it cannot reverse the words that follow."""
    return format_html("<bdi>{}</bdi>", printable("" if value is None else str(value)))


# Who filed a version when no account is recorded: file imports (`import_report`) name no
# user; a user's account deleted later leaves its versions without one.
FILE_SOURCES = {"excel", "ecpr"}


@register.filter
def filed_by(report) -> str:
    """Who filed a report version, in words, even when no account is recorded."""
    user = report.submitted_by
    if user is not None:
        return isolated(user.get_full_name() or user.get_username())
    if report.source in FILE_SOURCES:
        return _("an administrator (imported from a file)")
    return _("a user who no longer has an account")
