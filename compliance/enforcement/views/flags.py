"""The flag queue and the flag page: triage, timeline, evidence and lifecycle actions."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from cba.errors import DomainError
from compliance.enforcement.flags import selectors
from compliance.enforcement.flags.selectors import note_choices
from compliance.enforcement.flags.services import (
    REASON_REQUIRED,
    TRANSITIONS,
    flag_actions_now,
    flag_comment,
    flag_transition,
)
from compliance.models import Flag
from compliance.storage import ATTACHMENT_ACCEPT, attachment, attachment_hint
from projects import access

PAGE_SIZE = 50


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    help: str

    @property
    def needs_note(self) -> bool:
        return self.name in REASON_REQUIRED


# The order a person meets them in; which ones show depends on the role and the status
# (the lifecycle itself is `compliance.enforcement.flags.services.TRANSITIONS`).
ACTIONS = [
    Action("acknowledge", _("Acknowledge"), _("You have seen it and are looking into it.")),
    Action(
        "escalate",
        _("Escalate to the law center"),
        _("Hand it to the law center for enforcement."),
    ),
    Action("resolve", _("Resolve"), _("The problem is fixed. Say how.")),
    Action("waive", _("Waive"), _("Let it go on purpose. Say why.")),
    Action(
        "dispute",
        _("Dispute"),
        _("You believe this finding is wrong. Explain why; the coalition will review it."),
    ),
    Action("reopen", _("Reopen"), _("Put a closed flag back in the queue.")),
]
ACTION_BY_NAME = {a.name: a for a in ACTIONS}
ACKNOWLEDGEABLE = TRANSITIONS["acknowledge"][0]


def allowed_actions(user, flag: Flag) -> list[Action]:
    """The lifecycle actions this user's role allows that make sense from the flag's status."""
    now = flag_actions_now(user, flag)
    return [a for a in ACTIONS if a.name in now]


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _acknowledge_selected(
    *, user, ids: list[str], note: str, visibility: str | None
) -> tuple[int, list[str]]:
    """Acknowledge each selected flag the user may acknowledge from its status (open or
    disputed), each with the same note; say which were skipped and why."""
    ids = [i for i in ids if i.isdigit()]
    done, skipped = 0, []
    with transaction.atomic():
        for flag in access.flags_for(user).filter(pk__in=ids).order_by("id"):
            if "acknowledge" not in access.flag_actions_for(user, flag):
                skipped.append(f"#{flag.id} (your role cannot acknowledge)")
            elif flag.status not in ACKNOWLEDGEABLE:
                skipped.append(f"#{flag.id} (already {flag.get_status_display().lower()})")
            else:
                flag_transition(
                    flag=flag, user=user, action="acknowledge", note=note, visibility=visibility
                )
                done += 1
    return done, skipped


@login_required
def flag_queue(request):
    """The flags a user may see, to triage: filter, sort, page, acknowledge in bulk."""
    if request.method == "POST":
        try:
            done, skipped = _acknowledge_selected(
                user=request.user,
                ids=request.POST.getlist("flag"),
                note=request.POST.get("note", ""),
                visibility=request.POST.get("visibility"),
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(_safe_next(request, reverse("flag_queue")))
        if done:
            messages.success(request, f"Acknowledged {done} flag{'s' if done != 1 else ''}.")
        if skipped:
            messages.warning(request, "Not acknowledged: " + ", ".join(skipped) + ".")
        if not done and not skipped:
            messages.error(request, "Tick the flags to acknowledge first, then press the button.")
        return redirect(_safe_next(request, reverse("flag_queue")))
    params = request.GET
    filters = {
        "project": params.get("project", "")[:80],
        "kind": params.get("kind", "") if params.get("kind") in dict(Flag.Kind.choices) else "",
        "severity": params.get("severity", "")
        if params.get("severity") in dict(Flag.Severity.choices)
        else "",
        "status": params.get("status", "unresolved")
        if params.get("status", "unresolved") in selectors.STATUS_FILTERS
        else "unresolved",
        "contractor": params.get("contractor", "")[:80],
        "age": params.get("age", "") if params.get("age") in selectors.AGES else "",
        "sort": params.get("sort", "")
        if params.get("sort") in selectors.FLAG_SORTS
        else "severity",
    }
    flags = selectors.flag_queue(user=request.user, now=timezone.now(), **filters)
    page = selectors.flag_queue_page(flags, number=params.get("page"), per_page=PAGE_SIZE)
    query = params.copy()
    query.pop("page", None)
    role = access.role_of(request.user)
    return render(
        request,
        "enforcement/flags/queue.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "choices": selectors.flag_filter_choices(user=request.user, project=filters["project"]),
            "kinds": Flag.Kind.choices,
            "severities": Flag.Severity.choices,
            "statuses": selectors.STATUS_FILTERS,
            "ages": selectors.AGES,
            "sorts": selectors.FLAG_SORTS,
            "is_contractor": role == access.CONTRACTOR,
            "can_acknowledge": "acknowledge" in access.TRANSITIONS_BY_ROLE.get(role, set()),
            "can_draft_notice": access.can_use_memos(request.user),
            "acknowledgeable": ACKNOWLEDGEABLE,
            "note_choices": note_choices(user=request.user),
            "now": timezone.now(),
        },
    )


def _post_to_flag(request, flag: Flag) -> dict:
    """Apply a comment or a lifecycle action; return form errors to show, or {} on success.

    The note's visibility is the one chosen on the form; the service refuses what the
    person may not choose and defaults to internal for those who may."""
    action = request.POST.get("action", "")
    note = request.POST.get("note", "").strip()
    visibility = request.POST.get("visibility") or None
    file = request.FILES.get("file")
    if action == "comment":
        if not note:
            return {"comment": gettext("Write the comment first, then press Add comment.")}
        try:
            event = flag_comment(
                flag=flag, user=request.user, note=note, visibility=visibility, file=file
            )
        except DomainError as error:
            return {"comment": error.message}
        shared = event.visibility == access.SHARED
        added = gettext("Comment added (shared)") if shared else gettext("Comment added (internal)")
        if event.attachment:
            added += " " + gettext("with {file}").format(file=event.attachment_name)
        messages.success(request, added + ".")
        return {}
    chosen = ACTION_BY_NAME.get(action)
    if chosen is None or action not in access.flag_actions_for(request.user, flag):
        raise PermissionDenied
    if chosen.needs_note and not note:
        return {
            action: gettext("{action} needs a note: say why, then press {action}.").format(
                action=chosen.label
            )
        }
    try:
        flag = flag_transition(
            flag=flag,
            user=request.user,
            action=action,
            note=note,
            visibility=visibility,
            file=file,
        )
    except DomainError as error:
        return {action: error.message}
    messages.success(
        request,
        gettext("{action}: done. The flag is now {status}.").format(
            action=chosen.label, status=str(flag.get_status_display()).lower()
        ),
    )
    return {}


@login_required
def flag_detail(request, flag_id: int):
    """One flag: what was found, the evidence, its timeline, and what the user may do."""
    flag = get_object_or_404(
        access.flags_for(request.user).select_related(
            "project__owner", "assignment__contractor", "craft", "commitment", "previous"
        ),
        pk=flag_id,
    )
    errors: dict = {}
    if request.method == "POST":
        errors = _post_to_flag(request, flag)
        if not errors:
            return redirect("flag_detail", flag_id=flag.id)
    page = selectors.flag_page(user=request.user, flag=flag)
    actions = allowed_actions(request.user, flag)
    shown = {"comment", *(a.name for a in actions)}
    return render(
        request,
        "enforcement/flags/detail.html",
        {
            "page": page,
            "flag": flag,
            "actions": actions,
            # A refusal for an action no longer offered (the flag moved on) shows on top.
            "other_errors": [message for key, message in errors.items() if key not in shown],
            "note_choices": note_choices(user=request.user, flag=flag),
            "is_contractor": access.role_of(request.user) == access.CONTRACTOR,
            # A prime reading a flag of a subcontractor under it (its lower tier's, not its own).
            "lower_tier": flag.assignment is not None
            and access.role_of(request.user) == access.CONTRACTOR
            and flag.assignment.contractor_id != access.organization_id_of(request.user),
            "errors": errors,
            "posted": request.POST if errors else {},
            "attachment_hint": attachment_hint(),
            "attachment_accept": ATTACHMENT_ACCEPT,
        },
        status=422 if errors else 200,
    )


@login_required
@require_safe
def flag_attachment(request, flag_id: int, event_id: int):
    """The evidence attached to one note, to whoever may read that note
    (`access.flag_attachments_for`); 404 to everyone else."""
    event = get_object_or_404(
        access.flag_attachments_for(request.user), pk=event_id, flag_id=flag_id
    )
    return attachment(event.attachment, filename=event.attachment_name)


urlpatterns = [
    path("flags/", flag_queue, name="flag_queue"),
    path("flags/<int:flag_id>/", flag_detail, name="flag_detail"),
    path(
        "flags/<int:flag_id>/events/<int:event_id>/attachment/",
        flag_attachment,
        name="flag_attachment",
    ),
]
