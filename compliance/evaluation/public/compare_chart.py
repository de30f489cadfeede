"""The comparison's chart, drawn on the server as SVG (the house way: compliance.evaluation.svg).

One row per project: a dot at the share it achieved and a dashed tick at its own target,
on one 0–100% axis, with the figures written at the end of the row, so neither colour nor
position alone carries them. A suppressed figure is written as such, with no dot. The
chart is labelled by its <title> and <desc>; the table beside it says the same. A project
only its monitors see is marked "Private" after its name, and its words say so; a project
whose own target differs from its policy's says both.
"""

import itertools
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from compliance import formatting

WIDTH = 1000
NAME_W = 300
FIGURES_W = 180
ROW_H = 32
TOP = 26
BOTTOM = 54
INK = "#1d2330"
MUTED = "#5b6475"
DOT = "#1f5fbf"
TARGET = "#a3231b"
GRID = "#d9dde5"

_ids = itertools.count(1)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(name: str, limit: int = 36) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _row_words(row, cell) -> str:
    name = row.name
    if row.private:
        name = gettext("%(project)s (private — not on the public pages)") % {"project": name}
    if cell.suppressed:
        return gettext("%(project)s: suppressed (too few workers to publish).") % {"project": name}
    if cell.achieved is None:
        return gettext("%(project)s: no figure.") % {"project": name}
    if cell.target is None:
        return gettext("%(project)s: %(achieved)s, no target.") % {
            "project": name,
            "achieved": formatting.percent(cell.achieved),
        }
    if cell.target_differs:
        return gettext(
            "%(project)s: %(achieved)s against the project's target of %(target)s (its "
            "policy's: %(policy_target)s)."
        ) % {
            "project": name,
            "achieved": formatting.percent(cell.achieved),
            "target": formatting.percent(cell.target),
            "policy_target": formatting.percent(cell.policy_target),
        }
    return gettext("%(project)s: %(achieved)s against a target of %(target)s.") % {
        "project": name,
        "achieved": formatting.percent(cell.achieved),
        "target": formatting.percent(cell.target),
    }


def dot_chart(*, title: str, projects: list[tuple]) -> SafeString:
    """`projects`: (row, cell) pairs, as `Comparison.metric_tables` gives them."""
    uid = next(_ids)
    plot_left, plot_right = NAME_W, WIDTH - FIGURES_W
    plot_w = plot_right - plot_left
    height = TOP + ROW_H * max(len(projects), 1) + BOTTOM

    def x(value: Decimal) -> float:
        return plot_left + plot_w * min(max(float(value), 0.0), 100.0) / 100

    body = []
    for tick in range(0, 101, 20):
        body.append(
            f'<line x1="{_fmt(x(Decimal(tick)))}" x2="{_fmt(x(Decimal(tick)))}" y1="{TOP - 6}" '
            f'y2="{height - BOTTOM + 4}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_fmt(x(Decimal(tick)))}" y="{height - BOTTOM + 18}" text-anchor="middle" '
            f'font-size="12" fill="{MUTED}">{tick}%</text>'
        )
    for i, (row, cell) in enumerate(projects):
        middle = TOP + ROW_H * i + ROW_H / 2
        if row.private:
            private_word = escape(gettext("Private"))
            body.append(
                f'<text x="8" y="{_fmt(middle + 5)}" font-size="14" fill="{INK}">'
                f"{escape(_short(row.name, 26))}"
                f'<tspan font-weight="700" fill="{TARGET}"> · {private_word}</tspan></text>'
            )
        else:
            body.append(
                f'<text x="8" y="{_fmt(middle + 5)}" font-size="14" fill="{INK}">'
                f"{escape(_short(row.name))}</text>"
            )
        if cell.shown and cell.target is not None:
            tx = _fmt(x(cell.target))
            body.append(
                f'<line x1="{tx}" x2="{tx}" y1="{_fmt(middle - 10)}" y2="{_fmt(middle + 10)}" '
                f'stroke="{TARGET}" stroke-width="3" stroke-dasharray="4 2"/>'
            )
        if cell.shown:
            body.append(
                f'<circle cx="{_fmt(x(cell.achieved))}" cy="{_fmt(middle)}" r="6" '
                f'fill="{DOT}" stroke="#fff" stroke-width="1.5">'
                f"<title>{escape(_row_words(row, cell))}</title></circle>"
            )
            words = formatting.percent(cell.achieved)
            if cell.target is not None:
                words = gettext("%(achieved)s of %(target)s") % {
                    "achieved": words,
                    "target": formatting.percent(cell.target),
                }
        elif cell.suppressed:
            words = gettext("suppressed")
        else:
            words = gettext("no figure")
        body.append(
            f'<text x="{plot_right + 12}" y="{_fmt(middle + 5)}" font-size="13" '
            f'fill="{INK}">{escape(words)}</text>'
        )
    legend_y = height - 10
    achieved_word = escape(gettext("Achieved"))
    target_word = escape(gettext("The project’s own target"))
    body.append(
        f'<g transform="translate({plot_left},{legend_y})">'
        f'<circle cx="6" cy="-4" r="6" fill="{DOT}"/>'
        f'<text x="18" y="0" font-size="12" fill="{INK}">{achieved_word}</text>'
        f'<line x1="110" x2="110" y1="-13" y2="5" stroke="{TARGET}" stroke-width="3" '
        f'stroke-dasharray="4 2"/>'
        f'<text x="120" y="0" font-size="12" fill="{INK}">'
        f"{target_word}</text></g>"
    )
    desc = " ".join(_row_words(row, cell) for row, cell in projects) or gettext(
        "No project to compare."
    )
    return mark_safe(  # noqa: S308 - every interpolated text is escaped
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="compare{uid}-title compare{uid}-desc" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="compare{uid}-title">{escape(title)}</title>'
        f'<desc id="compare{uid}-desc">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#fff"/>'
        + "".join(body)
        + "</svg>"
    )
