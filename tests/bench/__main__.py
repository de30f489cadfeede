"""Run one benchmark in a throwaway database (SPEC §9).

    python -m tests.bench {import,evaluate,pages,memo,public,generate} [--lines N] [--json] [--keep]

The database is a temporary SQLite file, or, when DATABASE_URL names a PostgreSQL server, a
temporary `cba_bench_<random>` database created beside it and dropped at the end (`--keep`
keeps either and says where). The harness migrates it, calls the bench module's `run`, and
prints one line, or with `--json` one object with exactly the keys bench, lines, seconds,
floor_seconds, ratio, peak_rss_mb. A bench that times several operations returns a list of
results, each naming its `bench`, and gets one line or object each. Peak RSS is the whole
process's, setup included.
"""

import argparse
import importlib
import importlib.util
import json
import os
import re
import resource
import secrets
import shutil
import sys
import tempfile
from urllib.parse import urlparse

# The data set each target of SPEC §9 is stated for; a bench module's DEFAULT_LINES wins.
DEFAULT_LINES = {
    "import": 100_000,
    "evaluate": 1_000_000,
    "pages": 1_000_000,
    "memo": 1_000_000,
    "public": 1_000_000,
    "generate": 100_000,
    "portfolio": 5_000_000,
    "reevaluate": 1_000_000,
}
KNOWN = list(DEFAULT_LINES)
FALLBACK_LINES = 100_000


def module_name(bench: str) -> str:
    return f"tests.bench.{bench}_bench"


def bench_exists(bench: str) -> bool:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", bench):
        return False
    if module_name(bench) in sys.modules:
        return True
    try:
        return importlib.util.find_spec(module_name(bench)) is not None
    except ModuleNotFoundError:
        return False


class ThrowawayDatabase:
    """Points DATABASE_URL (and MEDIA_ROOT) at fresh, temporary storage for one run."""

    def __init__(self, url: str, *, keep: bool):
        self.url = url
        self.keep = keep
        self.postgres = urlparse(url).scheme in {"postgres", "postgresql", "pgsql"}
        self.name = ""
        self.media = ""

    def __enter__(self) -> "ThrowawayDatabase":
        self.media = tempfile.mkdtemp(prefix="cba_bench_media_")
        os.environ["MEDIA_ROOT"] = self.media
        if self.postgres:
            import psycopg

            self.name = f"cba_bench_{secrets.token_hex(4)}"
            with psycopg.connect(self.url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            os.environ["DATABASE_URL"] = urlparse(self.url)._replace(path=f"/{self.name}").geturl()
        else:
            handle, self.name = tempfile.mkstemp(prefix="cba_bench_", suffix=".sqlite3")
            os.close(handle)
            os.environ["DATABASE_URL"] = f"sqlite:///{self.name}"
        return self

    def __exit__(self, *exc) -> None:
        from django.db import connections

        connections.close_all()
        if self.keep:
            print(f"Kept the database: {os.environ['DATABASE_URL']}", file=sys.stderr)
            print(f"Kept the media files: {self.media}", file=sys.stderr)
            return
        shutil.rmtree(self.media, ignore_errors=True)
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-journal", "-wal", "-shm"):
                if os.path.exists(self.name + suffix):
                    os.unlink(self.name + suffix)


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure(bench: str, lines: int | None) -> list[dict]:
    """Set Django up on the current DATABASE_URL, migrate, run the bench; the result rows."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    module = importlib.import_module(module_name(bench))
    if lines is None:
        lines = getattr(module, "DEFAULT_LINES", DEFAULT_LINES.get(bench, FALLBACK_LINES))
    results = module.run(lines=lines)
    if isinstance(results, dict):
        results = [{"bench": bench, **results}]
    rss_mb = peak_rss_mb()
    return [result_row(result["bench"], lines, result, rss_mb) for result in results]


def result_row(bench: str, lines: int, result: dict, rss_mb: float) -> dict:
    """The printed result: a bench's {seconds, floor_seconds} plus lines, ratio and RSS."""
    seconds = float(result["seconds"])
    floor = result.get("floor_seconds")
    floor = None if floor is None else float(floor)
    return {
        "bench": bench,
        "lines": lines,
        "seconds": round(seconds, 3),
        "floor_seconds": None if floor is None else round(floor, 3),
        "ratio": round(seconds / floor, 2) if floor else None,
        "peak_rss_mb": round(rss_mb, 1),
    }


def describe(row: dict) -> str:
    floor = (
        f"floor {row['floor_seconds']:.2f} s, ratio {row['ratio']:.2f}"
        if row["floor_seconds"]
        else "no floor"
    )
    return (
        f"{row['bench']}: {row['lines']:,} lines in {row['seconds']:.2f} s ({floor}); "
        f"peak RSS {row['peak_rss_mb']:.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Time one operation of CBA Monitor on generated data in a throwaway "
        "database (PostgreSQL when DATABASE_URL names one, SQLite otherwise).",
    )
    parser.add_argument("bench", help=f"which benchmark: {', '.join(KNOWN)}")
    parser.add_argument("--lines", type=int, help="payroll lines to generate (default: per bench)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per result")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.lines is not None and args.lines < 0:
        parser.error("--lines must be 0 or more")
    if not bench_exists(args.bench):
        print(
            f"bench {args.bench} is not built yet (no tests/bench/{args.bench}_bench.py); "
            f"benchmarks: {', '.join(KNOWN)}",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cba.settings")
    os.environ.setdefault("Q_SYNC", "1")
    with ThrowawayDatabase(os.environ.get("DATABASE_URL", ""), keep=args.keep):
        rows = measure(args.bench, args.lines)
    for row in rows:
        print(json.dumps(row) if args.json else describe(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
