"""Checks an uploaded file before anything reads it: size, type by content, zip bombs (SPEC §8).

The file's name is not trusted: a workbook is a zip holding `xl/workbook.xml`, an eCPR file
is XML. Everything else is refused with a message that says what the file seems to be.
"""

import io
import zipfile

from django.conf import settings

from compliance.reporting.intake.sandbox import XLSX, XML
from compliance.reporting.intake.table import refuse

UPLOAD_HELP = (
    "Upload the project's Excel template (.xlsx), saved from Excel, or the eCPR XML file "
    "you file with California's DIR."
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
    if b"," in content[:2048] or b"\t" in content[:2048]:
        raise refuse(
            f"{named}looks like a CSV or text file. Paste its rows into the Payroll sheet of "
            "the project's template and upload the .xlsx."
        )
    raise refuse(f"{named}is neither an Excel workbook nor an XML file. {UPLOAD_HELP}")


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
