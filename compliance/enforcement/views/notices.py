"""From a flag to a notice sent (issue 12): "Draft notice" on a flag or a selection of
flags, "Mark sent" with the document actually sent, and that document's download.

Law center staff of a monitoring organization and program admins only
(`access.can_use_memos`); 404 for a memo, flag or action whose project is not visible.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from cba.errors import DomainError
from compliance.enforcement.memos.notice_sent import notice_draft, notice_mark_sent
from compliance.formatting import long_date
from compliance.models import Memo
from compliance.storage import attachment
from projects import access


class MarkSentForm(forms.Form):
    sent_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Sent on")
    document = forms.FileField(
        label="The notice as sent (PDF or Word)",
        help_text="The version you edited and sent; it is kept with its SHA-256.",
    )
    note = forms.CharField(required=False, max_length=500, label="Note (internal)")


@login_required
@require_POST
def notice_draft_view(request):
    """ "Draft notice" on a flag or a selection of flags: a notice to their contractor on
    their commitments, built in the background."""
    access.require(access.can_use_memos(request.user))
    ids = [int(i) for i in request.POST.getlist("flag") if str(i).isdigit()]
    flags = list(
        access.flags_for(request.user)
        .filter(pk__in=ids)
        .select_related("project", "assignment__contractor")
    )
    if len(flags) != len(set(ids)):
        raise Http404
    for project in {f.project for f in flags}:
        access.require(access.can_use_memos(request.user, project))
    try:
        memo = notice_draft(user=request.user, flags=flags)
    except DomainError as exc:
        messages.error(request, exc.message)
        back = request.POST.get("next", "")
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return redirect("flag_queue")
    messages.success(
        request,
        f"Notice #{memo.pk} is being drafted"
        + (f" to {memo.assignment.contractor.name}" if memo.assignment_id else "")
        + ". Download it as Word when ready, edit it, send it, then mark it sent here.",
    )
    return redirect("memo_list", slug=memo.project.slug)


@login_required
@require_POST
def memo_mark_sent(request, memo_id: int):
    """Record a notice as sent: the date, the document actually sent; the cure deadline
    follows from the agreement."""
    memo = get_object_or_404(
        Memo.objects.filter(project__in=access.projects_for(request.user)).select_related(
            "project"
        ),
        pk=memo_id,
    )
    access.require(access.can_use_memos(request.user, memo.project))
    form = MarkSentForm(request.POST, request.FILES)
    back = redirect("memo_list", slug=memo.project.slug)
    if not form.is_valid():
        messages.error(
            request,
            "Give the date the notice was sent and upload the notice as sent (PDF or Word).",
        )
        return back
    upload = form.cleaned_data["document"]
    try:
        action = notice_mark_sent(
            memo=memo,
            user=request.user,
            sent_on=form.cleaned_data["sent_on"],
            filename=upload.name,
            content=upload.read(),
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(
        request,
        f"Notice #{memo.pk} recorded as sent on {long_date(action.date)}. The cure deadline is "
        f"{long_date(action.cure_deadline)}.",
    )
    return back


@login_required
@require_safe
def sent_document(request, action_id: int):
    """The notice as it was sent, kept with the enforcement action (law center, admins)."""
    action = get_object_or_404(access.enforcement_actions_for(request.user), pk=action_id)
    access.require(access.can_use_memos(request.user, action.project))
    if not action.sent_document:
        messages.error(request, "No sent document is kept with this action.")
        return redirect("enforcement_list", slug=action.project.slug)
    return attachment(action.sent_document, filename=action.sent_document_name or "notice")


urlpatterns = [
    path("memos/<int:memo_id>/sent/", memo_mark_sent, name="memo_mark_sent"),
    path("notices/draft/", notice_draft_view, name="notice_draft"),
    path("enforcement/<int:action_id>/sent-document", sent_document, name="sent_document"),
]
