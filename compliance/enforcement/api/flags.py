"""Flags: the queue with filters, one flag with its history, lifecycle actions, comments."""

import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cba.answers import answers, file_answer
from cba.paging import Paging
from compliance.enforcement.flags.selectors import filter_flags, flag_summary, with_names
from compliance.enforcement.flags.services import (
    TRANSITIONS,
    flag_actions_now,
    flag_attach,
    flag_comment,
    flag_transition,
)
from compliance.models import Flag, FlagEvent
from compliance.storage import ATTACHMENT_CONTENT_TYPES, attachment
from projects import access

router = Router(tags=["flags"])


class FlagGroup(Schema):
    contractor: str | None
    craft: str | None


class FlagOut(Schema):
    id: int
    kind: str
    severity: str
    status: str
    project: str
    commitment: str
    group: FlagGroup
    month: str | None
    figures: dict
    title: str
    raised_at: datetime.datetime
    updated_at: datetime.datetime
    resolved_at: datetime.datetime | None
    previous_id: int | None


VISIBILITY_HELP = (
    "Who reads the note: `shared` (the contractor concerned and the project's owner read "
    "it, as do the coalition and the law center) or `internal` (the monitoring coalition "
    "and the law center only; never the owner, never a contractor). Coalition, law center "
    "and admin users may choose; left out, it is `internal`. A contractor's or the owner's "
    "notes are always `shared`: asking for `internal` is refused with 422."
)


class AttachmentOut(Schema):
    name: str = Field(description="The file's name, with the extension its content shows.")
    size: int = Field(description="Bytes.")
    sha256: str
    url: str = Field(description="Where to download it (GET, this API).")


class EventOut(Schema):
    id: int
    kind: str
    actor: str | None
    from_status: str
    to_status: str
    note: str = Field(
        description="Empty where the caller may not read the note (an internal note on a "
        "transition, for a contractor or the owner); comments the caller may not read are "
        "left out of the history altogether."
    )
    visibility: Literal["shared", "internal"] | None = Field(
        description="`shared` or `internal`: who reads the note; null where the note is "
        "withheld from the caller, so a withheld note does not announce itself."
    )
    created_at: datetime.datetime
    attachment: AttachmentOut | None = Field(
        description="Evidence attached to the note; null where there is none or the note is "
        "withheld from the caller."
    )


class FlagDetailOut(FlagOut):
    events: list[EventOut]
    actions: list[str]


class FlagFilters(Schema):
    project: str | None = None
    kind: str | None = None
    severity: str | None = None
    status: str | None = None
    contractor: str | None = None


class TransitionIn(Schema):
    action: Literal[tuple(TRANSITIONS)] = Field(description="What to do with the flag.")
    note: str = Field("", description="Why: required to resolve, waive or dispute.")
    visibility: Literal["shared", "internal"] | None = Field(None, description=VISIBILITY_HELP)


class CommentIn(Schema):
    note: str = Field(pattern=r"\S", description="The comment (not blank).")
    visibility: Literal["shared", "internal"] | None = Field(None, description=VISIBILITY_HELP)


def flag_out(flag: Flag) -> dict:
    return {
        **flag_summary(flag),
        "title": flag.title,
        "raised_at": flag.raised_at,
        "updated_at": flag.updated_at,
        "resolved_at": flag.resolved_at,
        "previous_id": flag.previous_id,
    }


def event_out(event: FlagEvent) -> dict:
    actor = event.actor
    return {
        "id": event.pk,
        "kind": event.kind,
        "actor": (actor.get_full_name() or actor.username) if actor else None,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "visibility": None if getattr(event, "note_withheld", False) else event.visibility,
        "created_at": event.created_at,
        "attachment": {
            "name": event.attachment_name,
            "size": event.attachment_size,
            "sha256": event.attachment_sha256,
            "url": reverse(
                "api:flag_attachment_file",
                kwargs={"flag_id": event.flag_id, "event_id": event.pk},
            ),
        }
        if event.attachment
        else None,
    }


def visible_flag(request, flag_id: int) -> Flag:
    return get_object_or_404(with_names(access.flags_for(request.user)), pk=flag_id)


def flag_detail_out(request, flag: Flag) -> dict:
    events = access.flag_events_for(request.user, flag)
    return {
        **flag_out(flag),
        "events": [event_out(e) for e in events],
        "actions": flag_actions_now(request.user, flag),
    }


@router.get("/flags", response=answers(list[FlagOut]), summary="The flags you may see")
@paginate(Paging)
def list_flags(request, filters: Query[FlagFilters]):
    """The flags this user may see, newest first. Filter by project slug, kind, severity,
    status ("unresolved" for any open state) and contractor slug."""
    flags = filter_flags(with_names(access.flags_for(request.user)), **filters.dict())
    return [flag_out(flag) for flag in flags.order_by("-raised_at", "-id")]


@router.get(
    "/flags/{flag_id}",
    response=answers(FlagDetailOut, 404),
    summary="A flag with its history and the actions you may take",
)
def get_flag(request, flag_id: int):
    """One flag with its history as the caller may read it (a contractor and the owner read
    shared notes only) and the actions this user may take on it."""
    return flag_detail_out(request, visible_flag(request, flag_id))


@router.post(
    "/flags/{flag_id}/transition",
    response=answers(FlagDetailOut, 403, 404, 409, body=True),
    summary="Acknowledge, escalate, resolve, waive, dispute or reopen a flag",
)
def transition_flag(request, flag_id: int, payload: TransitionIn):
    """acknowledge, escalate, resolve, waive, dispute or reopen; resolve, waive and dispute
    need a note saying why. `visibility` says who reads the note (internal unless the
    coalition or law center says shared; a contractor's note is always shared)."""
    flag = visible_flag(request, flag_id)
    flag_transition(
        flag=flag,
        user=request.user,
        action=payload.action,
        note=payload.note,
        visibility=payload.visibility,
    )
    return flag_detail_out(request, visible_flag(request, flag_id))


@router.post(
    "/flags/{flag_id}/comments",
    response=answers({201: EventOut}, 403, 404, body=True),
    summary="Comment on a flag",
)
def comment_flag(request, flag_id: int, payload: CommentIn):
    """A comment: `shared` (the contractor concerned and the owner read it) or `internal`
    (the coalition and the law center only; the default for them). A contractor's or the
    owner's comment is always shared."""
    flag = visible_flag(request, flag_id)
    event = flag_comment(
        flag=flag, user=request.user, note=payload.note, visibility=payload.visibility
    )
    return Status(201, event_out(event))


ATTACHMENT_HELP = (
    "The evidence, as the multipart field `file`: a PDF, a PNG or JPEG image, an Excel "
    "workbook (.xlsx) or a Word document (.docx), up to ATTACHMENT_MAX_BYTES (10 MB unless "
    "configured), checked by its content, not its name; anything else is refused with 422."
)


@router.post(
    "/flags/{flag_id}/events/{event_id}/attachment",
    response=answers({201: EventOut}, 403, 404, 409, body=True),
    summary="Attach evidence to your comment or your dispute's note",
    description="Post the comment or the transition as JSON first, then the file to the event "
    "it created (`events[-1].id`, or the comment's `id`). Only the note's author may attach, "
    "once per note. Whoever reads the note may download the file. " + ATTACHMENT_HELP,
)
def attach_to_event(request, flag_id: int, event_id: int, file: File[UploadedFile]):
    flag = visible_flag(request, flag_id)
    event = get_object_or_404(flag.events.all(), pk=event_id)
    event = flag_attach(event=event, user=request.user, file=file)
    return Status(201, event_out(event))


@router.get(
    "/flags/{flag_id}/events/{event_id}/attachment",
    response=answers(None, 404),
    openapi_extra=file_answer(
        [*ATTACHMENT_CONTENT_TYPES, "application/octet-stream"],
        "The file attached to the note.",
    ),
    url_name="flag_attachment_file",
    summary="Download the evidence attached to a note",
)
def attachment_file(request, flag_id: int, event_id: int):
    """The file, to whoever may read the note it belongs to (an internal note's file: the
    coalition and the law center only); 404 otherwise."""
    event = get_object_or_404(
        access.flag_attachments_for(request.user), pk=event_id, flag_id=flag_id
    )
    return attachment(event.attachment, filename=event.attachment_name)
