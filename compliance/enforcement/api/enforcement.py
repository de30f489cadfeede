"""API for the law center: memos (request, status, files, figures) and enforcement actions.

The same access rules as the web: memos for law center staff of a monitoring organization
and program admins; reviewers may list enforcement actions; 404 for a project the caller
cannot see, 403 for one they can see but may not act on.
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cba.answers import answers, file_answer
from cba.errors import Conflict, InvalidInput
from cba.paging import Paging
from compliance.enforcement.actions import (
    enforcement_action_create,
    enforcement_action_mark_cured,
    enforcement_history,
)
from compliance.enforcement.memos.build import memo_request
from compliance.enforcement.memos.notice_sent import notice_mark_sent
from compliance.models import EnforcementAction, Memo
from compliance.months import Day
from compliance.numbers import figure_type
from compliance.storage import attachment
from projects import access

router = Router(tags=["enforcement"])


class MemoRequestIn(Schema):
    contractor: str | None = Field(
        None, description="Contractor organization slug; omit for the whole project."
    )
    commitment_keys: list[str] = Field(
        default_factory=list, description="Commitment keys; empty for every commitment."
    )
    flag_ids: list[int] = Field(default_factory=list, description="Flags to detail in full.")
    audience: str = Field(
        Memo.Audience.RECIPIENT,
        description="Who the memo is for. `recipient` (default): addressed to the contractor "
        "and/or the owner; it carries only the notes shared with them (no internal notes, no "
        "enforcement action notes) and workers by ID, never by name. `counsel`: the law "
        "center's own case memo, with internal notes and worker names; every page is marked "
        '"Privileged and confidential: attorney work product".',
    )
    as_of: datetime.date | None = Field(
        None,
        description="The day the figures are measured to (YYYY-MM-DD, today at the latest); "
        "omit for the end of the last complete month.",
    )
    document: Literal[tuple(Memo.Document.values)] = Field(
        Memo.Document.CASE,
        description="Which document: `notice` (the notice of non-compliance and cure demand, "
        "PDF and DOCX; for the recipient only), `case` (default: the memo, PDF and DOCX), "
        "`exhibits` (the evidence workbook, xlsx) or `package` (a ZIP of the documents, the "
        "exhibits and a manifest of every file's SHA-256).",
    )


class MemoFileOut(Schema):
    format: str
    url: str
    sha256: str


class MemoOut(Schema):
    id: int
    project: str
    audience: str = Field(description="`recipient` or `counsel`; see the memo request.")
    as_of: datetime.date | None = Field(description="The day the figures are measured to.")
    document: str = Field(description="`notice`, `case`, `exhibits` or `package`.")
    document_label: str
    files: list[MemoFileOut] = Field(description="The ready memo's files, one per format.")
    contractor: str | None
    commitment_keys: list[str]
    flag_ids: list[int]
    status: str
    failure_reason: str
    requested_by: str | None
    requested_at: datetime.datetime
    finished_at: datetime.datetime | None
    pdf_url: str | None
    pdf_sha256: str
    snapshot_sha256: str

    @staticmethod
    def resolve_project(memo: Memo) -> str:
        return memo.project.slug

    @staticmethod
    def resolve_contractor(memo: Memo) -> str | None:
        return memo.assignment.contractor.slug if memo.assignment_id else None

    @staticmethod
    def resolve_flag_ids(memo: Memo) -> list[int]:
        return sorted(f.pk for f in memo.flags.all())

    @staticmethod
    def resolve_requested_by(memo: Memo) -> str | None:
        return memo.requested_by.username if memo.requested_by_id else None

    @staticmethod
    def resolve_pdf_url(memo: Memo) -> str | None:
        if "pdf" not in memo.formats:
            return None
        return reverse("api:api_memo_pdf", kwargs={"memo_id": memo.pk})

    @staticmethod
    def resolve_files(memo: Memo) -> list[dict]:
        return [
            {
                "format": fmt,
                "url": reverse("api:api_memo_file", kwargs={"memo_id": memo.pk}) + f"?format={fmt}",
                "sha256": getattr(memo, f"{fmt}_sha256"),
            }
            for fmt in memo.formats
        ]


class ActionIn(Schema):
    kind: Literal[tuple(EnforcementAction.Kind.values)]
    date: Day
    contractor: str | None = Field(None, description="Contractor organization slug.")
    amount: figure_type(minimum=Decimal(0), what="the amount in dollars") | None = None
    note: str = ""
    flag_ids: list[int] = Field(default_factory=list)
    memo_id: int | None = None


class CuredIn(Schema):
    cured_at: Day
    note: str = ""


class ActionOut(Schema):
    id: int
    project: str
    kind: str
    kind_label: str
    date: datetime.date
    contractor: str | None
    amount: Decimal | None
    note: str
    flag_ids: list[int]
    memo_id: int | None
    cure_deadline: datetime.date | None
    cured_at: datetime.date | None
    sent_document_sha256: str = Field(
        description="A notice marked sent: the SHA-256 of the document actually sent."
    )
    created_by: str | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_project(action: EnforcementAction) -> str:
        return action.project.slug

    @staticmethod
    def resolve_kind_label(action: EnforcementAction) -> str:
        return action.get_kind_display()

    @staticmethod
    def resolve_contractor(action: EnforcementAction) -> str | None:
        return action.assignment.contractor.slug if action.assignment_id else None

    @staticmethod
    def resolve_flag_ids(action: EnforcementAction) -> list[int]:
        return sorted(f.pk for f in action.flags.all())

    @staticmethod
    def resolve_created_by(action: EnforcementAction) -> str | None:
        return action.created_by.username if action.created_by_id else None


MEMO_RELATED = ("project", "assignment__contractor", "requested_by")


def _memo_project(user, slug: str):
    project = access.project_for(user, slug)
    access.require(access.can_use_memos(user, project))
    return project


def _memo(user, memo_id: int) -> Memo:
    memo = get_object_or_404(
        Memo.objects.filter(project__in=access.projects_for(user)).select_related(*MEMO_RELATED),
        pk=memo_id,
    )
    access.require(access.can_use_memos(user, memo.project))
    return memo


def _assignment(user, project, contractor_slug: str | None):
    if not contractor_slug:
        return None
    assignment = (
        access.assignments_for(user)
        .filter(project=project, contractor__slug=contractor_slug)
        .select_related("contractor")
        .first()
    )
    if assignment is None:
        raise InvalidInput(
            f"{contractor_slug!r} is not a contractor on {project.name}: use the slug of one of "
            "its contractors, or leave it out for the whole project.",
            errors=[{"field": "contractor", "value": contractor_slug, "message": "Unknown."}],
        )
    return assignment


@router.post(
    "/projects/{slug}/memos",
    response=answers({202: MemoOut}, 403, 404, body=True),
    url_name="api_memo_request",
    summary="Request a memo (built in the background)",
)
def request_memo(request, slug: str, payload: MemoRequestIn):
    """Queue a memo; poll `GET /memos/{memo_id}` until its status is `ready` or `failed`."""
    user = request.auth
    project = _memo_project(user, slug)
    memo = memo_request(
        project=project,
        user=user,
        assignment=_assignment(user, project, payload.contractor),
        commitment_keys=payload.commitment_keys,
        flag_ids=payload.flag_ids,
        audience=payload.audience,
        as_of=payload.as_of,
        document=payload.document,
    )
    return Status(202, Memo.objects.select_related(*MEMO_RELATED).get(pk=memo.pk))


@router.get(
    "/projects/{slug}/memos",
    response=answers(list[MemoOut], 403, 404),
    url_name="api_memo_list",
    summary="A project's memos, newest first",
)
@paginate(Paging)
def list_memos(request, slug: str, status: str | None = None):
    user = request.auth
    project = _memo_project(user, slug)
    memos = (
        access.memos_for(user)
        .filter(project=project)
        .select_related(*MEMO_RELATED)
        .prefetch_related("flags")
    )
    if status:
        memos = memos.filter(status=status)
    return memos


@router.get(
    "/memos/{memo_id}",
    response=answers(MemoOut, 403, 404),
    url_name="api_memo_status",
    summary="A memo's status",
)
def memo_status(request, memo_id: int):
    return _memo(request.auth, memo_id)


def _memo_file(memo: Memo, fmt: str):
    if memo.status != Memo.Status.READY:
        raise Conflict(
            f"Memo #{memo.pk} is {memo.status}: "
            + (memo.failure_reason or "poll GET /memos/{memo_id} until it is ready.")
        )
    file = memo.stored(fmt)
    if file is None:
        offered = ", ".join(memo.formats) or "no file"
        raise Conflict(f"{memo.document_label} #{memo.pk} has no {fmt}: it offers {offered}.")
    return attachment(file, filename=memo.file_name(fmt))


@router.get(
    "/memos/{memo_id}/pdf",
    response=answers(None, 403, 404, 409),
    openapi_extra=file_answer("application/pdf", "The memo."),
    url_name="api_memo_pdf",
    summary="A ready memo's PDF",
)
def memo_pdf(request, memo_id: int):
    return _memo_file(_memo(request.auth, memo_id), "pdf")


@router.get(
    "/memos/{memo_id}/file",
    response=answers(None, 403, 404, 409),
    openapi_extra=file_answer(
        "application/octet-stream",
        "The document in the format asked for: application/pdf, a Word document (docx), an "
        "Excel workbook (xlsx) or a ZIP package.",
    ),
    url_name="api_memo_file",
    summary="A ready document's file, in one of its formats",
)
def memo_file(request, memo_id: int, format: Literal["pdf", "docx", "xlsx", "zip"] | None = None):
    """`format` defaults to the document's first: pdf for a notice or case memo, xlsx for the
    exhibits, zip for a package; a format the document does not come in answers 409."""
    memo = _memo(request.auth, memo_id)
    return _memo_file(memo, format or Memo.FORMATS[memo.document][0])


@router.get(
    "/memos/{memo_id}/snapshot",
    url_name="api_memo_snapshot",
    summary="The figures a ready memo was built from",
    response=answers(dict, 403, 404, 409),
)
def memo_snapshot(request, memo_id: int):
    """The snapshot whose canonical JSON (sorted keys, no spaces) has `snapshot_sha256`."""
    memo = _memo(request.auth, memo_id)
    if memo.status != Memo.Status.READY:
        raise Conflict(f"Memo #{memo.pk} is {memo.status}: it has no snapshot yet.")
    return memo.snapshot


class MarkSentIn(Schema):
    sent_on: Day = Field(description="The day the notice was sent (YYYY-MM-DD).")
    note: str = Field("", max_length=2000, description="How it was sent, to whom.")


@router.post(
    "/memos/{memo_id}/sent",
    response=answers({201: ActionOut}, 403, 404, 409, body=True),
    url_name="api_memo_mark_sent",
    summary="Record a notice as sent, with the document actually sent",
)
def mark_sent(request, memo_id: int, payload: Form[MarkSentIn], document: File[UploadedFile]):
    """A multipart form: `sent_on`, `document` (the notice as sent, PDF or Word) and
    optionally `note`. Creates the `notice` enforcement action with its cure deadline (the
    day sent + the agreement's cure period, moved to the next business day), keeps the
    document and its SHA-256 (201). 409 when the memo is not a ready notice or is already
    marked sent; 422 when the file is neither PDF nor DOCX."""
    user = request.auth
    memo = _memo(user, memo_id)
    action = notice_mark_sent(
        memo=memo,
        user=user,
        sent_on=payload.sent_on,
        filename=document.name or "",
        content=document.read(),
        note=payload.note,
    )
    return Status(201, action)


def _enforcement_project(user, slug: str):
    project = access.project_for(user, slug)
    access.require(access.is_monitor(user) or access.can_use_memos(user, project))
    return project


@router.get(
    "/projects/{slug}/enforcement-actions",
    response=answers(list[ActionOut], 403, 404),
    url_name="api_enforcement_list",
    summary="A project's enforcement actions, newest first",
)
@paginate(Paging)
def list_actions(request, slug: str, kind: str | None = None, contractor: str | None = None):
    user = request.auth
    project = _enforcement_project(user, slug)
    actions = enforcement_history(
        actions=access.enforcement_actions_for(user), project=project
    ).order_by("-date", "-id")
    if kind:
        actions = actions.filter(kind=kind)
    if contractor:
        actions = actions.filter(assignment__contractor__slug=contractor)
    return actions.select_related("project")


@router.post(
    "/projects/{slug}/enforcement-actions",
    response=answers({201: ActionOut}, 403, 404, body=True),
    url_name="api_enforcement_create",
    summary="Record an enforcement action",
)
def create_action(request, slug: str, payload: ActionIn):
    """A `notice` sets `cure_deadline` = date + the agreement's cure period."""
    user = request.auth
    project = _memo_project(user, slug)
    flags = list(access.flags_for(user).filter(project=project, pk__in=payload.flag_ids))
    unknown = sorted(set(payload.flag_ids) - {f.pk for f in flags})
    if unknown:
        raise InvalidInput(
            f"No flag {', '.join(f'#{i}' for i in unknown)} on {project.name}.",
            errors=[{"field": "flag_ids", "value": i, "message": "Unknown flag."} for i in unknown],
        )
    memo = None
    if payload.memo_id is not None:
        memo = access.memos_for(user).filter(project=project, pk=payload.memo_id).first()
        if memo is None:
            raise InvalidInput(f"No memo #{payload.memo_id} on {project.name}.")
    action = enforcement_action_create(
        project=project,
        user=user,
        kind=payload.kind,
        date=payload.date,
        assignment=_assignment(user, project, payload.contractor),
        amount=payload.amount,
        note=payload.note,
        flags=flags,
        memo=memo,
    )
    return Status(201, action)


@router.post(
    "/enforcement-actions/{action_id}/cured",
    response=answers(ActionOut, 403, 404, 409, body=True),
    url_name="api_enforcement_cured",
    summary="Mark a notice's breach as cured",
)
def mark_cured(request, action_id: int, payload: CuredIn):
    user = request.auth
    action = get_object_or_404(
        access.enforcement_actions_for(user).select_related("project"),
        pk=action_id,
    )
    access.require(access.can_use_memos(user, action.project))
    action = enforcement_action_mark_cured(
        action=action, user=user, cured_at=payload.cured_at, note=payload.note
    )
    return action
