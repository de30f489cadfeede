"""The document package (SPEC §6): one ZIP with the documents, the exhibits, the snapshot
and a manifest that lists each file with its SHA-256.

A package follows its memo's audience: for the recipient it holds the notice and the
exhibits; for counsel, the privileged case memo as well. The notice is the same letter in
both (it never carries internal content).
"""

import datetime
import hashlib
import io
import json
import zipfile

from compliance.enforcement.memos.docx_memo import render_memo_docx
from compliance.enforcement.memos.exhibits import render_exhibits_xlsx
from compliance.enforcement.memos.gather import canonical_json
from compliance.enforcement.memos.notice import render_notice_docx, render_notice_pdf
from compliance.enforcement.memos.render import render_memo_pdf

MANIFEST = "manifest.json"


def package_files(snapshot: dict, *, snapshot_sha256: str) -> dict[str, bytes]:
    """The package's files by name, manifest excluded."""
    slug = snapshot["project"]["slug"]
    date = snapshot["memo_date"]
    files = {
        f"notice-{slug}-{date}.pdf": render_notice_pdf(snapshot, snapshot_sha256=snapshot_sha256),
        f"notice-{slug}-{date}.docx": render_notice_docx(snapshot, snapshot_sha256=snapshot_sha256),
    }
    if snapshot.get("audience") == "counsel":
        files[f"case-memo-{slug}-{date}-privileged.pdf"] = render_memo_pdf(
            snapshot, snapshot_sha256=snapshot_sha256
        )
        files[f"case-memo-{slug}-{date}-privileged.docx"] = render_memo_docx(
            snapshot, snapshot_sha256=snapshot_sha256
        )
    files[f"exhibits-{slug}-{date}.xlsx"] = render_exhibits_xlsx(
        snapshot, snapshot_sha256=snapshot_sha256
    )
    files[f"snapshot-{slug}-{date}.json"] = canonical_json(snapshot)
    return files


def manifest(snapshot: dict, files: dict[str, bytes], *, snapshot_sha256: str) -> dict:
    """What the package holds: each file with its size and SHA-256, the snapshot's SHA-256,
    and every report version the figures were read from."""
    return {
        "project": snapshot["project"]["name"],
        "contractor": snapshot["scope"]["contractor"],
        "date": snapshot["memo_date"],
        "as_of": snapshot.get("as_of"),
        "audience": snapshot.get("audience"),
        "snapshot_sha256": snapshot_sha256,
        "files": [
            {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        ],
        "report_versions": [
            {
                "contractor": r["contractor"],
                "month": r["month"],
                "version": r["version"],
                "sha256": r["sha256"],
            }
            for r in snapshot["sources"]["reports"]
        ],
    }


def render_package_zip(snapshot: dict, *, snapshot_sha256: str) -> bytes:
    """The ZIP bytes; entries are dated the memo's date, so the same snapshot gives the same
    archive."""
    files = package_files(snapshot, snapshot_sha256=snapshot_sha256)
    files[MANIFEST] = json.dumps(
        manifest(snapshot, files, snapshot_sha256=snapshot_sha256), indent=1, ensure_ascii=False
    ).encode("utf-8")
    day = datetime.date.fromisoformat(snapshot["memo_date"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
