"""Charts as SVG, drawn on the server from `compliance.evaluation.charts.chart_data` (SPEC §7.1).

The memo's reportlab chart reads the same `ChartData`, so the web page and the PDF show
the same numbers. Every chart carries a <title> and a <desc> (the text alternative) and
is labelled by them; colour is never the only carrier of meaning (the target is a dashed
line and named in the legend).
"""

import itertools
import math
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from compliance.evaluation.charts import ChartData
from compliance.formatting import compact_month

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 46, 16, 16, 44

_ids = itertools.count(1)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Frame:
    """Maps months and percents to pixels inside the plot area."""

    def __init__(self, data: ChartData, *, bars: bool):
        self.n = len(data.points)
        self.y_max = float(data.y_max) or 100.0
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM
        self.bars = bars

    def x(self, i: int) -> float:
        if self.bars:
            return LEFT + (i + 0.5) * self.plot_w / max(self.n, 1)
        return LEFT + i * self.plot_w / max(self.n - 1, 1)

    def y(self, percent: Decimal | float) -> float:
        value = min(max(float(percent), 0.0), self.y_max)
        return TOP + self.plot_h * (1 - value / self.y_max)

    def axes(self, data: ChartData) -> list[str]:
        step = 10 if self.y_max <= 50 else 20
        parts = []
        tick = 0
        while tick <= self.y_max + 0.001:
            y = self.y(tick)
            parts.append(
                f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" '
                f'y2="{_fmt(y)}" stroke="#d9dde5" stroke-width="1"/>'
                f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" '
                f'font-size="11" fill="#5b6475">{tick}%</text>'
            )
            tick += step
        every = max(1, math.ceil(self.n / 8))
        for i, point in enumerate(data.points):
            if i % every and i != self.n - 1:
                continue
            if i != self.n - 1 and self.n - 1 - i < every / 2:
                continue  # keep the last label clear of its neighbour
            anchor = "middle"
            if not self.bars and self.n > 1:  # the line's ends sit on the plot's edges
                anchor = "start" if i == 0 else "end" if i == self.n - 1 else "middle"
            parts.append(
                f'<text x="{_fmt(self.x(i))}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}" '
                f'font-size="11" fill="#5b6475">{escape(compact_month(point.month))}</text>'
            )
        return parts

    def target(self, data: ChartData) -> list[str]:
        if data.target is None:
            return []
        y = self.y(data.target)
        return [
            f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" '
            f'y2="{_fmt(y)}" stroke="#a3231b" stroke-width="2" stroke-dasharray="6 4"/>'
        ]


def _svg(*, title: str, desc: str, body: list[str], legend: list[tuple[str, str]]) -> SafeString:
    uid = next(_ids)
    legend_parts = []
    x = LEFT
    for swatch, label in legend:
        legend_parts.append(f'<g transform="translate({x},{HEIGHT - 12})">{swatch}')
        legend_parts.append(
            f'<text x="26" y="4" font-size="11" fill="#1d2330">{escape(label)}</text></g>'
        )
        x += 40 + 7 * len(label)
    return mark_safe(  # noqa: S308 - every interpolated text above is escaped
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart{uid}-title chart{uid}-desc" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="chart{uid}-title">{escape(title)}</title>'
        f'<desc id="chart{uid}-desc">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
        + "".join(body)
        + "".join(legend_parts)
        + "</svg>"
    )


_TARGET_SWATCH = (
    '<line x1="0" x2="20" y1="0" y2="0" stroke="#a3231b" stroke-width="2" stroke-dasharray="6 4"/>'
)


def cumulative_chart(data: ChartData, *, title: str) -> SafeString:
    """Cumulative percent by month (a solid line) against the target (a dashed line)."""
    frame = _Frame(data, bars=False)
    body = frame.axes(data) + frame.target(data)
    segments, current = [], []
    for i, point in enumerate(data.points):
        if point.cumulative_percent is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append((frame.x(i), frame.y(point.cumulative_percent)))
    if current:
        segments.append(current)
    for segment in segments:
        if len(segment) == 1:
            x, y = segment[0]
            body.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="#1f5fbf"/>')
            continue
        d = " ".join(
            f"{'M' if j == 0 else 'L'}{_fmt(x)},{_fmt(y)}" for j, (x, y) in enumerate(segment)
        )
        body.append(
            f'<path class="actual" d="{d}" fill="none" stroke="#1f5fbf" stroke-width="2.5"/>'
        )
    if segments:
        x, y = segments[-1][-1]
        body.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3.5" fill="#1f5fbf"/>')
    legend = [
        (
            '<line x1="0" x2="20" y1="0" y2="0" stroke="#1f5fbf" stroke-width="2.5"/>',
            "Cumulative %",
        )
    ]
    if data.target is not None:
        legend.append((_TARGET_SWATCH, f"Target {data.target}%"))
    return _svg(title=title, desc=data.describe(), body=body, legend=legend)


def describe_monthly(data: ChartData) -> str:
    """A text alternative for the monthly bars: range, and months at or above target."""
    known = [p for p in data.points if p.percent is not None]
    if not known:
        return "No hours reported yet."
    low = min(known, key=lambda p: p.percent)
    high = max(known, key=lambda p: p.percent)
    text = (
        f"Monthly percent over {len(known)} months with hours: lowest {low.percent}% "
        f"({low.month}), highest {high.percent}% ({high.month})."
    )
    if data.target is not None:
        hits = sum(1 for p in known if p.percent >= data.target)
        text += f" {hits} of {len(known)} months at or above the {data.target}% target."
    return text


def monthly_chart(data: ChartData, *, title: str) -> SafeString:
    """One bar per month (that month's percent) with the target as a dashed line."""
    frame = _Frame(data, bars=True)
    body = frame.axes(data)
    bar_w = max(1.0, frame.plot_w / max(frame.n, 1) * 0.7)
    base = frame.y(0)
    for i, point in enumerate(data.points):
        if point.percent is None:
            continue
        y = frame.y(point.percent)
        body.append(
            f'<rect class="bar" x="{_fmt(frame.x(i) - bar_w / 2)}" y="{_fmt(y)}" '
            f'width="{_fmt(bar_w)}" height="{_fmt(max(base - y, 0))}" fill="#7aa2dd">'
            f"<title>{escape(point.month)}: {point.percent}%</title></rect>"
        )
    body += frame.target(data)
    legend = [('<rect x="0" y="-5" width="20" height="10" fill="#7aa2dd"/>', "Monthly %")]
    if data.target is not None:
        legend.append((_TARGET_SWATCH, f"Target {data.target}%"))
    return _svg(title=title, desc=describe_monthly(data), body=body, legend=legend)
