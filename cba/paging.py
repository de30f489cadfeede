"""The API's one way to page a list: `limit` and `offset`, both bounded at the edge."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_PAGE = 1000
# Far past any list we hold, and well inside what every database takes as an offset.
MAX_OFFSET = 10**9


class Paging(LimitOffsetPagination):
    """`?limit=` (1 to 1,000, default 100) and `?offset=` (0 to 1,000,000,000)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE, description="Items on a page (at most 1,000).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE, **kwargs)
