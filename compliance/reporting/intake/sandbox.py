"""Uploaded files are read in a child process (SPEC §8): no file can stop the web process.

`read_in_child` runs `python -m compliance.reporting.intake.sandbox` (a fresh interpreter:
nothing of the web process, its threads or its database connections is shared) with the file on its
standard input. Before it reads the file the child lowers its own limits: address space
(UPLOAD_PARSE_MEMORY_MB), CPU time (UPLOAD_PARSE_SECONDS), no core file (it would hold
payroll data), and at most OUTPUT_LIMIT bytes of answer. It then reads the file with the
.xlsx or the eCPR reader and writes back, into an unnamed temporary file, either the
refusal or the rows, compactly: for each column its distinct values (JSON, dates tagged)
and one 4-byte index per row. The parent builds each distinct value once, and nothing is
unpickled from a process that has just read a hostile file.

Whatever the child does (refuse the file, run out of memory, abort, run past its time), the
parent raises InvalidInput: the 422 error list says the file could not be read and what to
do. The child imports nothing of Django, which keeps its start near 0.1 s.
"""

import datetime
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from cba.errors import InvalidInput
from compliance.reporting.intake.ecpr import parse, read_ecpr_tree
from compliance.reporting.intake.mapping import read_grid
from compliance.reporting.intake.nyxml import is_rollup, read_rollup
from compliance.reporting.intake.opendata_file import FORMATS, read_rows, rows_table
from compliance.reporting.intake.table import Table, refuse
from compliance.reporting.intake.xlsx import read_workbook

logger = logging.getLogger(__name__)

XLSX = "xlsx"
XML = "xml"
CSV = "csv"
# A city's open data file (compliance.reporting.intake.opendata): one project's rows of it.
OPEN_DATA = "opendata"
# The XML doors, told apart by the root element.
ECPR = "ecpr"
NY_XML = "ny_xml"
PROJECT_ROOT = Path(__file__).resolve().parents[3]
# A month's rows come back in a few megabytes; a larger answer is a hostile file's.
OUTPUT_LIMIT = 96 * 1024 * 1024
# No field takes more than 200 characters: longer texts are cut, and still refused.
MAX_TEXT = 1000
INDEX = "I"
CHILD = [sys.executable, "-m", "compliance.reporting.intake.sandbox"]

COULD_NOT_READ = {
    XLSX: "The workbook could not be read: it is damaged, far larger once opened than a "
    "month's report, or made by a program we cannot read. Copy this month's rows into the "
    "project's Excel template, save it as .xlsx and upload that file.",
    XML: "The XML file could not be read: it is damaged or far larger than one week's "
    "certified payroll. Export the eCPR file again from your payroll program and upload the "
    "new file.",
    CSV: "The CSV file could not be read: it is damaged or far larger than a month's report. "
    "Export this month's payroll again and upload the new file.",
    OPEN_DATA: "The open data file could not be read: it is damaged or far larger than the "
    "city publishes. Download the city's file again as CSV and import it.",
}


@dataclass(frozen=True)
class Limits:
    memory_mb: int
    seconds: int
    max_rows: int
    worker_id_key: str = ""


@dataclass
class ChildResult:
    """What the child read: the Table, and for an XML file its door (`source`), its week and
    the copy to keep. A `grid` read gives the file's own columns, for a mapping."""

    table: Table | None
    week_ending: datetime.date | None = None
    no_work: bool = False
    kept: bytes | None = None
    source: str = ""
    # What a reader tells besides the rows (the open data reader: names seen, rows read).
    extra: dict | None = None


def read_in_child(
    *,
    kind: str,
    content: bytes,
    limits: Limits,
    precheck: Callable[[], None] | None = None,
    grid: bool = False,
    options: dict | None = None,
) -> ChildResult:
    """Read an uploaded file in a child process under `limits`; raise InvalidInput if it
    could not be read, for whatever reason.

    `precheck` (the workbook's bounded scan) runs here while the child reads the file, each
    on its own core: an import waits for the longer of the two, not for both (issue 17). A
    refusal stops the child wherever it got to; until then it reads under its limits, which
    hold whatever the file holds.
    """
    request = json.dumps(
        {
            "kind": kind,
            "memory_mb": limits.memory_mb,
            "seconds": limits.seconds,
            "max_rows": limits.max_rows,
            "worker_id_key": limits.worker_id_key,
            "grid": grid,
            **(options or {}),
        }
    ).encode()
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as output:
        # The file is given as a file, not through a pipe: the child reads it at its own
        # pace while this process goes on.
        given.write(request + b"\n")
        given.write(content)
        given.seek(0)
        deadline = time.monotonic() + 2 * limits.seconds + 5
        child = subprocess.Popen(
            [*CHILD, str(output.fileno())],
            stdin=given,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(output.fileno(),),
            cwd=PROJECT_ROOT,
        )
        try:
            if precheck is not None:
                precheck()
            child.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            logger.warning("Reading an uploaded %s file took too long; it was stopped.", kind)
            raise took_too_long(kind, limits.seconds) from None
        finally:
            if child.returncode is None:
                child.kill()
                child.wait()
        if child.returncode != 0:
            logger.warning("The %s reader stopped with exit status %s.", kind, child.returncode)
            if child.returncode == -signal.SIGXCPU:
                raise took_too_long(kind, limits.seconds)
            raise refuse(COULD_NOT_READ[kind])
        size = os.fstat(output.fileno()).st_size
        if size > OUTPUT_LIMIT:
            raise refuse(COULD_NOT_READ[kind])
        output.seek(0)
        answer = output.read()
    try:
        return decode_answer(answer)
    except (ValueError, KeyError, IndexError, TypeError):
        logger.warning("The %s reader gave an answer that could not be decoded.", kind)
        raise refuse(COULD_NOT_READ[kind]) from None


def took_too_long(kind: str, seconds: int) -> InvalidInput:
    again = (
        "Copy this month's rows into the project's Excel template and upload that file."
        if kind in (XLSX, CSV)
        else "Export the XML file again from your payroll program and upload the new file."
    )
    return refuse(f"Reading the file took more than {seconds} seconds, so it was stopped. {again}")


# -- the answer: JSON, a newline, then row numbers, each column's indexes, the kept copy --


def encode_answer(
    table: Table,
    *,
    week_ending: datetime.date | None = None,
    no_work: bool = False,
    kept: bytes | None = None,
    source: str = "",
    extra: dict | None = None,
) -> list[bytes]:
    fields = list(table.columns)
    count = len(table.rows)
    values, blocks = [], [array(INDEX, table.row_numbers).tobytes()]
    for name in fields:
        column = list(map(itemgetter(table.columns[name]), table.rows))
        distinct = list(dict.fromkeys(column))
        position = {value: index for index, value in enumerate(distinct)}
        values.append([encode_value(value) for value in distinct])
        blocks.append(array(INDEX, map(position.__getitem__, column)).tobytes())
    meta = {
        "ok": True,
        "fields": fields,
        "headers": table.headers,
        "rows": count,
        "values": values,
        "warnings": table.warnings,
        "week_ending": week_ending.isoformat() if week_ending else None,
        "no_work": no_work,
        "kept": None if kept is None else len(kept),
        "source": source,
        "payments": encode_payments(table.payments),
        "extra": extra,
    }
    if kept is not None:
        blocks.append(kept)
    return [json.dumps(meta).encode(), b"\n", *blocks]


def decode_answer(answer: bytes) -> ChildResult:
    head, _, body = answer.partition(b"\n")
    meta = json.loads(head)
    if not meta["ok"]:
        raise InvalidInput(str(meta["message"]), errors=list(meta["errors"]))
    count = int(meta["rows"])
    width = array(INDEX).itemsize * count
    view = memoryview(body)
    blocks = [array(INDEX) for _ in range(len(meta["values"]) + 1)]
    for index, block in enumerate(blocks):
        block.frombytes(view[index * width : (index + 1) * width])
        if len(block) != count:
            raise ValueError("short answer")
    columns = []
    for encoded, codes in zip(meta["values"], blocks[1:], strict=True):
        distinct = [decode_value(value) for value in encoded]
        columns.append(list(map(distinct.__getitem__, codes)))
    fields = list(meta["fields"])
    table = Table(
        columns={name: index for index, name in enumerate(fields)},
        headers=dict(meta["headers"]),
        rows=list(zip(*columns, strict=True)) if columns else [()] * count,
        row_numbers=blocks[0].tolist(),
        warnings=list(meta["warnings"]),
    )
    table.payments = decode_payments(meta.get("payments"))
    kept = None
    if meta["kept"] is not None:
        kept = bytes(view[len(blocks) * width :])
        if len(kept) != meta["kept"]:
            raise ValueError("short answer")
    week = meta["week_ending"]
    return ChildResult(
        table=table,
        week_ending=datetime.date.fromisoformat(week) if week else None,
        no_work=bool(meta["no_work"]),
        kept=kept,
        source=str(meta.get("source") or ""),
        extra=meta.get("extra"),
    )


def encode_payments(payments: Table | None) -> dict | None:
    """A Payments sheet is a few rows: sent as they are, values tagged like the columns'."""
    if payments is None:
        return None
    return {
        "columns": payments.columns,
        "headers": payments.headers,
        "rows": [[encode_value(value) for value in row] for row in payments.rows],
        "row_numbers": payments.row_numbers,
    }


def decode_payments(payments: dict | None) -> Table | None:
    if payments is None:
        return None
    return Table(
        columns={str(k): int(v) for k, v in payments["columns"].items()},
        headers={str(k): str(v) for k, v in payments["headers"].items()},
        rows=[[decode_value(value) for value in row] for row in payments["rows"]],
        row_numbers=[int(n) for n in payments["row_numbers"]],
    )


TAGGED = {
    "date": datetime.date.fromisoformat,
    "datetime": datetime.datetime.fromisoformat,
    "time": datetime.time.fromisoformat,
    "timedelta": lambda seconds: datetime.timedelta(seconds=seconds),
}


def encode_value(value):
    kind = value.__class__
    if kind is str:
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT]
    if value is None or kind in (int, float, bool):
        return value
    if kind is datetime.timedelta:
        return {"timedelta": value.total_seconds()}
    for tag in ("datetime", "date", "time"):
        if kind is getattr(datetime, tag):
            return {tag: value.isoformat()}
    return str(value)[:MAX_TEXT]


def decode_value(value):
    if value.__class__ is dict:
        ((tag, text),) = value.items()
        return TAGGED[tag](text)
    return value


# -- the child ---------------------------------------------------------------------------


def lower_limits(*, memory_mb: int, seconds: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))


def read_request(request: dict, content: bytes) -> list[bytes]:
    kind, max_rows = request["kind"], request["max_rows"]
    if kind == OPEN_DATA:
        found = read_rows(
            content, layout=FORMATS[request["layout"]], name=request["name"], max_rows=max_rows
        )
        return encode_answer(
            rows_table(found), extra={"names_seen": found.names_seen, "read": found.read}
        )
    if request.get("grid") or kind == CSV:
        return encode_answer(read_grid(content, kind=kind, max_rows=max_rows))
    if kind == XLSX:
        return encode_answer(read_workbook(content, max_rows=max_rows))
    root = parse(content, what="XML file")
    if is_rollup(root):
        week = read_rollup(root, max_rows=max_rows, worker_id_key=request["worker_id_key"])
        source = NY_XML
    else:
        week = read_ecpr_tree(root, max_rows=max_rows, worker_id_key=request["worker_id_key"])
        source = ECPR
    return encode_answer(
        week.table,
        week_ending=week.week_ending,
        no_work=week.no_work,
        kept=week.kept,
        source=source,
    )


def child_main(output_fd: int) -> None:
    stdin = sys.stdin.buffer
    request = json.loads(stdin.readline(64 * 1024))
    lower_limits(memory_mb=request["memory_mb"], seconds=request["seconds"])
    content = stdin.read()
    with os.fdopen(output_fd, "wb") as output:
        try:
            parts = read_request(request, content)
        except InvalidInput as refusal:
            parts = [
                json.dumps(
                    {"ok": False, "message": refusal.message, "errors": refusal.errors}
                ).encode()
            ]
        output.writelines(parts)


if __name__ == "__main__":
    child_main(int(sys.argv[1]))
