"""The one rounding rule (SPEC §3): hours, percents and money to 2 places, half up."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round2(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """100 × numerator / denominator, rounded; None when the denominator is 0."""
    if not denominator:
        return None
    return round2(Decimal(100) * Decimal(numerator) / Decimal(denominator))
