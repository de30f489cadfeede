"""How a JSON definition file's values are checked: each error is kept with its JSON path
(`commitments[2].area`), so a file is refused with every error at once."""

import datetime
import re
from decimal import Decimal, InvalidOperation

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
ZIP = re.compile(r"^\d{5}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Errors(list):
    def add(self, path: str, message: str) -> None:
        self.append({"path": path, "message": message})


def at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def json_object(errors: Errors, value, path: str, keys: list[str], *, what: str) -> dict | None:
    """`value` as a dict with only `keys`; every unknown key is an error."""
    if not isinstance(value, dict):
        errors.add(path, f"Must be an object: {what}.")
        return None
    for key in value:
        if key not in keys:
            errors.add(at(path, key), f"Unknown key: use one of {', '.join(keys)}.")
    return value


def json_list(errors: Errors, value, path: str, *, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(path, f"Must be a list of {what}.")
        return []
    return value


def text_at(errors, obj, key, path, *, required=False, max_length=200) -> str | None:
    value = obj.get(key)
    where = at(path, key)
    if value is None or value == "":
        if required:
            errors.add(where, "Required.")
        return None
    if not isinstance(value, str):
        errors.add(where, "Must be text.")
        return None
    if len(value) > max_length:
        errors.add(where, f"At most {max_length} characters.")
        return None
    return value


def slug_at(errors, obj, key, path, *, required=True) -> str | None:
    value = text_at(errors, obj, key, path, required=required, max_length=80)
    if value is not None and not SLUG.match(value):
        errors.add(at(path, key), f"{value!r} is not a slug: use letters, digits, - and _.")
        return None
    return value


def date_at(errors, obj, key, path, *, required=False) -> datetime.date | None:
    value = obj.get(key)
    where = at(path, key)
    if value is None or value == "":
        if required:
            errors.add(where, "Required (YYYY-MM-DD).")
        return None
    if isinstance(value, str) and DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(where, f"{value!r} is not a date: use YYYY-MM-DD.")
    return None


def whole_at(errors, obj, key, path, *, minimum, maximum) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        number = None
    else:
        try:
            number = int(value)
        except ValueError:
            number = None
    if number is None or not minimum <= number <= maximum:
        errors.add(at(path, key), f"{value!r}: give a whole number from {minimum} to {maximum}.")
        return None
    return number


def choice_at(errors, obj, key, path, choices, *, default=None) -> str | None:
    value = obj.get(key, default)
    if value is None:
        errors.add(at(path, key), f"Required: one of {', '.join(choices)}.")
    elif value not in choices:
        errors.add(at(path, key), f"{value!r} is not one of {', '.join(choices)}.")
        return None
    return value


def money_at(errors, obj, key, path) -> Decimal | None:
    """A dollar amount at or above 0 ("600000", "1250000.50"), as text or a number."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        number = Decimal(str(value).replace(",", "").replace("$", "").strip())
        if not number.is_finite() or number < 0:
            raise InvalidOperation
    except InvalidOperation:
        errors.add(at(path, key), f"{value!r} is not an amount of dollars: write it as 600000.")
        return None
    return number.quantize(Decimal("0.01"))
