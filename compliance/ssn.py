"""The one Social Security number detector (SPEC §8), used by every door and every free-text
field of a payroll line (worker ID, name, ethnicity), and by flag notes.

The rule: drop what cannot be seen (Unicode format characters such as a zero-width space,
control characters and combining marks) and read every kind of decimal digit as 0–9. What
is left is cut into digit groups joined by separators (spaces, dashes, dots, slashes,
underscores). Nine digits shaped like an SSN, one group of nine or three groups of 3, 2
and 4 (123456789, 123-45-6789, 123.45.6789, 123 45 6789), are a full SSN wherever they stand
in the value: `SSN 123-45-6789`, `Ana 123 45 6789`, `123\u200b456789`. Digits that run on
into more digits are another number (a 10-digit phone, a 4-2-4 ID), and so are groups of
another shape (a ZIP+4's 90001-1234, an EIN's 12-3456789, an amount's 1,234,567.89,
a date's 10/03/2026). A keyed hash (32 or
more hex characters, the eCPR worker ID) carries no SSN, whatever digits it happens to hold.
"""

import re
import unicodedata

SSN_MESSAGE = "This looks like a Social Security number, which must never be uploaded."

# Group lengths, in order, that an SSN is written in.
SSN_SHAPES = frozenset({(9,), (3, 2, 4)})
SEPARATORS = frozenset(" .-_/\u2212")
DROPPED_CATEGORIES = frozenset({"Cf", "Cc", "Mn", "Me", "Cs", "Co", "Cn"})
HEX_KEY = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32,}(?![0-9A-Za-z])")
DIGIT_GROUPS = re.compile(r"\d+(?: +\d+)*")
ASCII_DIGITS = re.compile(r"[0-9]")


def contains_ssn(value: str) -> bool:
    """True when the value holds a full SSN by the rule above."""
    return next(ssn_spans(value), None) is not None


def mask_ssns(value: str) -> str:
    """The value with each full SSN in it shown as ***-**- and its last four digits."""
    spans = list(ssn_spans(value))
    if not spans:
        return value
    parts, end = [], 0
    for start, stop, digits in spans:
        parts.append(value[end:start])
        parts.append("***-**-" + digits[-4:])
        end = stop
    parts.append(value[end:])
    return "".join(parts)


def ssn_spans(value: str):
    """(start, stop, digits) of each full SSN in `value`, left to right."""
    text = str(value)
    if text.isascii() and len(ASCII_DIGITS.findall(text)) < 9:
        return  # the usual name, ID or note: too few digits to hold one
    skeleton, origin = _skeleton(HEX_KEY.sub(lambda m: "x" * len(m.group()), text))
    for run in DIGIT_GROUPS.finditer(skeleton):
        groups = [
            (m.start() + run.start(), m.end() + run.start())
            for m in re.finditer(r"\d+", run.group())
        ]
        lengths = [stop - start for start, stop in groups]
        first = 0
        while first < len(groups):
            for last in range(first, min(first + 3, len(groups))):
                if tuple(lengths[first : last + 1]) in SSN_SHAPES:
                    start, stop = groups[first][0], groups[last][1]
                    digits = re.sub(r"\D", "", skeleton[start:stop])
                    yield origin[start], origin[stop - 1] + 1, digits
                    first = last
                    break
            first += 1


def _skeleton(text: str) -> tuple[str, list[int]]:
    """Digits as 0–9, separators as a space, other visible characters as "x", invisible ones
    dropped; with, for each character kept, its position in `text`."""
    chars: list[str] = []
    origin: list[int] = []
    for index, original in enumerate(text):
        for char in unicodedata.normalize("NFKC", original):
            if char.isdecimal():
                kept = str(unicodedata.decimal(char))
            elif char in SEPARATORS or char.isspace() or unicodedata.category(char) == "Pd":
                kept = " "
            elif unicodedata.category(char) in DROPPED_CATEGORIES:
                continue
            else:
                kept = "x"
            chars.append(kept)
            origin.append(index)
    return "".join(chars), origin
