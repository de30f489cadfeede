"""The one domain error type. A leaf: nothing of Django or ninja, so the upload reader's
child process can raise it too.

Views and the API turn a `DomainError` into an answer in one place (the API: `cba/api.py`,
whose error body is declared in `cba/answers.py`).
"""


class DomainError(Exception):
    """A request the rules refuse. `errors` lists details (row, column, value, message)."""

    status_code = 400

    def __init__(self, message: str, *, errors: list[dict] | None = None, status_code=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        if status_code is not None:
            self.status_code = status_code


class InvalidInput(DomainError):
    status_code = 422


class Conflict(DomainError):
    status_code = 409


class TooLarge(DomainError):
    status_code = 413
