"""Personal API tokens: created with a name, shown once, stored as a SHA-256, revocable."""

from django.db import transaction
from django.utils import timezone

from compliance.audit import audit_record
from projects.models import ApiToken, hash_token


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the raw token, which is never stored."""
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=hash_token(raw))
    audit_record(verb="token.create", actor=user, obj=token, data={"name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    """From now on the token answers 401; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(verb="token.revoke", actor=user, obj=token, data={"name": token.name})
    return token
