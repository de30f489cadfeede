"""API authentication: a personal `Authorization: Bearer <token>` or the browser session.

Throttled (SPEC §8): wrong tokens count against the address (API_BAD_TOKEN_LIMIT in 15
minutes, then 429 until the window ends, even for a right token), and each person may make
API_REQUESTS_PER_MINUTE requests a minute. A refusal is 429 with Retry-After.
"""

from django.conf import settings
from django.utils import timezone
from ninja.errors import Throttled
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import SimpleRateThrottle

from projects import abuse
from projects.models import ApiToken, hash_token


class PersonalToken(HttpBearer):
    def authenticate(self, request, token):
        address = abuse.client_address(request)
        wait = abuse.seconds_blocked(
            "api-bad-token",
            address,
            limit=settings.API_BAD_TOKEN_LIMIT,
            window=abuse.BAD_TOKEN_WINDOW_SECONDS,
        )
        if wait is not None:
            raise Throttled(wait=wait)
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            abuse.record_attempt("api-bad-token", address, window=abuse.BAD_TOKEN_WINDOW_SECONDS)
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token, as in the web."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def __call__(self, request):
        # No session cookie, nothing to check: a caller with neither token nor session is
        # told to sign in (401), not that a CSRF check failed.
        if not request.COOKIES.get(self.param_name):
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


class PerPersonThrottle(SimpleRateThrottle):
    """API_REQUESTS_PER_MINUTE per signed-in person, whether by token or session."""

    scope = "person"

    def __init__(self):
        super().__init__(rate="1/min")

    def get_cache_key(self, request) -> str | None:
        user = getattr(request, "auth", None)
        if user is None or not getattr(user, "pk", None):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}

    def allow_request(self, request) -> bool:
        # Read the limit on each request, so settings (and tests) may change it.
        self.num_requests, self.duration = settings.API_REQUESTS_PER_MINUTE, 60
        return super().allow_request(request)


api_auth = [PersonalToken(), SessionAuth()]
api_throttle = [PerPersonThrottle()]
