"""The one error body every API answer other than 2xx has, and how operations declare it.

An operation declares the errors it can answer with `answers(...)`, so the OpenAPI schema
lists them all with the same body: `{"detail": "a sentence", "errors": [{...}, ...]}`.
"""

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class ErrorItem(Schema):
    """One problem. Which of the optional keys are present depends on what was wrong: a
    file's `row` and `column`, a JSON `path` or a request `field`, and the `value` sent."""

    model_config = ConfigDict(extra="allow")

    message: str
    row: int | None = None
    column: str | None = None
    field: str | None = None
    path: str | None = None
    value: Any = None


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


# Every operation can be refused for these: no or a bad token (401), a parameter or body
# that does not validate (422), too many requests (429).
ALWAYS = (401, 422, 429)
# Operations with a request body also answer: unreadable body (400), body too large (413).
BODY = (400, 413)


def answers(success: dict | type | None = None, *errors: int, body: bool = False) -> dict:
    """An operation's `response=`: its success answers plus `errors` (and the ones every
    operation has), each with the error body.

    `answers({201: ReportOut}, 403, 404, body=True)`; a bare schema means 200.
    """
    if success is None:
        success = {}
    elif not isinstance(success, dict):
        success = {200: success}
    codes = frozenset(ALWAYS + (BODY if body else ()) + errors)
    return {**success, codes: ErrorOut}


def file_answer(media_type: str | list[str], description: str) -> dict:
    """`openapi_extra` for an operation whose 200 is a file rather than JSON (of one type,
    or of any of several)."""
    types = [media_type] if isinstance(media_type, str) else media_type
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {"description": description, "content": {t: binary for t in types}},
        }
    }
