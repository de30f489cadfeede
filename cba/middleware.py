"""What every request goes through before a view reads it."""

import re

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError

# A JSON string's NUL is written \u0000; an even run of backslashes before it is text.
JSON_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


class DropNulCharacters:
    """NUL characters are dropped from every field before a view reads it: nobody types one,
    it shows as nothing, and PostgreSQL cannot store one in text (it answered a 500). The
    query, a form's fields and a JSON body lose them; an address holding one names nothing
    (404). An uploaded file's cells are cleaned by the intake the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No page has a NUL character in its address.")
        if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            request.GET = _without_nul(request.GET)
        content_type = request.content_type or ""
        if content_type == "application/json":
            try:
                body = request.body
            except RequestDataTooBig:
                body = b""  # the view answers 413
            if b"\x00" in body or JSON_NUL.search(body):
                request._body = JSON_NUL.sub(rb"\1", body.replace(b"\x00", b""))
        elif request.method == "POST" and _is_web_form(request, content_type):
            try:
                fields = request.POST
            except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError):
                fields = None  # the view answers the form's own error
            if fields is not None and any(
                "\x00" in key or "\x00" in value
                for key, values in fields.lists()
                for value in values
            ):
                request.POST = _without_nul(fields)
        return self.get_response(request)


def _is_web_form(request, content_type: str) -> bool:
    # The API reads its multipart fields by type (a period, a file); a page's multipart
    # form has free text beside its file.
    return content_type == "application/x-www-form-urlencoded" or (
        content_type == "multipart/form-data" and not request.path.startswith("/api/")
    )


def _without_nul(query):
    cleaned = query.copy()
    cleaned.clear()
    for key, values in query.lists():
        cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    cleaned._mutable = False
    return cleaned


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
