"""The cumulative-percent chart of a commitment, drawn with reportlab graphics.

Its data comes from `compliance.evaluation.charts.chart_data`, the same code behind the
web's SVG, so the memo and the project page show the same line against the same target.
"""

import math
from decimal import Decimal

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String

from compliance.enforcement.memos.styles import (
    ACCENT,
    BAR,
    INK,
    MUTED,
    RULE,
    TARGET,
    fonts,
    month_label,
)
from compliance.evaluation.charts import ChartData, chart_data


def cumulative_chart(
    *, series: list[dict], target_percent, width: float
) -> tuple[Drawing, str] | None:
    """Monthly percent as pale bars, cumulative percent as a line, the target dashed; with
    the chart's text alternative as its caption. None when no month has a percent."""
    data: ChartData = chart_data(series=series, target_percent=target_percent)
    if not any(p.cumulative_percent is not None for p in data.points):
        return None
    f = fonts()
    height = 178.0
    left, right, bottom, top = 34.0, 40.0, 42.0, 10.0
    plot_w, plot_h = width - left - right, height - bottom - top
    y_max = float(data.y_max) or 100.0
    drawing = Drawing(width, height)

    def y_of(value: Decimal) -> float:
        return bottom + plot_h * min(float(value), y_max) / y_max

    step = 10 if y_max <= 50 else 20
    for tick in range(0, int(y_max) + 1, step):
        y = y_of(Decimal(tick))
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=RULE, strokeWidth=0.4))
        drawing.add(
            String(
                left - 4,
                y - 2.5,
                f"{tick}%",
                fontName=f["regular"],
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor="end",
            )
        )

    n = len(data.points)
    slot = plot_w / n
    label_every = max(1, math.ceil(n / 12))
    line_points: list[float] = []
    for i, point in enumerate(data.points):
        x = left + slot * (i + 0.5)
        if point.percent is not None:
            bar_w = max(1.0, slot * 0.6)
            drawing.add(
                Rect(
                    x - bar_w / 2,
                    bottom,
                    bar_w,
                    y_of(point.percent) - bottom,
                    fillColor=BAR,
                    strokeColor=None,
                )
            )
        if point.cumulative_percent is not None:
            line_points += [x, y_of(point.cumulative_percent)]
        if i % label_every == 0:
            drawing.add(
                String(
                    x,
                    bottom - 10,
                    month_label(point.month),
                    fontName=f["regular"],
                    fontSize=6.5,
                    fillColor=MUTED,
                    textAnchor="middle",
                )
            )
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=INK, strokeWidth=0.6))
    if len(line_points) >= 4:
        drawing.add(PolyLine(line_points, strokeColor=ACCENT, strokeWidth=1.6))
    for j in range(0, len(line_points), 2):
        drawing.add(
            Rect(
                line_points[j] - 1.3,
                line_points[j + 1] - 1.3,
                2.6,
                2.6,
                fillColor=ACCENT,
                strokeColor=None,
            )
        )
    if data.target is not None:
        y = y_of(data.target)
        drawing.add(
            Line(
                left,
                y,
                left + plot_w,
                y,
                strokeColor=TARGET,
                strokeWidth=1.1,
                strokeDashArray=[4, 3],
            )
        )
        # The target's value sits in the right margin, clear of the line and the bars.
        drawing.add(
            String(
                left + plot_w + 4,
                y - 2.5,
                f"{data.target:.2f}%",
                fontName=f["bold"],
                fontSize=7,
                fillColor=TARGET,
            )
        )

    legend_y = 8.0
    x = left
    drawing.add(
        Line(x, legend_y + 2.5, x + 16, legend_y + 2.5, strokeColor=ACCENT, strokeWidth=1.6)
    )
    drawing.add(
        String(
            x + 20, legend_y, "Cumulative percent", fontName=f["regular"], fontSize=7, fillColor=INK
        )
    )
    x += 110
    drawing.add(Rect(x, legend_y, 10, 6, fillColor=BAR, strokeColor=None))
    drawing.add(
        String(
            x + 14,
            legend_y,
            "Percent in the month",
            fontName=f["regular"],
            fontSize=7,
            fillColor=INK,
        )
    )
    if data.target is not None:
        x += 110
        drawing.add(
            Line(
                x,
                legend_y + 2.5,
                x + 16,
                legend_y + 2.5,
                strokeColor=TARGET,
                strokeWidth=1.1,
                strokeDashArray=[4, 3],
            )
        )
        drawing.add(
            String(x + 20, legend_y, "Target", fontName=f["regular"], fontSize=7, fillColor=INK)
        )
    return drawing, data.describe()
