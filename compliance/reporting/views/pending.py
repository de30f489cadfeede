"""An upload waiting for its mapping: the file kept in storage (never served), named by a
random token in the uploader's session, dropped once the mapping page has used it."""

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

SESSION_KEY = "pending_uploads"


def keep_pending(request, *, assignment, content: bytes, filename: str, period, check_only):
    token = secrets.token_urlsafe(18)
    stored = default_storage.save(f"pending/{token}.bin", ContentFile(content))
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
