"""An upload waiting for its mapping: the file kept in storage (never served), named by a
random token in the uploader's session, dropped once the mapping page has used it. A file
whose mapping was never finished is deleted a day later, when the next one is kept."""

import datetime
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "pending_uploads"
FOLDER = "pending"
KEPT_FOR = datetime.timedelta(days=1)


def keep_pending(request, *, assignment, content: bytes, filename: str, period, check_only):
    drop_abandoned()
    token = secrets.token_urlsafe(18)
    stored = default_storage.save(f"{FOLDER}/{token}.bin", ContentFile(content))
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {
        "stored": stored,
        "filename": filename[-255:],
        "period": f"{period:%Y-%m}",
        "assignment": assignment.pk,
        "check_only": bool(check_only),
    }
    request.session[SESSION_KEY] = pending
    return token


def drop_abandoned() -> None:
    """Delete the kept uploads older than KEPT_FOR: payroll files nobody went on mapping."""
    if not default_storage.exists(FOLDER):
        return
    too_old = timezone.now() - KEPT_FOR
    for name in default_storage.listdir(FOLDER)[1]:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < too_old:
            default_storage.delete(path)


def pending_for(request, assignment, token: str) -> dict | None:
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if not pending or pending["assignment"] != assignment.pk:
        return None
    if not default_storage.exists(pending["stored"]):
        return None
    return pending


def drop_pending(request, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    found = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if found and default_storage.exists(found["stored"]):
        default_storage.delete(found["stored"])


def mapping_page_url(assignment, token: str) -> str:
    base = reverse(
        "export_mapping_new",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )
    return f"{base}?upload={token}"
