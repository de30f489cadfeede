"""Stored text made safe to show anywhere: pages, spreadsheets, e-mails, PDFs.

Anything a contractor typed (worker IDs, names, file names) may hold control characters or
Unicode direction overrides. Control characters are not allowed in an .xlsx file's XML and
mean nothing on a page, so they are shown as the replacement character "�"; a direction
override is kept, but pages wrap such text in `<bdi>` so it cannot reverse what follows it.
"""

import re

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the two
# non-characters XML refuses.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def printable(value: str) -> str:
    """`value` with every control character replaced by "�", so it can be written anywhere."""
    return CONTROL.sub(REPLACEMENT, value)
