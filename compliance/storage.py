"""Where stored files go and how they are handed out (SPEC §8).

Stored names carry a random part, so knowing one file's name says nothing about another's.
No URL maps to the storage: a file leaves only through a view that asked projects/access.py
and then calls `attachment`.
"""

import hashlib
import re
import secrets
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

# Extensions kept on stored names (the part after the random token); anything else is ".bin".
_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]+")
# The only types a download is labelled with; anything else is plain bytes.
_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
    ".csv": "text/csv",
    ".json": "application/json",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}


# What an attachment may be (checked by content), as its download is labelled.
ATTACHMENT_CONTENT_TYPES = [
    _CONTENT_TYPES[extension] for extension in (".pdf", ".png", ".jpg", ".xlsx", ".docx")
]


def _stored_name(folder: str, filename: str) -> str:
    """`folder/YYYY/<random>.<ext>`: the year keeps folders small, the token unguessable."""
    suffix = PurePosixPath(filename.lower()).suffix
    extension = suffix if _EXTENSION.fullmatch(suffix) else ".bin"
    return f"{folder}/{timezone.now():%Y}/{secrets.token_urlsafe(18)}{extension}"


def report_file_name(instance, filename: str) -> str:
    return _stored_name("reports", filename)


def memo_file_name(instance, filename: str) -> str:
    return _stored_name("memos", filename)


def evidence_file_name(instance, filename: str) -> str:
    return _stored_name("evidence", filename)


def agreement_file_name(instance, filename: str) -> str:
    return _stored_name("agreements", filename)


def attachment_file_name(instance, filename: str) -> str:
    return _stored_name("attachments", filename)


ATTACHMENT_KINDS = gettext_lazy(
    "a PDF, a PNG or JPEG image, an Excel workbook (.xlsx) or a Word document (.docx)"
)
# The parts a workbook or a Word document has, whatever wrote it.
_OFFICE_PARTS = {".xlsx": "xl/workbook.xml", ".docx": "word/document.xml"}


# The file picker's filter; the content check is `check_attachment`.
ATTACHMENT_ACCEPT = ".pdf,.png,.jpg,.jpeg,.xlsx,.docx"


def attachment_hint() -> str:
    """What a file field takes, in words, for the form."""
    limit = settings.ATTACHMENT_MAX_BYTES / 1048576
    return gettext("PDF, PNG or JPEG, .xlsx or .docx, up to {limit} MB.").format(limit=f"{limit:g}")


def _sniff(file) -> str | None:
    """The file's type by its first bytes (and, for a zip, its parts), not by its name."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF"):
        return ".pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names:
            for extension, part in _OFFICE_PARTS.items():
                if part in names:
                    return extension
    return None


def check_attachment(file) -> str | None:
    """What is wrong with an evidence file, in words, or None (SPEC §8): at most
    ATTACHMENT_MAX_BYTES, and by its content (never its name) a PDF, a PNG or JPEG image,
    an .xlsx workbook or a .docx document. A renamed program is refused."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if file.size > limit:
        return gettext(
            "The file is {size} MB; files up to {limit} MB are accepted: send a smaller one or "
            "split it."
        ).format(size=f"{file.size / 1048576:.1f}", limit=f"{limit / 1048576:g}")
    if _sniff(file) is None:
        return gettext("This file is not {kinds}: send the evidence as one of those.").format(
            kinds=ATTACHMENT_KINDS
        )
    return None


def attachment_name(file) -> str:
    """The name a checked file is downloaded under: its own, with the extension its content
    shows (a scan named "slips" that is a PDF downloads as "slips.pdf")."""
    extension = _sniff(file) or ".bin"
    stem = PurePosixPath(safe_filename(file.name, fallback="evidence")).stem
    return f"{stem or 'evidence'}{extension}"


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def evidence_filename(entry) -> str:
    """`evidence-<entry>-<date>.<ext>`: the stored name is random, so the download gets one."""
    return f"evidence-{entry.pk}-{entry.date:%Y-%m-%d}{PurePosixPath(entry.evidence.name).suffix}"


def safe_filename(name: str, *, fallback: str = "download") -> str:
    """The last part of a path with only plain characters kept, never empty or hidden."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = _UNSAFE.sub("_", base).strip(" ._")[:150]
    return cleaned or fallback


def attachment(file: FieldFile, *, filename: str) -> FileResponse:
    """Stream a stored file as a download under a safe name; browsers never render it."""
    name = safe_filename(filename)
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=_CONTENT_TYPES.get(
            PurePosixPath(name.lower()).suffix, "application/octet-stream"
        ),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
