"""Benchmark: the enforcement memo of an N-line project (SPEC §9: under 5 s at 1,000,000).

Builds the project with `demo.generator` (40 contractors, 60 months, every kind of
commitment), evaluates it with the engine, then times one whole memo for the whole project
as a law center user: gathering the evaluation's figures, rendering the PDF and storing
both (`memo_generate`, what the background task does). There is no floor to compare with.
The memo's size and the split between gathering and rendering go to stderr.
"""

import sys
import time


def run(*, lines: int) -> dict:
    from django.contrib.auth.models import User
    from django.utils import timezone
    from pypdf import PdfReader

    from compliance.enforcement.memos import build
    from compliance.pipeline import evaluate_project
    from demo.generator import build_project, write_lines
    from projects.models import Membership, Organization

    project = build_project(slug="bench")
    write_lines(project=project, lines=lines)
    as_of = min(project.end_date, timezone.localdate())
    evaluate_project(project, as_of=as_of)

    law_center = project.monitors.filter(kind=Organization.Kind.LAW_CENTER).first()
    lawyer = User.objects.create_user(
        username="bench-lawyer", first_name="Bench", last_name="Lawyer"
    )
    Membership.objects.create(user=lawyer, organization=law_center)

    phases = {}
    gather, render = build.gather_snapshot, build.render_memo_pdf

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = time.perf_counter() - started

        return wrapper

    build.gather_snapshot, build.render_memo_pdf = timed("gather", gather), timed("render", render)
    try:
        started = time.perf_counter()
        memo = build.memo_generate(project=project, user=lawyer)
        seconds = time.perf_counter() - started
    finally:
        build.gather_snapshot, build.render_memo_pdf = gather, render
    if memo.status != "ready":
        raise RuntimeError(memo.failure_reason)
    with memo.pdf.open("rb") as pdf:
        pages = len(PdfReader(pdf).pages)
    print(
        f"memo: {pages} pages, {memo.pdf.size:,} bytes; gather {phases['gather']:.2f} s, "
        f"render {phases['render']:.2f} s ({lines:,} lines, as of {as_of:%Y-%m-%d})",
        file=sys.stderr,
    )
    return {"seconds": seconds, "floor_seconds": None}
