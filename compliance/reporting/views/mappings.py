"""A contractor's own payroll export, mapped once (SPEC §5.4): the mapping page an upload
leads to when its columns are not the template's, and the contractor's saved mappings (list,
edit, delete). A contractor's users and program admins only (access.export_mappings_for).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cba.errors import InvalidInput
from compliance.formatting import long_month
from compliance.reporting.intake.fields import COLUMN_BY_FIELD, COLUMNS, FIELDS
from compliance.reporting.intake.files import sniff
from compliance.reporting.intake.mapping import (
    APPRENTICE_CODES,
    MAX_CODES,
    SHIPPED,
    code_key,
    distinct_codes,
    guess_apprentice,
    guess_columns,
)
from compliance.reporting.intake.saved_mappings import mapping_delete, mapping_save
from compliance.reporting.intake.selectors import parse_period, reporting_months, visible_assignment
from compliance.reporting.intake.upload import parse_limits, read_grid_in_child, report_upload
from compliance.reporting.views.pending import drop_pending, pending_for
from compliance.reporting.views.reports import UploadForm, announce, month_url
from projects import access
from projects.models import normalize_craft_name

BLANK_CODE_ROWS = 4


def our_fields() -> list[dict]:
    """Our fields as the mapping pages list them, headed in the reader's language (the
    Spanish template's headers for a Spanish reader)."""
    language = get_language() or "en"
    return [
        {"field": c.field, "header": c.heading(language), "required": c.required} for c in COLUMNS
    ]


def apprentice_labels() -> dict[str, str]:
    """What J and RA mean, in the reader's language (mapping.APPRENTICE_CODES's keys)."""
    labels = {"J": _("Journeyworker (J)"), "RA": _("Registered apprentice (RA)")}
    return {code: labels[code] for code in APPRENTICE_CODES}


def assignment_for(request, slug: str, contractor: str):
    """The assignment whose contractor's mappings these are: only its own users (a prime
    reads its subs' months but maps none of their files) and program admins get through."""
    assignment = visible_assignment(request.user, slug, contractor)
    access.require(access.can_submit_report(request.user, assignment))
    return assignment


def mappings_url(assignment) -> str:
    return reverse(
        "export_mappings",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )


# -- the mapping page ------------------------------------------------------------------


def craft_choice(crafts, code: str) -> str:
    key = normalize_craft_name(code)
    for craft in crafts:
        if key in craft.match_keys():
            return craft.name
    return ""


def coded_rows(grid, header: str, posted: dict, prefix: str, guess) -> list[dict]:
    rows = []
    for index, code in enumerate(distinct_codes(grid, header) if header else []):
        chosen = posted.get(f"{prefix}_{index}")
        rows.append(
            {
                "field": f"{prefix}_{index}",
                "code": code,
                "chosen": guess(code) if chosen is None else chosen,
            }
        )
    return rows


@login_required
def export_mapping_new(request, slug: str, contractor: str):
    """Map an uploaded export's columns and codes to ours, save the mapping, and upload."""
    assignment = assignment_for(request, slug, contractor)
    token = request.GET.get("upload", "")
    pending = pending_for(request, assignment, token)
    if pending is None:
        messages.info(request, _("Upload your payroll export first: its columns are shown here."))
        return redirect(
            "report_upload", slug=assignment.project.slug, contractor=assignment.contractor.slug
        )
    with default_storage.open(pending["stored"], "rb") as stored:
        content = stored.read()
    grid = read_grid_in_child(sniff(content, pending["filename"]), content, parse_limits())
    start = request.GET.get("start", "")
    previews = guess_columns(grid, start=SHIPPED.get(start))
    posted = request.POST if request.method == "POST" else {}
    chosen = {
        preview.index: posted.get(f"column_{preview.index}", preview.guess) for preview in previews
    }
    chosen = {index: field if field in FIELDS else "" for index, field in chosen.items()}
    header_of = {field: previews[i].header for i, field in chosen.items() if field}
    crafts = list(assignment.project.crafts.all())
    craft_rows = coded_rows(
        grid, header_of.get("craft", ""), posted, "craft", lambda c: craft_choice(crafts, c)
    )
    apprentice_rows = coded_rows(
        grid, header_of.get("apprentice", ""), posted, "apprentice", guess_apprentice
    )
    failure = None
    name = posted.get("name", _("Payroll export"))
    if request.method == "POST" and posted.get("action") == "save":
        fields = [field for field in chosen.values() if field]
        doubled = {field for field in fields if fields.count(field) > 1}
        try:
            if doubled:
                labels = ", ".join(COLUMN_BY_FIELD[f].header for f in sorted(doubled))
                raise InvalidInput(
                    _(
                        "Each field comes from one column; %(fields)s is chosen for two. Choose "
                        "“not used” for one of them."
                    )
                    % {"fields": labels},
                    errors=[],
                )
            codes = {
                "craft": {row["code"]: row["chosen"] for row in craft_rows},
                "apprentice": {row["code"]: row["chosen"] for row in apprentice_rows},
            }
            mapping = mapping_save(
                contractor=assignment.contractor,
                name=name,
                columns=header_of,
                codes=codes,
                user=request.user,
            )
        except InvalidInput as error:
            failure = error
        else:
            return upload_with(request, assignment, token, pending, content, mapping.name)
    return render(
        request,
        "reporting/mappings/new.html",
        {
            "assignment": assignment,
            "project": assignment.project,
            "pending": pending,
            "token": token,
            "previews": [
                {
                    "index": p.index,
                    "header": p.header,
                    "samples": p.samples,
                    "chosen": chosen[p.index],
                }
                for p in previews
            ],
            "fields": our_fields(),
            "craft_rows": craft_rows,
            "craft_names": [craft.name for craft in crafts],
            "apprentice_rows": apprentice_rows,
            "apprentice_codes": apprentice_labels(),
            "shipped": list(SHIPPED),
            "start": start,
            "name": name,
            "failure": failure,
            "month": long_month(parse_period(pending["period"])),
        },
        status=422 if failure else 200,
    )


def upload_with(request, assignment, token, pending, content, mapping_name):
    """The waiting file, uploaded through the mapping just saved."""
    period = parse_period(pending["period"])
    try:
        result = report_upload(
            assignment=assignment,
            period=period,
            content=content,
            filename=pending["filename"],
            user=request.user,
            check_only=pending["check_only"],
            measure=True,
            mapping=mapping_name,
        )
    except InvalidInput as error:
        drop_pending(request, token)
        messages.success(request, _("Mapping “%(name)s” saved.") % {"name": mapping_name})
        form = UploadForm(
            initial={"period": pending["period"]}, months=reporting_months(assignment=assignment)
        )
        return render(
            request,
            "reporting/reports/upload.html",
            {
                "assignment": assignment,
                "project": assignment.project,
                "form": form,
                "failure": error,
            },
            status=422,
        )
    drop_pending(request, token)
    messages.success(
        request,
        _("Mapping “%(name)s” saved: later uploads with these columns use it.")
        % {"name": mapping_name},
    )
    if result.checked:
        form = UploadForm(
            initial={"period": pending["period"]}, months=reporting_months(assignment=assignment)
        )
        return render(
            request,
            "reporting/reports/upload.html",
            {
                "assignment": assignment,
                "project": assignment.project,
                "form": form,
                "checked": result,
                "checked_file": pending["filename"],
            },
        )
    announce(request, result)
    return redirect(month_url(assignment, period))


# -- saved mappings ------------------------------------------------------------------


@login_required
def export_mappings(request, slug: str, contractor: str):
    """The contractor's saved mappings, and the shipped layouts to start from."""
    assignment = assignment_for(request, slug, contractor)
    mappings = (
        access.export_mappings_for(request.user)
        .filter(contractor=assignment.contractor)
        .select_related("created_by")
    )
    return render(
        request,
        "reporting/mappings/list.html",
        {
            "assignment": assignment,
            "project": assignment.project,
            "mappings": [
                {
                    "mapping": m,
                    "columns": [
                        (COLUMN_BY_FIELD[f].heading(get_language() or "en"), h)
                        for f, h in m.columns.items()
                        if f in COLUMN_BY_FIELD
                    ],
                    "code_count": sum(len(c) for c in m.codes.values()),
                }
                for m in mappings
            ],
            "shipped": list(SHIPPED),
        },
    )


def mapping_of(request, assignment, mapping_id: int):
    return get_object_or_404(
        access.export_mappings_for(request.user).filter(contractor=assignment.contractor),
        pk=mapping_id,
    )


@login_required
def export_mapping_edit(request, slug: str, contractor: str, mapping_id: int):
    """Change a saved mapping: its name, the header of each field's column, its codes."""
    assignment = assignment_for(request, slug, contractor)
    mapping = mapping_of(request, assignment, mapping_id)
    failure = None
    if request.method == "POST":
        columns = {c.field: request.POST.get(f"column_{c.field}", "").strip() for c in COLUMNS}
        codes = {"craft": {}, "apprentice": {}}
        for kind in codes:
            rows = request.POST.get(f"{kind}_rows", "")
            for index in range(min(int(rows), MAX_CODES) if rows.isdigit() else 0):
                code = request.POST.get(f"{kind}_code_{index}", "").strip()
                if code:
                    codes[kind][code] = request.POST.get(f"{kind}_{index}", "")
        try:
            mapping_save(
                contractor=assignment.contractor,
                name=request.POST.get("name", ""),
                columns=columns,
                codes=codes,
                user=request.user,
                mapping=mapping,
            )
        except InvalidInput as error:
            failure = error
        else:
            messages.success(request, _("Mapping “%(name)s” saved.") % {"name": mapping.name})
            return redirect(mappings_url(assignment))
    rows = {}
    for kind in ("craft", "apprentice"):
        existing = sorted((mapping.codes.get(kind) or {}).items(), key=lambda p: code_key(p[0]))
        rows[kind] = [
            {"index": i, "code": code, "chosen": ours}
            for i, (code, ours) in enumerate([*existing, *[("", "")] * BLANK_CODE_ROWS])
        ]
    return render(
        request,
        "reporting/mappings/edit.html",
        {
            "assignment": assignment,
            "project": assignment.project,
            "mapping": mapping,
            "fields": [(c, mapping.columns.get(c["field"], "")) for c in our_fields()],
            "craft_rows": rows["craft"],
            "apprentice_rows": rows["apprentice"],
            "craft_names": [c.name for c in assignment.project.crafts.all()],
            "apprentice_codes": apprentice_labels(),
            "failure": failure,
        },
        status=422 if failure else 200,
    )


@login_required
@require_POST
def export_mapping_delete(request, slug: str, contractor: str, mapping_id: int):
    """Delete a saved mapping, once confirmed."""
    assignment = assignment_for(request, slug, contractor)
    mapping = mapping_of(request, assignment, mapping_id)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "reporting/mappings/confirm_delete.html",
            {"assignment": assignment, "project": assignment.project, "mapping": mapping},
        )
    name = mapping.name
    mapping_delete(mapping=mapping, user=request.user)
    messages.success(request, _("Mapping “%(name)s” deleted.") % {"name": name})
    return redirect(mappings_url(assignment))


urlpatterns = [
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/mappings/",
        export_mappings,
        name="export_mappings",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/mappings/new/",
        export_mapping_new,
        name="export_mapping_new",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/mappings/<int:mapping_id>/",
        export_mapping_edit,
        name="export_mapping_edit",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/mappings/<int:mapping_id>/delete/",
        export_mapping_delete,
        name="export_mapping_delete",
    ),
]
