"""The one domain error type; views and the API turn it into an answer in one place."""


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
