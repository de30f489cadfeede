"""Benchmark: the public page, CSV and JSON of an N-line public project (issue 16, SPEC §9).

Builds the project as the pages bench does (`demo.generator`: 40 contractors, 60 months,
every kind of commitment), makes its agreements public, evaluates it, then times
`public_figures_refresh` (it runs after every evaluation of a public project) and each
public answer through Django's test client as an anonymous visitor: one warm-up request,
then the median of five. `seconds` is the slowest of the three answers; the floor is the
target, 0.3 s, so the ratio says how far under (or over) it they are.
"""

import statistics
import sys
import time

REPEATS = 5
TARGET_SECONDS = 0.3


def _median(client, url: str) -> float:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        else:
            response.content  # noqa: B018 - the body is rendered by now
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run(*, lines: int) -> dict:
    from django.test import Client
    from django.utils import timezone

    from compliance.evaluation.public.figures import public_figures_refresh
    from compliance.pipeline import evaluate_project
    from demo.generator import build_project, write_lines

    project = build_project(slug="bench")
    write_lines(project=project, lines=lines)
    project.agreements.update(public=True)
    as_of = min(project.end_date, timezone.localdate())
    evaluate_project(project, as_of=as_of)

    started = time.perf_counter()
    row = public_figures_refresh(project=project)
    refresh = time.perf_counter() - started

    client = Client()
    base = f"/public/projects/{project.slug}"
    page, csv_download, json_download = (
        _median(client, url) for url in (f"{base}/", f"{base}.csv", f"{base}.json")
    )
    print(
        f"public: page {page * 1000:.0f} ms, CSV {csv_download * 1000:.0f} ms, JSON "
        f"{json_download * 1000:.0f} ms (medians of {REPEATS}); public_figures_refresh "
        f"{refresh:.2f} s; {len(row.figures['worker_hours']):,} worker-hours rows; "
        f"{lines:,} lines as of {as_of:%Y-%m-%d}",
        file=sys.stderr,
    )
    return {"seconds": max(page, csv_download, json_download), "floor_seconds": TARGET_SECONDS}
