"""Law center pages: memo requests, a project's memos and their downloads, enforcement actions
and the enforcement ledger (`compliance.enforcement.views.ledger`).

Memos are for law center staff of a monitoring organization and program admins
(`access.can_use_memos`); reviewers may read a project's enforcement actions but not record
them; everyone else gets 403 on a project they can see and 404 on one they cannot.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cba.errors import DomainError
from compliance.enforcement.actions import (
    cure_deadline_for,
    enforcement_action_create,
    enforcement_action_mark_cured,
    enforcement_history,
)
from compliance.enforcement.memos.build import memo_request, memo_retry
from compliance.enforcement.memos.gather import clause_sort_key
from compliance.enforcement.views import ledger, notices
from compliance.formatting import long_date, short_date
from compliance.models import EnforcementAction, Flag, Memo
from compliance.storage import attachment
from projects import access

PAGE_SIZE = 25
FLAG_CHOICES_LIMIT = 200


# ---------------------------------------------------------------------------------------
# Forms


def _flag_label(flag: Flag) -> str:
    return f"#{flag.pk} {flag.get_severity_display()} · {flag.get_status_display()} · {flag.title}"


def flag_choices(*, user, project, extra_ids=()) -> list[tuple[str, str]]:
    """The project's unresolved flags (critical first) and any flag asked for by id."""
    extra = [int(i) for i in extra_ids if str(i).isdigit()]
    flags = (
        access.flags_for(user)
        .filter(project=project)
        .filter(Q(status__in=Flag.UNRESOLVED) | Q(pk__in=extra))
        .annotate(
            rank=Case(
                When(severity=Flag.Severity.CRITICAL, then=Value(0)),
                When(severity=Flag.Severity.WARNING, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "-raised_at", "-id")[:FLAG_CHOICES_LIMIT]
    )
    return [(str(f.pk), _flag_label(f)) for f in flags]


class AssignmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.contractor.name} ({obj.get_tier_display().lower()})"


AUDIENCE_CHOICES = [
    (
        Memo.Audience.RECIPIENT,
        "For the recipient: addressed to the contractor and/or the owner. It carries only "
        "the notes shared with them, and workers by ID, never by name.",
    ),
    (
        Memo.Audience.COUNSEL,
        "Counsel's case memo: the law center's own. It carries the coalition's and the law "
        "center's internal notes and workers' names; every page is marked \"Privileged and "
        'confidential: attorney work product". Never send it to the contractor or the owner.',
    ),
]


DOCUMENT_CHOICES = [
    (
        Memo.Document.NOTICE,
        "Notice of non-compliance and cure demand (PDF and Word): the letter to the contractor, "
        "on your letterhead, with each finding, what is required to cure, the deadline and the "
        "remedies. Always for the recipient.",
    ),
    (
        Memo.Document.CASE,
        "Case memo (PDF and Word): every commitment month by month, wages, reports, flags and "
        "enforcement so far.",
    ),
    (
        Memo.Document.EXHIBITS,
        "Evidence exhibits (Excel): every line behind each finding, and the report versions "
        "with their SHA-256.",
    ),
    (
        Memo.Document.PACKAGE,
        "The package (ZIP): the notice, the exhibits and a manifest of every file's SHA-256; "
        "for counsel, the case memo too.",
    ),
]


class MemoRequestForm(forms.Form):
    document = forms.ChoiceField(
        choices=DOCUMENT_CHOICES,
        initial=Memo.Document.CASE,
        widget=forms.RadioSelect,
        label="Document",
        required=False,
    )
    audience = forms.ChoiceField(
        choices=AUDIENCE_CHOICES,
        initial=Memo.Audience.RECIPIENT,
        widget=forms.RadioSelect,
        label="Who the memo is for",
        required=False,
    )
    contractor = AssignmentChoice(
        queryset=None,
        required=False,
        empty_label="All contractors: the whole project",
        help_text="Narrow the memo to one contractor's groups, reports and flags.",
    )
    commitments = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every commitment of the agreement.",
    )
    flags = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick flags to tell their history in full; leave unticked to include every "
        "flag on the matters in question.",
    )
    as_of = forms.DateField(
        required=False,
        label="Figures as of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to measure to the end of the last complete month, so a month "
        "still under way is not counted as if it were whole.",
    )

    def __init__(self, *args, user, project, extra_flag_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = (
            access.assignments_for(user).filter(project=project).select_related("contractor")
        )
        commitments = sorted(
            access.commitments_for(user).filter(project=project),
            key=lambda c: (c.position, clause_sort_key(c.clause), c.key),
        )
        self.fields["commitments"].choices = [
            (c.key, f"{c.clause} {c.title}".strip()) for c in commitments
        ]
        self.fields["flags"].choices = flag_choices(
            user=user, project=project, extra_ids=extra_flag_ids
        )

    def clean_audience(self) -> str:
        """Left out, a memo is for the recipient: the audience that carries the least."""
        return self.cleaned_data["audience"] or Memo.Audience.RECIPIENT

    def clean_document(self) -> str:
        return self.cleaned_data["document"] or Memo.Document.CASE


class EnforcementActionForm(forms.Form):
    kind = forms.ChoiceField(choices=EnforcementAction.Kind.choices, label="Action")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    contractor = AssignmentChoice(
        queryset=None, required=False, empty_label="The project as a whole"
    )
    amount = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="Dollars; for damages assessed (required), payment withheld or a settlement.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    flags = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Flags this action answers"
    )
    memo = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No memo", label="Memo sent or relied on"
    )

    def __init__(self, *args, user, project, extra_flag_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = (
            access.assignments_for(user).filter(project=project).select_related("contractor")
        )
        self.fields["flags"].choices = flag_choices(
            user=user, project=project, extra_ids=extra_flag_ids
        )
        self.fields["memo"].queryset = (
            access.memos_for(user)
            .filter(project=project, status=Memo.Status.READY)
            .select_related("assignment__contractor")
        )
        self.fields["memo"].label_from_instance = lambda m: (
            f"Memo #{m.pk} of {short_date(m.requested_at)}"
            + (f" ({m.assignment.contractor.name})" if m.assignment_id else "")
        )


class CuredForm(forms.Form):
    cured_at = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Cured on")
    note = forms.CharField(required=False, max_length=500, label="How it was cured")


# ---------------------------------------------------------------------------------------
# Memos


def _memo_project(user, slug: str):
    project = access.project_for(user, slug)
    access.require(access.can_use_memos(user, project))
    return project


def _visible_memo(user, memo_id: int) -> Memo:
    """404 unless the memo's project is visible; 403 unless the user may use memos there."""
    memo = get_object_or_404(
        Memo.objects.filter(project__in=access.projects_for(user)).select_related(
            "project", "assignment__contractor", "requested_by"
        ),
        pk=memo_id,
    )
    access.require(access.can_use_memos(user, memo.project))
    return memo


@login_required
def memo_index(request):
    """Every memo of the projects this law center follows, newest first."""
    access.require(access.can_use_memos(request.user))
    memos = access.memos_for(request.user).select_related("project")
    return _memo_page(request, memos, "enforcement/memos/index.html", {})


@login_required
def memo_list(request, slug: str):
    """A project's memos: status, who asked for what, downloads."""
    project = _memo_project(request.user, slug)
    memos = access.memos_for(request.user).filter(project=project)
    return _memo_page(request, memos, "enforcement/memos/list.html", {"project": project})


def _memo_page(request, memos, template: str, context: dict):
    """A page of memos, filtered by status; it refreshes itself while one is queued."""
    memos = memos.select_related(
        "project__owner", "assignment__contractor", "requested_by"
    ).prefetch_related("flags")
    status = request.GET.get("status", "")
    if status in Memo.Status.values:
        memos = memos.filter(status=status)
    page = Paginator(memos, PAGE_SIZE).get_page(request.GET.get("page"))
    # Commitments by their clause and title, never their keys: one query for the page.
    titles = {
        (c.project_id, c.key): f"{c.clause} {c.title}".strip()
        for c in access.commitments_for(request.user).filter(
            project_id__in={m.project_id for m in page}
        )
    }
    sent = {
        a.memo_id: a
        for a in EnforcementAction.objects.filter(
            memo__in=list(page), kind=EnforcementAction.Kind.NOTICE
        )
    }
    for memo in page:
        memo.commitment_titles = [
            titles.get((memo.project_id, key), key) for key in memo.commitment_keys
        ]
        memo.sent_action = sent.get(memo.pk)
        memo.downloads = [(fmt, reverse(f"memo_{fmt}", args=[memo.pk])) for fmt in memo.formats]
    return render(
        request,
        template,
        {
            **context,
            "page": page,
            "status": status,
            "statuses": Memo.Status.choices,
            "refresh": any(m.status == Memo.Status.QUEUED for m in page),
            "today": timezone.localdate(),
        },
    )


@login_required
def memo_new(request, slug: str):
    """Ask for a memo; it is built in the background and appears in the project's list."""
    project = _memo_project(request.user, slug)
    extra = (
        request.POST.getlist("flags") if request.method == "POST" else request.GET.getlist("flag")
    )
    form = MemoRequestForm(
        request.POST or None,
        user=request.user,
        project=project,
        extra_flag_ids=extra,
        initial={
            "flags": extra,
            "audience": Memo.Audience.RECIPIENT,
            "document": request.GET.get("document", Memo.Document.CASE),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            memo = memo_request(
                project=project,
                user=request.user,
                assignment=form.cleaned_data["contractor"],
                commitment_keys=form.cleaned_data["commitments"],
                flag_ids=[int(i) for i in form.cleaned_data["flags"]],
                audience=form.cleaned_data["audience"],
                as_of=form.cleaned_data["as_of"],
                document=form.cleaned_data["document"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Memo #{memo.pk} is being built, usually within a minute; this list refreshes "
                "itself until it is ready to download.",
            )
            return redirect("memo_list", slug=project.slug)
    return render(request, "enforcement/memos/new.html", {"project": project, "form": form})


@login_required
@require_POST
def memo_try_again(request, memo_id: int):
    """Queue a failed memo again, as it was requested (law center and admins)."""
    memo = _visible_memo(request.user, memo_id)
    try:
        memo_retry(memo=memo, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Memo #{memo.pk} is being built again; this list refreshes itself."
        )
    return redirect("memo_list", slug=memo.project.slug)


@login_required
@require_safe
def memo_pdf(request, memo_id: int):
    """A ready memo's PDF (the address memos have always had)."""
    return memo_file(request, memo_id, fmt="pdf")


@login_required
@require_safe
def memo_file(request, memo_id: int, *, fmt: str):
    """A ready memo's file in one format (pdf, docx, xlsx, zip): 404 unless its project is
    visible or the document has that format, 403 unless memos are yours."""
    memo = _visible_memo(request.user, memo_id)
    file = memo.stored(fmt)
    if memo.status == Memo.Status.READY and file is None:
        offered = ", ".join(f.upper() for f in memo.formats) or "no file"
        messages.error(
            request, f"{memo.document_label} #{memo.pk} has no {fmt.upper()}: it offers {offered}."
        )
        return redirect("memo_list", slug=memo.project.slug)
    if file is None:
        messages.error(
            request,
            f"Memo #{memo.pk} has no file yet: "
            + (memo.failure_reason or "it is still being built; try again in a minute."),
        )
        return redirect("memo_list", slug=memo.project.slug)
    return attachment(file, filename=memo.file_name(fmt))


@login_required
def memo_snapshot(request, memo_id: int):
    """The figures a memo was built from, as the JSON its snapshot SHA-256 covers."""
    memo = _visible_memo(request.user, memo_id)
    if memo.status != Memo.Status.READY:
        messages.error(request, f"Memo #{memo.pk} has no figures yet: it is {memo.status}.")
        return redirect("memo_list", slug=memo.project.slug)
    response = JsonResponse(memo.snapshot, json_dumps_params={"sort_keys": True, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="memo-{memo.pk}-snapshot.json"'
    return response


# ---------------------------------------------------------------------------------------
# Enforcement actions


def _enforcement_project(user, slug: str):
    """Reviewers may read the list; law center staff and admins may also record actions."""
    project = access.project_for(user, slug)
    access.require(access.is_monitor(user) or access.can_use_memos(user, project))
    return project


@login_required
def enforcement_list(request, slug: str):
    """A project's enforcement actions, and (law center) the form to record one."""
    project = _enforcement_project(request.user, slug)
    can_record = access.can_use_memos(request.user, project)
    form = None
    if can_record:
        extra = (
            request.POST.getlist("flags")
            if request.method == "POST"
            else request.GET.getlist("flag")
        )
        form = EnforcementActionForm(
            request.POST or None,
            user=request.user,
            project=project,
            extra_flag_ids=extra,
            initial={
                "date": timezone.localdate(),
                "flags": extra,
                "kind": request.GET.get("kind", EnforcementAction.Kind.NOTICE),
            },
        )
    elif request.method == "POST":
        access.require(False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = enforcement_action_create(
                project=project,
                user=request.user,
                kind=data["kind"],
                date=data["date"],
                assignment=data["contractor"],
                amount=data["amount"],
                note=data["note"],
                flags=access.flags_for(request.user).filter(
                    project=project, pk__in=[int(i) for i in data["flags"]]
                ),
                memo=data["memo"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            done = f"Recorded: {action.get_kind_display()} of {long_date(action.date)}."
            if action.cure_deadline:
                done += f" The cure deadline is {long_date(action.cure_deadline)}."
            messages.success(request, done)
            return redirect("enforcement_list", slug=project.slug)

    actions = enforcement_history(
        actions=access.enforcement_actions_for(request.user), project=project
    ).order_by("-date", "-id")
    kind = request.GET.get("kind_filter", "")
    if kind in EnforcementAction.Kind.values:
        actions = actions.filter(kind=kind)
    contractor = request.GET.get("contractor", "")
    if contractor:
        actions = actions.filter(assignment__contractor__slug=contractor)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "enforcement/actions/list.html",
        {
            "project": project,
            "page": page,
            "form": form,
            "can_record": can_record,
            "kinds": EnforcementAction.Kind.choices,
            "kind_filter": kind,
            "contractor_filter": contractor,
            "assignments": access.assignments_for(request.user)
            .filter(project=project)
            .select_related("contractor"),
            "today": today,
            "deadline_if_sent_today": cure_deadline_for(project=project, notice_date=today),
            "cured_form": CuredForm(initial={"cured_at": today}),
            **ledger.ledger_context(user=request.user, project=project),
        },
    )


@login_required
@require_POST
def enforcement_cured(request, action_id: int):
    """Mark a notice's breach as cured, so its passed deadline raises no flag."""
    action = get_object_or_404(
        access.enforcement_actions_for(request.user),
        pk=action_id,
    )
    access.require(access.can_use_memos(request.user, action.project))
    form = CuredForm(request.POST)
    back = reverse("enforcement_list", kwargs={"slug": action.project.slug})
    if not form.is_valid():
        messages.error(request, "Give the date the breach was cured (YYYY-MM-DD).")
        return redirect(back)
    try:
        enforcement_action_mark_cured(
            action=action,
            user=request.user,
            cured_at=form.cleaned_data["cured_at"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Marked cured on {long_date(form.cleaned_data['cured_at'])}.")
    return redirect(back)


urlpatterns = [
    path("memos/", memo_index, name="memo_index"),
    path("projects/<slug:slug>/memos/", memo_list, name="memo_list"),
    path("projects/<slug:slug>/memos/new/", memo_new, name="memo_new"),
    path("memos/<int:memo_id>/pdf", memo_pdf, name="memo_pdf"),
    path("memos/<int:memo_id>/try-again/", memo_try_again, name="memo_try_again"),
    path("memos/<int:memo_id>/snapshot.json", memo_snapshot, name="memo_snapshot"),
    path("memos/<int:memo_id>/docx", memo_file, {"fmt": "docx"}, name="memo_docx"),
    path("memos/<int:memo_id>/xlsx", memo_file, {"fmt": "xlsx"}, name="memo_xlsx"),
    path("memos/<int:memo_id>/zip", memo_file, {"fmt": "zip"}, name="memo_zip"),
    path("projects/<slug:slug>/enforcement/", enforcement_list, name="enforcement_list"),
    path("enforcement/<int:action_id>/cured/", enforcement_cured, name="enforcement_cured"),
    *ledger.urlpatterns,
    *notices.urlpatterns,
]
