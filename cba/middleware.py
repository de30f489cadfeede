"""Refusals made before any view runs."""

import re

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError

# A JSON string's NUL is written \u0000; an even run of backslashes before it is text.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_MESSAGE = (
    "The request holds a NUL character (\\u0000), which no field may contain: remove it and "
    "send the request again."
)


class RefuseNulCharacters:
    """No field may hold a NUL character: nobody types one, and PostgreSQL cannot store one
    in text. A request carrying one in its address, its query, its form fields or a JSON body
    is refused with a 400 that says so, before any view reads it (SPEC §8: no 500 from input;
    an uploaded file's cells are checked by the intake)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.holds_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE, "errors": []}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def holds_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            return True
        content_type = request.content_type or ""
        if content_type == "application/json":
            try:
                body = request.body
            except RequestDataTooBig:
                return False  # the view answers 413
            return b"\x00" in body or JSON_NUL.search(body) is not None
        web_form = content_type == "application/x-www-form-urlencoded" or (
            # The API reads its multipart fields by type (a period, a file), answering their
            # own errors; a page's multipart form has free text beside its file.
            content_type == "multipart/form-data" and not request.path.startswith("/api/")
        )
        if request.method == "POST" and web_form:
            try:
                fields = list(request.POST.lists())
            except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError):
                return False  # the view answers the form's own error
            return any(
                "\x00" in key or "\x00" in value for key, values in fields for value in values
            )
        return False


class ApiNotFound:
    """An address under /api/ that names no operation answers the API's 404 body, not a
    page (with DEBUG too: DEBUG never changes an API error body)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = "No such API operation: the operations are listed at /api/v1/docs."
            return JsonResponse({"detail": detail, "errors": []}, status=404)
        return response
