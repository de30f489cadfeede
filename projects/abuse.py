"""Abuse limits (SPEC §8): sign-in lockout, password-reset and API-token throttles.

Sign-in: django-axes counts failures per username at an address; after LOGIN_FAILURE_LIMIT
(5) failures that username is locked at that address for LOGIN_LOCKOUT_MINUTES (15), even
with the right password. The pair, not each alone: an office behind one address is not
locked out by one person's mistakes, and nobody can lock a username out from elsewhere.
A sign-in refused because of a lockout is audited as `login.refused`, not as a failure.
Password resets: PASSWORD_RESET_LIMIT (5) requests an hour per address
and per e-mail address; beyond that nothing is sent, and the answer is the same neutral page.
API: a wrong bearer token counts against the address (API_BAD_TOKEN_LIMIT in 15 minutes);
the counters live in Django's cache.
"""

import hashlib
import ipaddress
import time

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

RESET_WINDOW_SECONDS = 60 * 60
BAD_TOKEN_WINDOW_SECONDS = 15 * 60


class LockoutBackend(AxesStandaloneBackend):
    """Refuses sign-ins of a username locked at this address (django-axes).

    A sign-in without a request (`Client.login` in tests, the shell) is not a visitor's
    attempt: there is no address to count, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.refused_while_locked = True
            raise


def lockout_page(request, original_response=None, credentials=None):
    """The page a locked sign-in gets (429), in words."""
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
        status=429,
    )


def lift_lockout(*, username: str) -> None:
    """Forget the failed sign-ins of a username (after a password reset)."""
    axes_reset(username=username)


def client_address(request) -> str:
    """The visitor's address. Behind a proxy (BEHIND_PROXY=1) it is the last address in
    X-Forwarded-For, the one our proxy appended; earlier ones are the visitor's to forge."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if _is_address(forwarded):
            return forwarded
    address = request.META.get("REMOTE_ADDR", "")
    return address if _is_address(address) else ""


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _key(kind: str, value: str) -> str:
    # Keys carry a hash, never an e-mail address or token, and stay short for any cache.
    return f"cba-limit:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def seconds_blocked(kind: str, value: str, *, limit: int, window: int) -> int | None:
    """Seconds until `value` may try again, or None while under `limit` in the window."""
    started = cache.get(_key(kind, value) + ":start")
    count = cache.get(_key(kind, value), 0)
    if started is None or count < limit:
        return None
    return max(1, int(started + window - time.time()))


def record_attempt(kind: str, value: str, *, window: int) -> None:
    """Count one attempt; the window starts at the first attempt and lasts `window` seconds."""
    key = _key(kind, value)
    if cache.add(key + ":start", time.time(), timeout=window):
        cache.set(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)


def password_reset_allowed(*, address: str, email: str) -> bool:
    """Count one reset request; False once the address or the e-mail is over the limit."""
    limit = settings.PASSWORD_RESET_LIMIT
    counters = [("reset-address", address), ("reset-email", email.strip().lower())]
    blocked = any(
        seconds_blocked(kind, value, limit=limit, window=RESET_WINDOW_SECONDS)
        for kind, value in counters
    )
    for kind, value in counters:
        record_attempt(kind, value, window=RESET_WINDOW_SECONDS)
    return not blocked
