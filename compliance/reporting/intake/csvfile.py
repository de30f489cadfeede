"""Reads a contractor's own export saved as CSV (SPEC §5.4): any common encoding, any
delimiter, into the same grid a workbook gives (a header row, then the rows under it).

The encoding is decided by the bytes: a UTF-8 or UTF-16 byte-order mark, UTF-16 without
one (every other byte zero), UTF-8 when the bytes decode as UTF-8, else Windows-1252 (what
Excel saves as "CSV" on a Windows computer in the Americas and Western Europe). The
delimiter is csv.Sniffer's guess among comma, semicolon, tab and pipe.

This runs in the parse child (compliance.reporting.intake.sandbox): nothing of Django.
"""

import codecs
import csv
import io

from compliance.reporting.intake.table import refuse

DELIMITERS = ",;\t|"
SAMPLE = 64 * 1024


def decode(content: bytes) -> str:
    """The file's text, whichever of UTF-8 (with or without BOM), UTF-16 or cp1252 it is."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace")
    head = content[:2048]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return content.decode("utf-16-le", errors="replace")
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return content.decode("utf-16-be", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def delimiter_of(text: str) -> str:
    sample = text[:SAMPLE]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=first.count)


def read_csv_rows(content: bytes, *, max_rows: int) -> list[list[str]]:
    """Every non-blank row of the file as a list of texts, the header row first."""
    text = decode(content).replace("\x00", "")
    delimiter = delimiter_of(text)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            rows.append(cells)
            if len(rows) > max_rows + 1:
                raise refuse(
                    f"The file has more than {max_rows:,} rows; a month's report may have at "
                    f"most {max_rows:,}. Keep only this month's lines."
                )
    except csv.Error:
        raise refuse(
            "The CSV file could not be read (a quote is not closed). Save it again from your "
            "payroll program or spreadsheet and upload the new file."
        ) from None
    if not rows:
        raise refuse("The CSV file is empty. Export this month's payroll and upload it.")
    return rows
