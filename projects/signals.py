"""Logins are audit events (SPEC §8)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="cba_audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    from compliance.audit import audit_record

    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    audit_record(verb="login", actor=user, obj=user, data={"address": address})
