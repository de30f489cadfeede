"""The REST API at /api/v1/: one NinjaAPI mounting each app's routers."""

import math

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import Throttled

from cba.errors import DomainError
from compliance.api import router as compliance_router
from projects.api import router as projects_router
from projects.api_auth import api_auth, api_throttle

api = NinjaAPI(
    title="CBA Monitor API",
    version="1",
    description="Projects, reports, evaluations, flags and memos of CBA Monitor. "
    "Authenticate with `Authorization: Bearer <personal token>` (create one under "
    "Account → API tokens) or a browser session.",
    auth=api_auth,
    throttle=api_throttle,
    urls_namespace="api",
    # Swagger UI from django-ninja's own static files (no CDN), its init in a static script
    # (no inline code, so the CSP holds); no badge fetched from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(
        request, {"detail": exc.message, "errors": exc.errors}, status=exc.status_code
    )


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    wait = max(1, math.ceil(exc.wait or 60))
    response = api.create_response(
        request,
        {
            "detail": f"Too many requests: wait {wait} second{'s' if wait != 1 else ''} "
            "and try again.",
            "errors": [],
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "You may not do this."}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.add_router("/", projects_router)
api.add_router("/", compliance_router)
