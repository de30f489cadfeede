"""Sign-ins, failed sign-ins and lockouts are audit events (SPEC §8)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver


def _address(request) -> str:
    from projects.abuse import client_address

    return client_address(request) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="cba_audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    from compliance.audit import audit_record

    audit_record(verb="login", actor=user, obj=user, data={"address": _address(request)})


@receiver(user_login_failed, dispatch_uid="cba_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Whatever username was typed (cut to 150 characters), never the password."""
    from compliance.audit import audit_record

    username = str(credentials.get("username", ""))[:150]
    refused = getattr(request, "refused_while_locked", False)
    audit_record(
        verb="login.refused" if refused else "login.failed",
        actor_label=username,
        data={"username": username, "address": _address(request)},
    )


@receiver(user_locked_out, dispatch_uid="cba_audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    from compliance.audit import audit_record

    username = str(username or "")[:150]
    audit_record(
        verb="login.locked",
        actor_label=username,
        data={"username": username, "address": ip_address or ""},
    )
