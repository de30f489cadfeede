"""Memo requests and builds (SPEC §6): a request returns at once; a task builds the files.

A memo is one of four documents (`Memo.Document`): the notice of non-compliance and cure
demand (PDF and DOCX, for the recipient only), the case memo (PDF and DOCX), the evidence
exhibits (xlsx) or the package of them all (ZIP). Each is rendered from one gathered
snapshot, stored with it; every stored file keeps its SHA-256.

`memo_request` records a queued memo and enqueues `build_memo_task` once the transaction
commits; `memo_build` gathers the snapshot, renders the PDF and stores both with their
SHA-256, or marks the memo failed with the reason. `memo_generate` does both in the
foreground, for the `generate_memo` command. A memo's `audience` (`recipient`, the
default, or `counsel`) decides what the snapshot may carry. Its figures are measured as of
`as_of`: the end of the last complete month when the request names no date (`memo_as_of`).

A build that dies with its worker is handed out again by the queue (`Q_CLUSTER["retry"]`);
a memo still queued after that second chance has ended is marked failed by
`memos_fail_stalled`, and any failed memo can be queued again with `memo_retry`.
"""

import datetime
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException

from cba.errors import InvalidInput
from compliance.audit import audit_record
from compliance.enforcement.memos.docx_memo import render_memo_docx
from compliance.enforcement.memos.exhibits import exhibit_lines, render_exhibits_xlsx
from compliance.enforcement.memos.gather import gather_snapshot, snapshot_sha256
from compliance.enforcement.memos.notice import (
    notice_addressee,
    notice_letterhead,
    render_notice_docx,
    render_notice_pdf,
)
from compliance.enforcement.memos.package import render_package_zip
from compliance.enforcement.memos.render import render_memo_pdf
from compliance.enforcement.memos.snapshot_values import last_complete_month_end
from compliance.enqueue import enqueue
from compliance.formatting import long_date
from compliance.models import Flag, Memo
from projects.models import Assignment, Project

logger = logging.getLogger(__name__)
TASK = "compliance.tasks.build_memo_task"
STALLED = "The worker stopped while building this memo; try again."


def memo_as_of(as_of: datetime.date | None, *, today: datetime.date) -> datetime.date:
    """The day a document's figures are measured to (SPEC §6): the date chosen, or else the
    end of the last complete month, so an unfinished month is never counted as if it were
    whole. A chosen date after today is refused: nothing is reported for it yet."""
    if as_of is None:
        return last_complete_month_end(today)
    if as_of > today:
        raise InvalidInput(
            f"The figures can be measured up to today ({long_date(today)}) at the latest: "
            f"{long_date(as_of)} has not come yet. Leave the date empty for the end of the "
            "last complete month.",
            errors=[{"field": "as_of", "value": as_of.isoformat(), "message": "In the future."}],
        )
    return as_of


def _memo_create(
    *,
    project: Project,
    user,
    assignment: Assignment | None,
    commitment_keys: Iterable[str],
    flag_ids: Iterable[int],
    audience: str,
    as_of: datetime.date | None = None,
    document: str = Memo.Document.CASE,
    actor_label: str = "",
) -> Memo:
    if document not in Memo.Document.values:
        raise InvalidInput(
            "Say which document to build: notice (the notice of non-compliance and cure "
            "demand), case (the case memo), exhibits (the evidence workbook) or package (all "
            "of them in one ZIP).",
            errors=[{"field": "document", "value": document, "message": "Unknown document."}],
        )
    if audience not in Memo.Audience.values:
        raise InvalidInput(
            "Say who the memo is for: recipient (addressed to the contractor and/or the owner: "
            "no internal notes, no worker names) or counsel (the law center's own case memo).",
            errors=[{"field": "audience", "value": audience, "message": "Unknown audience."}],
        )
    if document == Memo.Document.NOTICE and audience != Memo.Audience.RECIPIENT:
        raise InvalidInput(
            "A notice is sent to the contractor or the owner: ask for it for the recipient. "
            "Counsel's own analysis is the case memo.",
            errors=[
                {
                    "field": "audience",
                    "value": audience,
                    "message": "A notice is for the recipient.",
                }
            ],
        )
    commitment_keys = sorted(set(commitment_keys))
    known = set(project.commitments.values_list("key", flat=True))
    unknown = [key for key in commitment_keys if key not in known]
    if unknown:
        raise InvalidInput(
            f"Not a commitment of {project.name}: {', '.join(unknown)}. "
            f"Use one of: {', '.join(sorted(known)) or 'none recorded yet'}.",
            errors=[
                {"field": "commitment_keys", "value": key, "message": "Unknown key."}
                for key in unknown
            ],
        )
    if assignment is not None and assignment.project_id != project.pk:
        raise InvalidInput(
            f"{assignment.contractor} is not a contractor on {project.name}: pick one of its "
            "contractors, or none for the whole project."
        )
    flag_ids = sorted({int(i) for i in flag_ids})
    flags = list(Flag.objects.filter(project=project, pk__in=flag_ids))
    missing = sorted(set(flag_ids) - {f.pk for f in flags})
    if missing:
        raise InvalidInput(
            f"No flag {', '.join(f'#{i}' for i in missing)} on {project.name}: pick flags "
            "from the project's flag list.",
            errors=[{"field": "flag_ids", "value": i, "message": "Unknown flag."} for i in missing],
        )
    if assignment is not None:
        # A memo addressed to a contractor tells of flags on its own work or the whole
        # project's, never of another firm's: that would show it their findings and notes.
        foreign = sorted(f.pk for f in flags if f.assignment_id not in (None, assignment.pk))
        if foreign:
            raise InvalidInput(
                f"Flag {', '.join(f'#{i}' for i in foreign)} is not on {assignment.contractor}'s "
                "work: a memo addressed to a contractor can only tell of its own flags. Leave "
                "them out, or choose no contractor for a memo on the whole project.",
                errors=[
                    {"field": "flag_ids", "value": i, "message": "Not this contractor's flag."}
                    for i in foreign
                ],
            )
    as_of = memo_as_of(as_of, today=timezone.localdate())
    memo = Memo.objects.create(
        project=project,
        assignment=assignment,
        audience=audience,
        as_of=as_of,
        document=document,
        commitment_keys=commitment_keys,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if flags:
        memo.flags.set(flags)
    audit_record(
        verb="memo.requested",
        actor=user,
        actor_label=actor_label,
        obj=memo,
        project=project,
        data={
            "assignment": assignment.pk if assignment else None,
            "audience": audience,
            "as_of": as_of.isoformat(),
            "document": document,
            "commitment_keys": commitment_keys,
            "flag_ids": flag_ids,
        },
    )
    return memo


@transaction.atomic
def memo_request(
    *,
    project: Project,
    user,
    assignment: Assignment | None = None,
    commitment_keys: Iterable[str] = (),
    flag_ids: Iterable[int] = (),
    audience: str = Memo.Audience.RECIPIENT,
    as_of: datetime.date | None = None,
    document: str = Memo.Document.CASE,
) -> Memo:
    """Queue a memo; a background task builds it after this transaction commits."""
    memo = _memo_create(
        project=project,
        user=user,
        assignment=assignment,
        commitment_keys=commitment_keys,
        flag_ids=flag_ids,
        audience=audience,
        as_of=as_of,
        document=document,
    )
    _enqueue_build(memo)
    return memo


def _enqueue_build(memo: Memo) -> None:
    enqueue(TASK, memo.pk, task_name=f"memo-{memo.pk}")


def memo_generate(
    *,
    project: Project,
    user=None,
    assignment: Assignment | None = None,
    commitment_keys: Iterable[str] = (),
    flag_ids: Iterable[int] = (),
    audience: str = Memo.Audience.RECIPIENT,
    as_of: datetime.date | None = None,
    document: str = Memo.Document.CASE,
) -> Memo:
    """Record and build a memo in the foreground (the `generate_memo` command)."""
    with transaction.atomic():
        memo = _memo_create(
            project=project,
            user=user,
            assignment=assignment,
            commitment_keys=commitment_keys,
            flag_ids=flag_ids,
            audience=audience,
            as_of=as_of,
            document=document,
            actor_label="" if user else "generate_memo",
        )
    return memo_build(memo=memo)


def memo_build(*, memo: Memo) -> Memo:
    """Gather, render and store one memo; a memo already built is left as it is.

    Any error ends the memo as `failed` with the reason, so the law center sees what went
    wrong instead of a memo queued forever.
    """
    memo = Memo.objects.select_related("project", "assignment__contractor", "requested_by").get(
        pk=memo.pk
    )
    if memo.status != Memo.Status.QUEUED:
        return memo
    try:
        snapshot = gather_snapshot(
            project=memo.project,
            user=memo.requested_by,
            assignment=memo.assignment,
            commitment_keys=memo.commitment_keys,
            flag_ids=memo.flags.values_list("pk", flat=True),
            memo_date=timezone.localdate(),
            as_of=memo.as_of or last_complete_month_end(timezone.localdate(memo.requested_at)),
            audience=memo.audience,
        )
        snapshot.update(_document_extras(memo))
        digest = snapshot_sha256(snapshot)
        files = render_document(snapshot, document=memo.document, snapshot_sha256=digest)
    except TimeoutException:
        logger.error("Memo %s took longer than Q_TIMEOUT to build", memo.pk)
        return _fail(
            memo,
            reason=f"Building this memo took longer than {settings.Q_TIMEOUT} seconds and was "
            "stopped. Try again; if it fails again, ask the program admin to raise Q_TIMEOUT.",
        )
    except Exception as exc:  # a failed build is recorded, never retried forever
        logger.exception("Memo %s failed to build", memo.pk)
        return _fail(
            memo,
            reason=f"The memo could not be built ({exc.__class__.__name__}: "
            f"{str(exc) or exc.__class__.__name__}). Request it again; if it fails again, send "
            "this message to the program admin.",
        )
    with transaction.atomic():
        for fmt, data in files.items():
            getattr(memo, fmt).save(memo.file_name(fmt), ContentFile(data), save=False)
            setattr(memo, f"{fmt}_sha256", hashlib.sha256(data).hexdigest())
        memo.snapshot = snapshot
        memo.snapshot_sha256 = digest
        memo.status = Memo.Status.READY
        memo.failure_reason = ""
        memo.finished_at = timezone.now()
        memo.save()
        audit_record(
            verb="memo.built",
            actor_label="build_memo_task",
            obj=memo,
            project=memo.project,
            data={
                **{f"{fmt}_sha256": getattr(memo, f"{fmt}_sha256") for fmt in files},
                "snapshot_sha256": digest,
            },
        )
    return memo


def _document_extras(memo: Memo) -> dict:
    """What a document adds to the gathered snapshot: a notice's letterhead and addressee,
    the exhibits' complete list of underpaid lines."""
    extras: dict = {"document": memo.document}
    if memo.document in (Memo.Document.NOTICE, Memo.Document.PACKAGE):
        extras["letterhead"] = notice_letterhead(memo.requested_by)
        extras["addressee"] = notice_addressee(memo.project, memo.assignment)
    if memo.document in (Memo.Document.EXHIBITS, Memo.Document.PACKAGE):
        extras["exhibits"] = {
            "wage_lines": exhibit_lines(
                project=memo.project,
                assignment=memo.assignment,
                commitment_keys=memo.commitment_keys,
            )
        }
    return extras


def render_document(snapshot: dict, *, document: str, snapshot_sha256: str) -> dict[str, bytes]:
    """The files of one document, by format, rendered from the snapshot alone."""
    sha = {"snapshot_sha256": snapshot_sha256}
    if document == Memo.Document.NOTICE:
        return {
            "pdf": render_notice_pdf(snapshot, **sha),
            "docx": render_notice_docx(snapshot, **sha),
        }
    if document == Memo.Document.EXHIBITS:
        return {"xlsx": render_exhibits_xlsx(snapshot, **sha)}
    if document == Memo.Document.PACKAGE:
        return {"zip": render_package_zip(snapshot, **sha)}
    return {"pdf": render_memo_pdf(snapshot, **sha), "docx": render_memo_docx(snapshot, **sha)}


def _fail(memo: Memo, *, reason: str) -> Memo:
    memo.status = Memo.Status.FAILED
    memo.failure_reason = reason[:2000]
    memo.finished_at = timezone.now()
    memo.save(update_fields=["status", "failure_reason", "finished_at"])
    audit_record(
        verb="memo.failed",
        actor_label="build_memo_task",
        obj=memo,
        project=memo.project,
        data={"reason": memo.failure_reason},
    )
    return memo


def memo_stall_seconds() -> int:
    """How long a memo may stay queued: its build, a worker's death, the queue's second
    chance (`retry` seconds after the first) and that build to its end, plus a minute."""
    return settings.Q_CLUSTER["retry"] + settings.Q_TIMEOUT + 60


def memos_fail_stalled() -> int:
    """Mark failed, with the reason, every memo queued for longer than a build can take; a
    late build of one of them leaves it failed. Returns how many were marked."""
    limit = timezone.now() - datetime.timedelta(seconds=memo_stall_seconds())
    marked = 0
    for memo in Memo.objects.filter(status=Memo.Status.QUEUED, requested_at__lt=limit):
        with transaction.atomic():
            # Only if it is still queued: a build may have finished meanwhile.
            if Memo.objects.filter(pk=memo.pk, status=Memo.Status.QUEUED).update(
                status=Memo.Status.FAILED, failure_reason=STALLED, finished_at=timezone.now()
            ):
                audit_record(
                    verb="memo.failed",
                    actor_label="memo sweep",
                    obj=memo,
                    project=memo.project,
                    data={"reason": STALLED},
                )
                marked += 1
    return marked


@transaction.atomic
def memo_retry(*, memo: Memo, user) -> Memo:
    """Queue a failed memo again, as it was requested; built like a new request."""
    queued = Memo.objects.filter(pk=memo.pk, status=Memo.Status.FAILED).update(
        status=Memo.Status.QUEUED,
        failure_reason="",
        finished_at=None,
        requested_at=timezone.now(),
    )
    if not queued:
        raise InvalidInput(f"Memo #{memo.pk} has not failed: there is nothing to try again.")
    memo.refresh_from_db()
    audit_record(verb="memo.retried", actor=user, obj=memo, project=memo.project)
    _enqueue_build(memo)
    return memo
