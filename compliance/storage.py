"""Where stored files go and how they are handed out (SPEC §8).

Stored names carry a random part, so knowing one file's name says nothing about another's.
No URL maps to the storage: a file leaves only through a view that asked projects/access.py
and then calls `attachment`.
"""

import re
import secrets
from pathlib import PurePosixPath, PureWindowsPath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils import timezone

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
}


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
