"""Progress entries of count commitments: list them, record one (admins and law center)."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from cba.answers import answers
from compliance.months import Day
from compliance.numbers import figure_type
from compliance.reporting.progress import MAX_AMI_PERCENT, progress_entries, progress_record
from projects import access
from projects.models import Commitment

router = Router(tags=["progress"])


class ProgressOut(Schema):
    id: int
    date: datetime.date
    quantity: str
    ami_percent: str | None
    note: str
    has_evidence: bool
    entered_by: str | None
    created_at: datetime.datetime


class ProgressIn(Schema):
    date: Day
    quantity: figure_type(minimum=Decimal("0.01"), what="the quantity")
    ami_percent: (
        figure_type(minimum=Decimal("0.01"), maximum=MAX_AMI_PERCENT, what="the AMI percent") | None
    ) = None
    note: str = ""


def progress_out(entry) -> dict:
    return {
        "id": entry.pk,
        "date": entry.date,
        "quantity": f"{entry.quantity:.2f}",
        "ami_percent": None if entry.ami_percent is None else f"{entry.ami_percent:.2f}",
        "note": entry.note,
        "has_evidence": bool(entry.evidence),
        "entered_by": entry.entered_by.username if entry.entered_by else None,
        "created_at": entry.created_at,
    }


def visible_commitment(request, slug: str, key: str) -> Commitment:
    project = access.project_for(request.user, slug)
    return get_object_or_404(
        access.commitments_for(request.user).select_related("project"), project=project, key=key
    )


@router.get(
    "/projects/{slug}/commitments/{key}/progress",
    response=answers(list[ProgressOut], 404),
    summary="The progress recorded toward a count commitment",
)
def list_progress(request, slug: str, key: str):
    """The progress recorded toward a count commitment, newest first (none for commitments
    measured from payroll reports)."""
    commitment = visible_commitment(request, slug, key)
    return [progress_out(entry) for entry in progress_entries(commitment)]


@router.post(
    "/projects/{slug}/commitments/{key}/progress",
    response=answers({201: ProgressOut}, 403, 404, body=True),
    summary="Record progress toward a count commitment (units, slots, dollars)",
)
def record_progress(
    request,
    slug: str,
    key: str,
    payload: Form[ProgressIn],
    evidence: File[UploadedFile] = None,
):
    """Record progress (multipart form: date, quantity, ami_percent, note, evidence file).
    Program admins and law center staff only; the commitment is re-evaluated afterwards."""
    commitment = visible_commitment(request, slug, key)
    entry = progress_record(
        commitment=commitment,
        date=payload.date,
        quantity=payload.quantity,
        ami_percent=payload.ami_percent,
        note=payload.note,
        evidence=evidence,
        user=request.user,
    )
    return Status(201, progress_out(entry))
