"""The data behind the cumulative-percent chart, shared by the web's SVG and the memo's PDF.

An evaluation's `series` is a list, one entry per month, oldest first:
    {"month": "2026-01", "numerator": "120.00", "denominator": "400.00",
     "percent": "30.00", "cumulative_percent": "28.75"}
(decimals as strings; percent and cumulative_percent are null where the denominator is 0).
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ChartPoint:
    month: str
    percent: Decimal | None
    cumulative_percent: Decimal | None
    numerator: Decimal
    denominator: Decimal


@dataclass(frozen=True)
class ChartData:
    points: list[ChartPoint]
    target: Decimal | None
    y_max: Decimal

    @property
    def months(self) -> list[str]:
        return [p.month for p in self.points]

    def describe(self) -> str:
        """A text alternative for the chart (screen readers, the memo's caption)."""
        known = [p for p in self.points if p.cumulative_percent is not None]
        if not known:
            return "No hours reported yet."
        first, last = known[0], known[-1]
        target = f" against a target of {self.target}%" if self.target is not None else ""
        return (
            f"Cumulative percent from {first.month} ({first.cumulative_percent}%) to "
            f"{last.month} ({last.cumulative_percent}%){target}."
        )


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def chart_data(*, series: list[dict], target_percent) -> ChartData:
    points = [
        ChartPoint(
            month=row["month"],
            percent=_dec(row.get("percent")),
            cumulative_percent=_dec(row.get("cumulative_percent")),
            numerator=_dec(row.get("numerator")) or Decimal(0),
            denominator=_dec(row.get("denominator")) or Decimal(0),
        )
        for row in series
    ]
    target = _dec(target_percent)
    values = [p.cumulative_percent for p in points if p.cumulative_percent is not None]
    values += [p.percent for p in points if p.percent is not None]
    if target is not None:
        values.append(target)
    top = max(values, default=Decimal(100))
    # Round the axis up to the next 10 so the target line never sits on the frame.
    y_max = min(Decimal(100), (top // 10 + 1) * 10) if top < 100 else Decimal(100)
    return ChartData(points=points, target=target, y_max=y_max)
