"""The one rounding rule (SPEC §3): hours, percents and money to 2 places, half up."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

CENT = Decimal("0.01")


def round2(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """100 × numerator / denominator, rounded; None when the denominator is 0."""
    if not denominator:
        return None
    return round2(Decimal(100) * Decimal(numerator) / Decimal(denominator))


# Anything this large is a typo (or an attack), not a payroll, a payment or a count, and
# would overflow the 14-digit columns figures are stored in.
LARGEST = Decimal("999999999999.99")


def exact_number(value) -> Decimal | None:
    """A finite number within ±LARGEST from a number or a text of digits, unrounded; None
    for anything else. The one parser of numbers people send us (files, JSON, forms)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite() or abs(number) > LARGEST:
        return None
    return number


FIGURE_TEXT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")


def _figure_validator(minimum: Decimal, maximum: Decimal, what: str):
    def validate(value) -> Decimal:
        number = None
        if isinstance(value, int | float | Decimal) or (
            isinstance(value, str) and FIGURE_TEXT.fullmatch(value)
        ):
            number = exact_number(value)
        if number is None or not minimum <= number <= maximum:
            raise PydanticCustomError(
                "figure", f"Give {what} from {minimum} to {maximum}, e.g. {minimum + 1}."
            )
        return round2(number)

    return validate


def figure_type(*, minimum: Decimal, what: str, maximum: Decimal = LARGEST) -> Any:
    """An API field holding an amount or a quantity: a JSON number or a string of digits
    with at most 2 decimals, from `minimum` to `maximum`; a Decimal inside."""
    return Annotated[
        Decimal,
        BeforeValidator(_figure_validator(minimum, maximum, what)),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "minimum": float(minimum), "maximum": float(maximum)},
                    {"type": "string", "pattern": f"^{FIGURE_TEXT.pattern}$"},
                ],
                "examples": [str(minimum + 1)],
            },
            mode="validation",
        ),
        PlainSerializer(lambda number: f"{number:.2f}", return_type=str),
    ]
