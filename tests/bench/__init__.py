"""The benchmark of SPEC §9: `python -m tests.bench NAME [--lines N] [--json] [--keep]`.

Each `NAME_bench` module builds its own data with `demo.generator` in the throwaway
database the harness (`__main__.py`) creates, and has `run(*, lines: int) -> dict` return
`{"seconds": float, "floor_seconds": float | None}`: the operation's time and, where the
target is a ratio, the time of the floor it is measured against. A module may set
`DEFAULT_LINES`, the size used when `--lines` is not given.
"""

import time
from collections.abc import Callable
from typing import Any


def timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    """Run `operation` once; return (wall-clock seconds, its result)."""
    started = time.perf_counter()
    result = operation()
    return time.perf_counter() - started, result


def settle() -> None:
    """What a server's autovacuum does after a bulk load, done at once: on PostgreSQL a
    VACUUM ANALYZE (the visibility map and hint bits set, so index-only scans skip the heap;
    the planner's statistics gathered), on SQLite an ANALYZE."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
