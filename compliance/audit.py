"""One function records what a person or a job changed."""

from django.db import models

from compliance.models import AuditEvent


def audit_record(
    *,
    verb: str,
    actor=None,
    actor_label: str = "",
    obj: models.Model | None = None,
    project=None,
    data: dict | None = None,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor_label,
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        project=project,
        data=data or {},
    )
