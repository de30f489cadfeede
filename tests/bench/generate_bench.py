"""Bench `generate`: how long the data generator takes to write N payroll lines.

No floor: it times `write_lines` for a 40-contractor, 60-month project, the data set the
other benchmarks build before they time anything.
"""

from demo.generator import build_project, write_lines
from tests.bench import timed

DEFAULT_LINES = 100_000


def run(*, lines: int) -> dict:
    project = build_project(slug="bench", contractors=40, months=60)
    seconds, written = timed(lambda: write_lines(project=project, lines=lines))
    assert written == lines, f"wrote {written} lines, asked for {lines}"
    return {"seconds": seconds, "floor_seconds": None}
