"""What the plugin reports: a failing test's jobs and server log, and the run summary.

Plain functions over plain data, so that the summary can travel from xdist workers
to the controller (records are dicts of str / float / None) and be merged there.
Nothing here imports gradio.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .timeline import format_timeline

# A failing test that ran many jobs shows this many timelines: those that did not
# succeed first, then the most recent.
MAX_TIMELINES = 8
# And this many lines of each app's log, the last ones.
LOG_TAIL = 40

# "expected errors": jobs whose error a test asserted (assert_job_error); "app errors":
# the app raised (gr.Error or any exception) and no test said it should; "failed":
# everything else that ended a job in error (connection, protocol, timeout).
SUMMARY_COLUMNS = (
    "jobs",
    "expected errors",
    "app errors",
    "failed",
    "cancelled",
    "p50",
    "p95",
    "max",
    "max queue",
)
# A value longer than this (a 1 MB text output, a log line) is shown cut in reports.
MAX_VALUE_CHARS = 600


def cut(text: str, limit: int = MAX_VALUE_CHARS, around: int | None = None) -> str:
    """`text`, at most about `limit` characters: a window around index `around` (the
    first difference) if given, else its start and end, saying how much was left out.

    >>> cut("a" * 5000, 20)
    'aaaaaaaaaa... [4980 characters not shown] ...aaaaaaaaaa'
    """
    if len(text) <= limit:
        return text
    if around is None:
        half = limit // 2
        return f"{text[:half]}... [{len(text) - 2 * half} characters not shown] ...{text[-half:]}"
    start = max(0, around - limit // 4)
    end = min(len(text), start + limit)
    head = f"[{start} characters not shown] ..." if start else ""
    tail = f"... [{len(text) - end} characters not shown]" if end < len(text) else ""
    return head + text[start:end] + tail


# --- naming apps --------------------------------------------------------------------------


def app_label(app: Any, rootpath: Path) -> str:
    """A name for an app that is the same on every xdist worker (no port, no temp dir).

    >>> app_label(gradio_app, Path("/src"))
    'tests/app.py'
    """
    spec = getattr(app, "spec", None)
    if spec is None:
        return str(getattr(app, "url", app))
    if spec.kind == "script":
        try:
            name = Path(os.path.relpath(spec.target, rootpath)).as_posix()
        except ValueError:  # another drive, on Windows
            name = spec.target
        if name.startswith("../"):
            name = spec.target
    elif spec.kind == "blocks":
        name = f"Blocks {spec.raw}"
    else:
        name = spec.target
    if spec.attr:
        name += f":{spec.attr}"
    if getattr(app, "mode", None) == "subprocess":
        name += " [subprocess]"
    return str(name)


# --- one job --------------------------------------------------------------------------------


def expect_error(job: Any) -> None:
    """Count `job`'s error as expected (a test asserted it): apart from app errors.

    The mark is on the job's timeline, not in a set of this module's: an in-process
    pytest run (pytester) can load its own copy of this module beside the one
    `assertions` imported, and a module-level set then marked jobs in one copy and
    read them in the other."""
    job.timeline.error_expected = True


def job_outcome(job: Any) -> str:
    """'ok', 'expected_error' (its error was asserted by `assert_job_error`),
    'app_error' (the app raised: gr.Error or any exception in its function),
    'failed' (the client failed: connection, protocol), 'cancelled' or 'running'."""
    events = job.timeline.events
    if any(event.code == "CANCELLED" for event in events):
        return "cancelled"
    final = job.timeline.final
    if final is None:
        return "running"
    if final.success:
        return "ok"
    if job.timeline.error_expected:
        return "expected_error"
    return "app_error" if _app_raised(job) else "failed"


def _app_raised(job: Any) -> bool:
    # gradio_client raises AppError for whatever the app's function raised; checked by
    # name so that this module never imports gradio_client.
    future = getattr(job, "future", None)
    try:
        exc = future.exception(0) if future is not None and future.done() else None
    except BaseException:
        return False
    return exc is not None and any(cls.__name__ == "AppError" for cls in type(exc).__mro__)


def job_record(app: str, job: Any) -> dict[str, Any]:
    """The summary's record of one job: plain data, safe to send between processes."""
    outcome = job_outcome(job)
    ended = outcome in ("ok", "expected_error", "app_error", "failed")
    return {
        "app": app,
        "endpoint": str(job.timeline.endpoint),
        "outcome": outcome,
        "duration": job.timeline.duration if ended else None,
        "queue_wait": job.timeline.queue_wait,
    }


def _describe_end(job: Any) -> str:
    events = job.timeline.events
    return end_words(job_outcome(job), job.timeline.duration, events[-1].time if events else None)


def end_words(outcome: str, duration: float | None, last: float | None) -> str:
    """How a job ended, in words: `outcome` as `job_outcome` says it, `duration` of an
    ended job, `last` the time of its last update (seconds since submit)."""
    if outcome == "ok":
        return f"finished in {format_seconds(duration)}"
    if outcome == "expected_error":
        return f"raised the expected error after {format_seconds(duration)}"
    if outcome == "app_error":
        return f"raised an error after {format_seconds(duration)}"
    if outcome == "failed":
        return f"failed after {format_seconds(duration)}"
    if outcome == "cancelled":
        return f"cancelled after {format_seconds(last)}"
    return f"still running (last update at {format_seconds(last)})"


# --- a failing test's section ---------------------------------------------------------------


def failure_section(
    jobs: Sequence[Any], logs: Sequence[tuple[str, Sequence[str]]], shown: str = ""
) -> str | None:
    """The text added to a failing test's report: the timelines of the jobs it ran,
    then the log each app it used wrote during the test (tracebacks included).
    `logs` holds (heading, lines) per app; a timeline already in `shown` (the failure
    message) is not repeated. None when there is nothing to show."""
    if not jobs and not logs:
        return None
    parts: list[str] = []
    if jobs:
        picked = _pick_jobs(jobs)
        hidden = len(jobs) - len(picked)
        parts.append(
            f"{len(jobs)} job(s) ran in this test"
            + (f"; {hidden} that finished fine are not shown" if hidden else "")
            + ":"
        )
        for number, job in picked:
            timeline = format_timeline(job.timeline)
            if _shown_already(timeline, shown):
                parts.append(
                    f"job {number}: {job.timeline.endpoint} {_describe_end(job)} (timeline above)"
                )
                continue
            parts.append(f"job {number}: {job.timeline.endpoint} {_describe_end(job)}")
            parts.append(timeline)
    for heading, raw in logs:
        parts.append(heading)
        lines = compact_tracebacks(fold_gr_errors(raw))
        if not lines:
            parts.append("  (nothing logged during this test)")
            continue
        if len(lines) > LOG_TAIL:
            parts.append(f"  ... {len(lines) - LOG_TAIL} earlier lines not shown ...")
        parts.extend("  " + cut(line) for line in lines[-LOG_TAIL:])
    return "\n".join(parts)


def _pick_jobs(jobs: Sequence[Any]) -> list[tuple[int, Any]]:
    numbered = list(enumerate(jobs, start=1))
    if len(numbered) <= MAX_TIMELINES:
        return numbered
    troubled = [(n, j) for n, j in numbered if job_outcome(j) not in ("ok", "expected_error")]
    keep = {n for n, _ in troubled[-MAX_TIMELINES:]}
    for n, _ in reversed(numbered):
        if len(keep) >= MAX_TIMELINES:
            break
        keep.add(n)
    return [(n, j) for n, j in numbered if n in keep]


# --- tracebacks in server logs ------------------------------------------------------------

# Frames of these packages are the server's machinery, not the app: a traceback in a
# report shows them as one line, and the app's own frames in full.
SERVER_PACKAGES = frozenset(
    {"gradio", "gradio_client", "anyio", "starlette", "fastapi", "uvicorn", "asyncio"}
)
_FRAME = re.compile(r'^(\s*)File "([^"]+)", line \d+, in ')


_GR_ERROR = re.compile(r"^(?:gradio\.exceptions\.)?Error: (.*)$")


def fold_gr_errors(lines: Sequence[str]) -> list[str]:
    """Each traceback that ends in a `gr.Error` as one line with its message: the app
    raised it on purpose, to show the user a message; its frames tell nothing."""
    out: list[str] = []
    start: int | None = None
    for line in lines:
        if line.startswith("Traceback (most recent call last):"):
            start = len(out)
        elif start is not None and line and not line.startswith(" "):
            match = _GR_ERROR.match(line)
            if match is not None and line.startswith("gradio.exceptions.Error"):
                del out[start:]
                out.append(f"gr.Error raised by the app: {match.group(1)}")
                start = None
                continue
            start = None
        out.append(line)
    return out


def _is_server_frame(path: str) -> bool:
    parts = Path(path).parts
    for i, part in enumerate(parts[:-1]):
        installed = part in ("site-packages", "dist-packages")
        stdlib = re.fullmatch(r"python3\.\d+", part) is not None
        if (installed or stdlib) and parts[i + 1] in SERVER_PACKAGES:
            return True
    return False


def compact_tracebacks(lines: Sequence[str]) -> list[str]:
    """The lines with each run of server-machinery frames in a traceback folded into
    one line, so that the app's frames and the exception stand out."""
    out: list[str] = []
    folded = 0
    indent = ""
    i = 0
    while i < len(lines):
        match = _FRAME.match(lines[i])
        if match is None:
            if folded:
                out.append(f"{indent}... {folded} frame(s) of gradio and its server ...")
                folded = 0
            out.append(lines[i])
            i += 1
            continue
        indent = match.group(1)
        # A frame is its File line and the deeper-indented lines under it.
        end = i + 1
        while (
            end < len(lines)
            and lines[end].startswith(indent + " ")
            and not _FRAME.match(lines[end])
        ):
            end += 1
        if _is_server_frame(match.group(2)):
            folded += 1
        else:
            if folded:
                out.append(f"{indent}... {folded} frame(s) of gradio and its server ...")
                folded = 0
            out.extend(lines[i:end])
        i = end
    if folded:
        out.append(f"{indent}... {folded} frame(s) of gradio and its server ...")
    return out


# --- the summary ------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: a duration some job actually took, never interpolated.

    >>> percentile([0.1, 0.2, 0.3, 0.4], 50)
    0.2
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per app and endpoint, sorted: jobs, expected errors (asserted by a
    test), app errors (the app raised, unasked), failed (other errors), cancelled, p50/p95/max
    duration of the jobs that ended, and the longest queue wait (seconds)."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault((str(record["app"]), str(record["endpoint"])), []).append(record)
    rows = []
    for (app, endpoint), group in sorted(groups.items()):
        durations = [float(r["duration"]) for r in group if r.get("duration") is not None]
        waits = [float(r["queue_wait"]) for r in group if r.get("queue_wait") is not None]
        rows.append(
            {
                "app": app,
                "endpoint": endpoint,
                "jobs": len(group),
                "expected_errors": sum(1 for r in group if r["outcome"] == "expected_error"),
                "app_errors": sum(1 for r in group if r["outcome"] == "app_error"),
                "failed": sum(1 for r in group if r["outcome"] == "failed"),
                "cancelled": sum(1 for r in group if r["outcome"] in ("cancelled", "running")),
                "p50_s": percentile(durations, 50),
                "p95_s": percentile(durations, 95),
                "max_s": max(durations) if durations else None,
                "max_queue_wait_s": max(waits) if waits else None,
            }
        )
    return rows


def format_seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.1f}ms"
    return f"{value:.2f}s"


def format_summary(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The summary as an aligned table, one line per app and endpoint."""
    header = ["app", "endpoint", *SUMMARY_COLUMNS]
    table = [header]
    previous_app = None
    for row in rows:
        table.append(
            [
                row["app"] if row["app"] != previous_app else "",
                row["endpoint"],
                str(row["jobs"]),
                str(row.get("expected_errors", 0)),
                str(row.get("app_errors", 0)),
                str(row["failed"]),
                str(row["cancelled"]),
                format_seconds(row["p50_s"]),
                format_seconds(row["p95_s"]),
                format_seconds(row["max_s"]),
                format_seconds(row["max_queue_wait_s"]),
            ]
        )
        previous_app = row["app"]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = []
    for line in table:
        left = [cell.ljust(widths[i]) for i, cell in enumerate(line[:2])]
        right = [cell.rjust(widths[i + 2]) for i, cell in enumerate(line[2:])]
        lines.append("  ".join(left + right).rstrip())
    return lines


def summary_document(rows: Sequence[Mapping[str, Any]], workers: int) -> dict[str, Any]:
    """The JSON written by --gradio-summary-json: seconds, null where nothing ended."""
    return {
        "pytest_gradio_summary": 1,
        "workers": workers,
        "jobs": sum(int(row["jobs"]) for row in rows),
        "endpoints": [dict(row) for row in rows],
    }


def write_summary_json(path: Path, rows: Sequence[Mapping[str, Any]], workers: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary_document(rows, workers), indent=2) + "\n")


def _shown_already(timeline: str, shown: str) -> bool:
    """Whether the failure message shows this timeline: whole, or up to the failure
    for a job that went on after it (a wait that ran out on a generator still
    yielding: its timeline grew between the message and this section)."""
    lines = timeline.splitlines()
    return timeline in shown or (len(lines) > 3 and "\n".join(lines[:3]) in shown)
