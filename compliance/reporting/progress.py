"""Progress toward count commitments (SPEC §2, §3.3): training slots filled, affordable units
delivered, dollars paid. Program admins and law center staff record it; the commitment is
re-evaluated once the entry is stored. Evidence is checked like every attached file
(`compliance.storage.check_attachment`: PDF, image, .xlsx or .docx, up to 10 MB)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cba.errors import InvalidInput
from compliance.audit import audit_record
from compliance.enqueue import enqueue_evaluation
from compliance.models import ProgressEntry
from compliance.storage import attachment_name, check_attachment
from projects import access
from projects.models import Commitment

MAX_AMI_PERCENT = Decimal("999.99")


def progress_entries(commitment: Commitment) -> QuerySet[ProgressEntry]:
    return commitment.progress.select_related("entered_by").order_by("-date", "-id")


def _check(*, commitment, date, quantity, ami_percent, evidence) -> list[dict]:
    errors = []
    if not commitment.takes_progress:
        errors.append(
            {
                "field": "commitment",
                "message": "Progress is recorded only for count commitments (slots, units, "
                "hires, dollars); this one is measured from the payroll reports.",
            }
        )
    if date is None:
        errors.append({"field": "date", "message": "Give the date (YYYY-MM-DD)."})
    elif date > timezone.localdate():
        errors.append(
            {"field": "date", "message": "The date is in the future: record progress made."}
        )
    if quantity is None or not quantity.is_finite() or quantity <= 0:
        errors.append({"field": "quantity", "message": "Give a quantity above 0."})
    elif quantity.as_tuple().exponent < -2 or abs(quantity) >= Decimal("1e12"):
        errors.append({"field": "quantity", "message": "Use at most 2 decimals and 12 digits."})
    if ami_percent is not None and not (0 < ami_percent <= MAX_AMI_PERCENT):
        errors.append(
            {"field": "ami_percent", "message": "The AMI percent is between 0 and 999.99."}
        )
    problem = check_attachment(evidence) if evidence is not None else None
    if problem:
        errors.append({"field": "evidence", "message": problem})
    return errors


def progress_record(
    *,
    commitment: Commitment,
    date: datetime.date,
    quantity: Decimal,
    ami_percent: Decimal | None = None,
    note: str = "",
    evidence=None,
    user,
) -> ProgressEntry:
    """Store one progress entry and re-evaluate the project in the background.

    `user` is the person entering it (who must be allowed to), or None from the command line.
    """
    if user is not None and not access.can_record_progress(user, commitment.project):
        raise PermissionDenied
    errors = _check(
        commitment=commitment,
        date=date,
        quantity=quantity,
        ami_percent=ami_percent,
        evidence=evidence,
    )
    if errors:
        raise InvalidInput("The progress entry was not recorded.", errors=errors)
    with transaction.atomic():
        entry = ProgressEntry(
            commitment=commitment,
            date=date,
            quantity=quantity,
            ami_percent=ami_percent,
            note=(note or "").strip(),
            entered_by=user,
        )
        if evidence is not None:
            entry.evidence.save(attachment_name(evidence), evidence, save=False)
        entry.save()
        audit_record(
            verb="progress.record",
            actor=user,
            actor_label="" if user is not None else "manage.py record_progress",
            obj=entry,
            project=commitment.project,
            data={
                "commitment": commitment.key,
                "date": date.isoformat(),
                "quantity": str(quantity),
                "ami_percent": None if ami_percent is None else str(ami_percent),
            },
        )
        enqueue_evaluation(commitment.project_id)
    return entry
