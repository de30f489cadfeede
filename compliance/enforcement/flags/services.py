"""What people do with a flag (SPEC §4): its lifecycle and its comments.

open → acknowledged → escalated (to the law center) → resolved or waived (a reason is
required); disputed (the contractor contests it, with a note) from any unresolved state;
reopen brings a closed flag back to open. Who may do what is `access.flag_actions_for`.
Every transition and comment is a flag event and an audit event; escalations and a
contractor's disputes alert the people concerned once the change is committed.

Every note has a visibility (`note_visibility`): the coalition, the law center and admins
choose it, `internal` unless they say otherwise; everyone else's notes are `shared`.
A note may carry one evidence file (`check_attachment`: a PDF, an image, an .xlsx or a
.docx up to ATTACHMENT_MAX_BYTES), read by whoever reads the note.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from cba.errors import Conflict, InvalidInput
from compliance.audit import audit_record
from compliance.enqueue import enqueue
from compliance.models import Flag, FlagEvent
from compliance.ssn import contains_ssn
from compliance.storage import attachment_name, check_attachment, sha256_of
from projects import access

Status = Flag.Status

# action: (the states it starts from, the state it leads to)
TRANSITIONS = {
    "acknowledge": ({Status.OPEN, Status.DISPUTED}, Status.ACKNOWLEDGED),
    "escalate": ({Status.OPEN, Status.ACKNOWLEDGED, Status.DISPUTED}, Status.ESCALATED),
    "resolve": (set(Flag.UNRESOLVED), Status.RESOLVED),
    "waive": (set(Flag.UNRESOLVED), Status.WAIVED),
    "dispute": ({Status.OPEN, Status.ACKNOWLEDGED, Status.ESCALATED}, Status.DISPUTED),
    "reopen": ({Status.RESOLVED, Status.WAIVED, Status.AUTO_RESOLVED}, Status.OPEN),
}
REASON_REQUIRED = {"resolve", "waive", "dispute"}
VERBS = {
    "acknowledge": "acknowledged",
    "escalate": "escalated",
    "resolve": "resolved",
    "waive": "waived",
    "dispute": "disputed",
    "reopen": "reopened",
}


def note_visibility(*, user, visibility: str | None) -> str:
    """Who will read this person's note: `internal` by default for those who may write
    internal notes (the coalition, the law center, admins); `shared`, always, for a
    contractor or the owner, who cannot make a note internal."""
    internal_allowed = access.can_post_internal(user)
    if visibility in (None, ""):
        return FlagEvent.Visibility.INTERNAL if internal_allowed else FlagEvent.Visibility.SHARED
    if visibility not in FlagEvent.Visibility.values:
        raise InvalidInput(
            "Say who reads the note: shared (the contractor concerned and the owner read it "
            "too) or internal (the coalition and the law center only)."
        )
    if visibility == FlagEvent.Visibility.INTERNAL and not internal_allowed:
        raise InvalidInput(
            "Your notes are always shared: the coalition, the law center and the project's "
            "owner read them. Send it as shared, or leave the visibility out."
        )
    return visibility


def flag_actions_now(user, flag: Flag) -> list[str]:
    """What this user may do with the flag now: what their role allows
    (`access.flag_actions_for`) that starts from the flag's current status."""
    permitted = access.flag_actions_for(user, flag)
    return [a for a in TRANSITIONS if a in permitted and flag.status in TRANSITIONS[a][0]]


def check_note(note: str) -> None:
    """A note never carries a Social Security number (SPEC §8: the one detector)."""
    if contains_ssn(note):
        message = (
            "This note looks like it holds a Social Security number, which must never be "
            "stored: refer to the worker by the worker ID in the report instead."
        )
        raise InvalidInput(message, errors=[{"field": "note", "message": message}])


def check_file(file) -> None:
    """Refuse, in words, an evidence file of the wrong type or size (`check_attachment`)."""
    if file is None:
        return
    problem = check_attachment(file)
    if problem:
        raise InvalidInput(problem, errors=[{"field": "file", "message": problem}])


def _attach(event: FlagEvent, file) -> None:
    """Store a checked file with the event under a random name; keep its own name, size
    and SHA-256 for the timeline, the case memo and the exhibits."""
    event.attachment_name = attachment_name(file)
    event.attachment_size = file.size
    event.attachment_sha256 = sha256_of(file)
    event.attachment.save(event.attachment_name, file, save=False)


def _attachment_audit(event: FlagEvent) -> dict:
    if not event.attachment:
        return {}
    return {"attachment": event.attachment_name, "sha256": event.attachment_sha256}


def flag_transition(
    *,
    flag: Flag,
    user,
    action: str,
    note: str = "",
    visibility: str | None = None,
    file=None,
) -> Flag:
    """Move a flag along its lifecycle; refuse what the rules or the user's role forbid.

    The note's `visibility` follows `note_visibility`; `file` is evidence attached to it."""
    if action not in TRANSITIONS:
        raise InvalidInput(f"Unknown action {action!r}: use one of {', '.join(TRANSITIONS)}.")
    if action not in access.flag_actions_for(user, flag):
        raise PermissionDenied
    note = (note or "").strip()
    if action in REASON_REQUIRED and not note:
        raise InvalidInput(f"Say why the flag is {VERBS[action]}: a reason is required.")
    check_note(note)
    check_file(file)
    visibility = note_visibility(user=user, visibility=visibility)
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        # Its own row only (compliance.locks.lock_rows): not the project an evaluation holds.
        flag = (
            Flag.objects.select_for_update(of=("self",)).select_related("project").get(pk=flag.pk)
        )
        if flag.status not in sources:
            raise Conflict(
                f"This flag is {flag.get_status_display().lower()}, so it cannot be "
                f"{VERBS[action]}. Reload the page to see its current state."
            )
        before = flag.status
        now = timezone.now()
        flag.status = target
        flag.updated_at = now
        if target in {Status.RESOLVED, Status.WAIVED}:
            flag.resolved_at = now
        if action == "reopen":
            flag.resolved_at = None
            flag.cleared_at = None
        try:
            with transaction.atomic():
                flag.save(update_fields=["status", "updated_at", "resolved_at", "cleared_at"])
        except IntegrityError:
            raise Conflict(
                "A newer flag for the same finding is already open; work on that one instead."
            ) from None
        event = FlagEvent(
            flag=flag,
            actor=user,
            kind="transition",
            from_status=before,
            to_status=target,
            note=note,
            visibility=visibility,
            created_at=now,
        )
        if file is not None:
            _attach(event, file)
        event.save()
        audit_record(
            verb=f"flag.{action}",
            actor=user,
            obj=flag,
            project=flag.project,
            data={
                "from": before,
                "to": target,
                "note": note,
                "visibility": visibility,
                **_attachment_audit(event),
            },
        )
        if action == "escalate" or (
            action == "dispute" and access.role_of(user) == access.CONTRACTOR
        ):
            enqueue("compliance.tasks.alert_flag_event", event.pk)
    return flag


def flag_comment(
    *, flag: Flag, user, note: str, visibility: str | None = None, file=None
) -> FlagEvent:
    """A comment on a flag: `shared` (the contractor concerned and the owner read it) or
    `internal` (the coalition and the law center only), as `note_visibility` decides, with
    `file` attached as evidence if given."""
    if not access.flags_for(user).filter(pk=flag.pk).exists():
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Write a comment before posting it.")
    check_note(note)
    check_file(file)
    visibility = note_visibility(user=user, visibility=visibility)
    with transaction.atomic():
        event = FlagEvent(flag=flag, actor=user, kind="comment", note=note, visibility=visibility)
        if file is not None:
            _attach(event, file)
        event.save()
        audit_record(
            verb="flag.comment",
            actor=user,
            obj=flag,
            project=flag.project,
            data={"event_id": event.pk, "visibility": visibility, **_attachment_audit(event)},
        )
    return event


def flag_attach(*, event: FlagEvent, user, file) -> FlagEvent:
    """Attach evidence to a note its author just wrote (the API sends the note as JSON, then
    the file): only the note's author, only a comment or a transition, only one file."""
    if event.actor_id is None or event.actor_id != user.pk:
        raise PermissionDenied
    if event.kind not in {"comment", "transition"}:
        raise InvalidInput("Evidence is attached to a comment or a transition's note only.")
    if file is None:
        raise InvalidInput(
            "Send the evidence file as the multipart field `file`.",
            errors=[{"field": "file", "message": "Send the evidence file."}],
        )
    check_file(file)
    with transaction.atomic():
        event = FlagEvent.objects.select_for_update().get(pk=event.pk)
        if event.attachment:
            raise Conflict(
                f"This note already carries {event.attachment_name}: post a comment with the "
                "next file."
            )
        _attach(event, file)
        event.save(
            update_fields=["attachment", "attachment_name", "attachment_size", "attachment_sha256"]
        )
        audit_record(
            verb="flag.attach",
            actor=user,
            obj=event.flag,
            project=event.flag.project,
            data={"event_id": event.pk, **_attachment_audit(event)},
        )
    return event
