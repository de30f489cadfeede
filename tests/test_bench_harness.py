"""The benchmark harness: a throwaway database, one bench, one line or one JSON object."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.bench.__main__ import describe, main, result_row

ROOT = Path(__file__).resolve().parent.parent
KEYS = ["bench", "lines", "seconds", "floor_seconds", "ratio", "peak_rss_mb"]

# A bench module that checks it runs in a fresh, migrated database and says which one.
FAKE_BENCH = """
import sys, types
from tests.bench.__main__ import main

def run(*, lines):
    from django.db import connection
    from projects.models import Project
    assert not Project.objects.exists()
    print("DATABASE", connection.settings_dict["NAME"], file=sys.stderr)
    return {"seconds": 3.0, "floor_seconds": 1.5}

fake = types.ModuleType("tests.bench.fake_bench")
fake.run = run
sys.modules["tests.bench.fake_bench"] = fake
sys.exit(main(sys.argv[1:]))
"""


def run_fake(program: str) -> subprocess.CompletedProcess:
    """The harness's main on a fake bench, at 7 lines, asked for JSON."""
    return subprocess.run(
        [sys.executable, "-c", program, "fake", "--lines", "7", "--json"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_harness_runs_a_bench_in_a_throwaway_database_and_prints_json():
    done = run_fake(FAKE_BENCH)
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(row) == KEYS
    assert row["bench"] == "fake" and row["lines"] == 7
    assert (row["seconds"], row["floor_seconds"], row["ratio"]) == (3.0, 1.5, 2.0)
    assert row["peak_rss_mb"] > 10

    database = done.stderr.split("DATABASE ", 1)[1].split()[0]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        assert database.startswith("cba_bench_")
        with psycopg.connect(url) as admin:
            left = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            assert left.fetchone() is None
    else:
        assert database.endswith(".sqlite3")
        assert not os.path.exists(database)


# A bench module that times two operations and names each result.
TWO_RESULTS_BENCH = FAKE_BENCH.replace(
    'return {"seconds": 3.0, "floor_seconds": 1.5}',
    'return [{"bench": "fake_one", "seconds": 3.0, "floor_seconds": 1.5},'
    ' {"bench": "fake_two", "seconds": 0.25, "floor_seconds": None}]',
)


def test_a_bench_with_several_results_prints_one_json_object_for_each():
    done = run_fake(TWO_RESULTS_BENCH)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert [list(row) for row in rows] == [KEYS, KEYS]
    assert [(r["bench"], r["lines"], r["ratio"]) for r in rows] == [
        ("fake_one", 7, 2.0),
        ("fake_two", 7, None),
    ]


def test_a_bench_not_built_yet_says_so(capsys):
    assert main(["nosuch"]) == 2
    assert "bench nosuch is not built yet" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("result", "ratio"),
    [
        ({"seconds": 4.0, "floor_seconds": 2.0}, 2.0),
        ({"seconds": 4.0, "floor_seconds": None}, None),
    ],
)
def test_the_ratio_is_seconds_over_the_floor_or_null_without_one(result, ratio):
    row = result_row("evaluate", 1_000_000, result, 321.04)
    assert list(row) == KEYS
    assert row["ratio"] == ratio
    assert row["peak_rss_mb"] == 321.0
    assert describe(row).startswith("evaluate: 1,000,000 lines in 4.00 s")
