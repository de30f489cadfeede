"""Checks an uploaded file before anything reads it: size, type by content, zip bombs (SPEC §8).

The file's name is not trusted: a workbook is a zip holding `xl/workbook.xml`, an eCPR or
New York payroll file is XML, and text with delimited columns is a CSV export (read through
a mapping). Everything else is refused with a message that says what the file seems to be.
"""

import io
import zipfile

from django.conf import settings

from compliance.reporting.intake.csvfile import DELIMITERS, decode
from compliance.reporting.intake.sandbox import CSV, XLSX, XML
from compliance.reporting.intake.table import refuse

UPLOAD_HELP = (
    "Upload the project's Excel template (.xlsx), your payroll program's export (.xlsx or "
    ".csv), or the certified payroll XML you file with California's DIR or New York's DOL."
)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size: int) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise refuse(
            f"The file is {megabytes(size)}; the limit is {megabytes(limit)}. Keep only the "
            "Payroll sheet with this month's rows (no pictures or other sheets), save it as "
            ".xlsx and upload it again."
        )
    if size == 0:
        raise refuse(f"The file is empty. {UPLOAD_HELP}")


def sniff(content: bytes, filename: str = "") -> str:
    """XLSX or XML, decided by the bytes; a clear refusal for anything else."""
    check_size(len(content))
    named = f"“{filename}” " if filename else "The file "
    head = content[:8]
    if head.startswith(b"PK\x03\x04"):
        check_workbook_zip(content, named)
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(
            f"{named}is an old-style Excel file (.xls) or a password-protected workbook. "
            "Remove the password and save it as an Excel Workbook (.xlsx), then upload it."
        )
    if head.startswith(b"%PDF"):
        raise refuse(f"{named}is a PDF. {UPLOAD_HELP}")
    text_start = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text_start.startswith(b"<"):
        return XML
    if looks_like_csv(content[:4096]):
        return CSV
    raise refuse(f"{named}is not an Excel workbook, a CSV file or an XML file. {UPLOAD_HELP}")


def looks_like_csv(head: bytes) -> bool:
    """Text (in any encoding csvfile reads) whose first line has a delimiter."""
    text = decode(head)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    printable = sum(c.isprintable() or c in "\t\r\n" for c in text)
    return any(d in first for d in DELIMITERS) and printable >= 0.95 * len(text)


def check_workbook_zip(content: bytes, named: str) -> None:
    """A real .xlsx, whose contents unzipped stay within UPLOAD_MAX_UNZIPPED_BYTES.

    The sizes come from the zip's directory, so a zip bomb is refused before a byte of it
    is decompressed.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise refuse(
            f"{named}is damaged: it is not a complete Excel workbook. Open it in Excel, "
            "save it again as .xlsx and upload the new file."
        ) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        kind = "a Word document" if "word/document.xml" in names else "a zip archive"
        raise refuse(f"{named}is {kind}, not an Excel workbook. {UPLOAD_HELP}")
    unzipped = sum(info.file_size for info in infos)
    limit = settings.UPLOAD_MAX_UNZIPPED_BYTES
    if unzipped > limit:
        raise refuse(
            f"{named}would take {megabytes(unzipped)} once opened; the limit is "
            f"{megabytes(limit)}. Keep only the Payroll sheet and the rows of one month."
        )
