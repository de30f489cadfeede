"""The REST API at /api/v1/: one NinjaAPI mounting each app's routers.

Every refusal, whatever raised it, answers with the one error body of `cba.errors`, and
DEBUG changes none of them: a crash is logged (with its traceback, for the admins) and
answers a 500 that says only that it is our fault.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from cba.errors import DomainError, TooLarge
from compliance.enforcement.api import router as enforcement_router
from compliance.evaluation.api import router as evaluation_router
from compliance.reporting.api import router as reporting_router
from compliance.reporting.intake.files import megabytes
from projects.api import router as projects_router
from projects.api_auth import api_auth, api_throttle

logger = logging.getLogger("django.request")

api = NinjaAPI(
    title="CBA Monitor API",
    version="1",
    description="Projects, reports, evaluations, flags and memos of CBA Monitor. "
    "Authenticate with `Authorization: Bearer <personal token>` (create one under "
    "Account → API tokens) or a browser session. Every error answers "
    '`{"detail": "what went wrong and what to do", "errors": [...]}`.',
    auth=api_auth,
    throttle=api_throttle,
    urls_namespace="api",
    # Swagger UI from django-ninja's own static files (no CDN), its init in a static script
    # (no inline code, so the CSP holds); no badge fetched from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


def refusal(request, status: int, detail: str, errors: list | None = None):
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return refusal(request, exc.status_code, exc.message, exc.errors)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [validation_problem(error) for error in exc.errors]
    listed = "; ".join(
        f"{error['field']}: {error['message']}" if error["field"] else error["message"]
        for error in errors
    )
    return refusal(request, 422, f"The request is not valid. {listed}", errors)


def validation_problem(error: dict) -> dict:
    """A pydantic error as `{"field": "lines[0].hours", "in": "body", "message": ...}`."""
    location, *rest = error.get("loc") or ("",)
    if location == "body":
        rest = rest[1:]  # ninja's name for the whole body, not a key inside it
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    message = str(error.get("msg", "Not valid.")).removeprefix("Value error, ")
    if location == "body" and not field and error.get("type") == "missing":
        message = "Send a JSON object as the request body."
    return {"field": field, "in": location, "message": message}


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return refusal(
        request,
        401,
        "Sign in first: send `Authorization: Bearer <token>` with a personal API token "
        "(Account → API tokens).",
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    detail = exc.message
    if detail.startswith("Cannot parse request body"):
        detail = "The request body is not valid JSON: send a JSON object."
    return refusal(request, exc.status_code, detail)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    # The same limit the upload page states (the body's own cap leaves room for the form).
    limit = settings.UPLOAD_MAX_BYTES
    return domain_error(
        request,
        TooLarge(
            f"The request is larger than the {megabytes(limit)} limit: send one month's "
            "report at a time."
        ),
    )


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    return refusal(request, 400, "The request could not be read: check its form fields.")


@api.exception_handler(MultiPartParserError)
def unreadable_form(request, exc):
    return refusal(
        request, 400, "The multipart form could not be read: send it as multipart/form-data."
    )


@api.exception_handler(BadRequest)
def bad_request(request, exc):
    return refusal(request, 400, "The request could not be read.")


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    wait = max(1, math.ceil(exc.wait or 60))
    response = refusal(
        request,
        429,
        f"Too many requests: wait {wait} second{'s' if wait != 1 else ''} and try again.",
    )
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return refusal(request, 403, "You may not do this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return refusal(request, 404, "Not found.")


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return refusal(
        request, 500, "Something went wrong on our side; it has been logged. Try again later."
    )


api.add_router("/", projects_router)
api.add_router("/", reporting_router)
api.add_router("/", enforcement_router)
api.add_router("/", evaluation_router)
