"""From a flag to a notice sent (issue 12): draft a notice on flags, and record the version
actually sent as a `notice` enforcement action with its cure deadline.

`notice_draft` queues a notice on the flags' contractor and commitments. `notice_mark_sent`
checks the uploaded file by its bytes (a PDF, or a Word .docx), and records the notice as
sent on its date: the cure deadline is set by `enforcement_action_create`
(`compliance.enforcement.actions.cure_deadline_for`), the file kept with its SHA-256.
"""

import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cba.errors import Conflict, InvalidInput, TooLarge
from compliance.audit import audit_record
from compliance.enforcement.actions import enforcement_action_create
from compliance.enforcement.memos.build import memo_request
from compliance.formatting import long_date
from compliance.models import EnforcementAction, Flag, Memo
from compliance.storage import safe_filename

MAX_SENT_BYTES = 20 * 1024 * 1024


def notice_draft(*, user, flags: Iterable[Flag]) -> Memo:
    """Queue a notice on these flags: their project, their one contractor (or the owner when
    none names one) and their commitments."""
    flags = list(flags)
    if not flags:
        raise InvalidInput("Tick the flags the notice is about, then press “Draft notice”.")
    projects = {f.project_id for f in flags}
    if len(projects) > 1:
        raise InvalidInput(
            "The flags ticked are on different projects: a notice concerns one project. "
            "Filter the list to one project and tick its flags."
        )
    assignments = {f.assignment for f in flags if f.assignment_id}
    if len(assignments) > 1:
        names = sorted(a.contractor.name for a in assignments)
        raise InvalidInput(
            f"The flags ticked concern {', '.join(names)}: a notice goes to one contractor. "
            "Tick one contractor's flags."
        )
    project = flags[0].project
    known = set(project.commitments.values_list("key", flat=True))
    return memo_request(
        project=project,
        user=user,
        assignment=next(iter(assignments), None),
        commitment_keys=sorted({f.commitment_key for f in flags if f.commitment_key in known}),
        flag_ids=[f.pk for f in flags],
        audience=Memo.Audience.RECIPIENT,
        document=Memo.Document.NOTICE,
    )


def sent_document_kind(content: bytes) -> str:
    """ "pdf" or "docx", read from the bytes, not the file's name; anything else refused."""
    if len(content) > MAX_SENT_BYTES:
        raise TooLarge("The file is larger than 20 MB: upload the notice as sent, as PDF or DOCX.")
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
    raise InvalidInput(
        "The file is not a PDF or a Word document (.docx): upload the notice as it was sent, "
        "in one of those two formats.",
        errors=[{"field": "document", "message": "Not a PDF or DOCX."}],
    )


@transaction.atomic
def notice_mark_sent(
    *, memo: Memo, user, sent_on: datetime.date, filename: str, content: bytes, note: str = ""
) -> EnforcementAction:
    """Record a notice as sent on `sent_on` (today at the latest: the cure deadline runs from
    it), with the document actually sent."""
    if sent_on > timezone.localdate():
        raise InvalidInput(
            f"A notice cannot have been sent on {long_date(sent_on)}, a day still to come: "
            "give the day it was sent.",
            errors=[{"field": "sent_on", "message": "A day still to come."}],
        )
    memo = Memo.objects.select_for_update().select_related("project").get(pk=memo.pk)
    if memo.document != Memo.Document.NOTICE or memo.status != Memo.Status.READY:
        raise Conflict(f"Memo #{memo.pk} is not a notice ready to send: draft a notice first.")
    if EnforcementAction.objects.filter(memo=memo, kind=EnforcementAction.Kind.NOTICE).exists():
        raise Conflict(f"Notice #{memo.pk} is already marked sent.")
    kind = sent_document_kind(content)
    action = enforcement_action_create(
        project=memo.project,
        user=user,
        kind=EnforcementAction.Kind.NOTICE,
        date=sent_on,
        assignment=memo.assignment,
        note=note,
        flags=memo.flags.all(),
        memo=memo,
    )
    name = safe_filename(filename, fallback=f"notice-{memo.pk}.{kind}")
    if not name.lower().endswith(f".{kind}"):
        name = f"{name}.{kind}"
    action.sent_document.save(name, ContentFile(content), save=False)
    action.sent_document_name = name
    action.sent_document_sha256 = hashlib.sha256(content).hexdigest()
    action.save(update_fields=["sent_document", "sent_document_name", "sent_document_sha256"])
    audit_record(
        verb="notice.sent",
        actor=user,
        obj=action,
        project=memo.project,
        data={
            "memo": memo.pk,
            "sent_on": sent_on.isoformat(),
            "cure_deadline": action.cure_deadline.isoformat() if action.cure_deadline else None,
            "sha256": action.sent_document_sha256,
        },
    )
    return action
