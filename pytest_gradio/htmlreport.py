"""The visual report: every job of the run as a swimlane, in one self-contained HTML file.

Two steps, so that the report can be merged over pytest-xdist like the summary:
`record_job` / `record_test` turn jobs into plain data (dicts, lists, str, float, None:
what xdist's workeroutput carries), cut and redacted; `render` turns the records of
the whole run into one HTML string, with inline CSS, inline SVG and a few lines of
inline JS, and nothing fetched from anywhere. `lanes_html` renders one test's lanes on
their own (with their own style), for pytest-html's extras.

What goes into the file is bounded: outputs, arguments and errors are cut to
`TEXT_LIMIT` characters; files are written as their name and size only (a file is
never read); every text passes through `tokens.redact` for each secret the caller
names (`known_secrets()` finds the usual ones). Nothing here imports gradio.
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import reporting
from .normalize import is_file_data
from .tokens import redact

# Texts in the file (arguments, results, errors, log messages) are cut to this many
# characters; the hover text of one output tick to the shorter TICK_TEXT_LIMIT.
TEXT_LIMIT = 300
# A failing test's message is shown whole, as the terminal shows it (an assertion
# helper's holds expected, actual and the timeline), up to this many characters.
MESSAGE_LIMIT = 4000
TICK_TEXT_LIMIT = 60
# Only the first outputs of a job and its last keep their text (every tick stays, at
# its time): a job streaming thousands of tokens must not make the file huge.
MAX_TICK_TEXTS = 5
MAX_TICKS = 300
MAX_PROGRESS_POINTS = 200
MAX_LOGS = 50
# A failure screenshot larger than this is named, not inlined.
MAX_SCREENSHOT_BYTES = 600_000
HISTOGRAM_BINS = 12
# Tests shown open when the report loads: the failing ones, and at least this many.
OPEN_SLOWEST = 5

# Environment variables whose values are secrets by their name: redacted wherever
# they appear, even if no app used them.
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.I)
# Shorter values are not redacted: "1" or "true" would blank every number in the report.
_MIN_SECRET = 8
SESSION_NODEID = "(session and module fixtures)"
_FAILING = ("failed", "error")


# --- making records -------------------------------------------------------------------------


def known_secrets(extra: Iterable[str | None] = ()) -> list[str]:
    """The secrets to keep out of the report: `extra` (tokens the run used) and the
    values of environment variables named like secrets (HF_TOKEN, *_API_KEY, ...).

    >>> "hf_abcdefgh" in known_secrets(["hf_abcdefgh"])
    True
    """
    found = {str.__str__(s) for s in extra if s and len(s) >= _MIN_SECRET}
    for name, value in os.environ.items():
        if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET:
            found.add(value)
    # Longest first: a secret that contains another is replaced whole.
    return sorted(found, key=len, reverse=True)


def _clean(text: str, secrets: Sequence[str], limit: int) -> str:
    for secret in secrets:
        text = redact(text, secret)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _file(name: str, size: Any) -> str:
    return f"<file {name} ({size} bytes)>" if isinstance(size, int) else f"<file {name}>"


def describe(value: Any, secrets: Sequence[str] = (), limit: int = TEXT_LIMIT) -> str:
    """A short text for a value in the report: files as name and size (never read),
    secrets redacted, at most `limit` characters.

    >>> describe({"out": {"path": "/t/cat.png", "orig_name": "cat.png", "url": None, "size": 3}})
    "{'out': <file cat.png (3 bytes)>}"
    """
    parts: list[str] = []
    budget = [limit * 2]  # stop walking a huge value once the text is long enough

    def emit(text: str) -> None:
        parts.append(text)
        budget[0] -= len(text)

    def walk(item: Any, depth: int) -> None:
        if budget[0] <= 0:
            return
        if isinstance(item, str):
            if 1 < len(item) < 4096 and "\n" not in item and os.path.isabs(item):
                path = Path(item)
                if path.is_file():
                    emit(_file(path.name, path.stat().st_size))
                    return
            # Each string is redacted whole before it is cut: a cut could split a token.
            emit(repr(_clean(item, secrets, limit * 2)))
        elif isinstance(item, Mapping):
            if is_file_data(item):
                raw = item.get("path")
                name = item.get("orig_name") or (Path(raw).name if isinstance(raw, str) else "?")
                emit(_file(str(name), item.get("size")))
                return
            if depth > 6:
                emit("{…}")
                return
            emit("{")
            for i, (key, sub) in enumerate(item.items()):
                if i:
                    emit(", ")
                if budget[0] <= 0:
                    break
                emit(f"{_clean(repr(key), secrets, 60)}: ")
                walk(sub, depth + 1)
            emit("}")
        elif isinstance(item, (list, tuple)):
            if depth > 6:
                emit("[…]")
                return
            emit("[" if isinstance(item, list) else "(")
            for i, sub in enumerate(item):
                if i:
                    emit(", ")
                if budget[0] <= 0:
                    break
                walk(sub, depth + 1)
            emit("]" if isinstance(item, list) else ")")
        elif isinstance(item, float):
            emit(f"{item:.6g}")
        else:
            emit(_clean(repr(item), secrets, limit * 2))

    walk(value, 0)
    return _clean("".join(parts), secrets, limit)


def _args_text(timeline: Any, secrets: Sequence[str]) -> str:
    args = list(timeline.args)
    kwargs = dict(timeline.kwargs)
    text = describe(args, secrets)[1:-1] if args else ""
    if kwargs:
        text = (text + ", " if text else "") + describe(kwargs, secrets)[1:-1]
    return _clean(text, secrets, TEXT_LIMIT)


def _single(data: Any) -> Any:
    # The server sends a list with one value per output component: most have one.
    return data[0] if isinstance(data, list) and len(data) == 1 else data


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def record_job(
    app: str, job: Any, *, start: float = 0.0, secrets: Sequence[str] = ()
) -> dict[str, Any]:
    """One job as the report keeps it: plain data, cut and redacted.

    `start` is when the job was submitted, in seconds since its test started; every
    other time is seconds since the submit, as the timeline records them.
    The keys the summary uses (app, endpoint, outcome, duration, queue_wait) mean the
    same as in `reporting.job_record`, so `reporting.summarize` reads these too.
    """
    timeline = job.timeline
    events = timeline.events
    record = reporting.job_record(app, job)
    if record["outcome"] == "app_error":
        # The report draws every unasked-for error alike (a red cross, the "failed"
        # column); the terminal summary tells app errors apart. An expected error
        # (asserted with assert_job_error) keeps its own outcome: it is no failure.
        record["outcome"] = "failed"
    statuses: list[list[Any]] = []
    outputs: list[list[Any]] = []
    progress: list[list[Any]] = []
    logs: list[list[Any]] = []
    n_outputs = 0
    for event in events:
        if not statuses or statuses[-1][1] != event.code:
            statuses.append([_r(event.time), event.code])
        if event.kind == "output":
            n_outputs += 1
            if len(outputs) < MAX_TICKS:
                text = (
                    describe(_single(event.data), secrets, TICK_TEXT_LIMIT)
                    if len(outputs) < MAX_TICK_TEXTS
                    else None
                )
                outputs.append([_r(event.time), text])
        elif event.kind == "progress" and event.progress:
            step = event.progress[0]
            if len(progress) < MAX_PROGRESS_POINTS:
                fraction = step.fraction
                progress.append(
                    [
                        _r(event.time),
                        None if fraction is None else round(max(0.0, min(1.0, fraction)), 3),
                        _clean(str(step), secrets, TICK_TEXT_LIMIT),
                    ]
                )
        elif event.kind == "log" and event.log is not None and len(logs) < MAX_LOGS:
            message, level = event.log
            logs.append([_r(event.time), level, _clean(message, secrets, TEXT_LIMIT)])
    final = timeline.final
    result = None
    if n_outputs > len([o for o in outputs if o[1] is not None]) and n_outputs <= MAX_TICKS:
        last_output = next(e for e in reversed(events) if e.kind == "output")
        outputs[-1][1] = describe(_single(last_output.data), secrets, TICK_TEXT_LIMIT)
    if final is not None and final.success:
        values = [e.data for e in events if e.kind == "output"]
        result = describe(_single(values[-1] if values else final.data), secrets)
    error = timeline.error
    record.update(
        start=_r(start),
        duration=_r(record["duration"]),
        queue_wait=_r(record["queue_wait"]),
        end=_r(events[-1].time if events else 0.0),
        args=_args_text(timeline, secrets),
        result=result,
        error=None if error is None else _clean(str(error), secrets, TEXT_LIMIT),
        statuses=statuses,
        outputs=outputs,
        n_outputs=n_outputs,
        progress=progress,
        logs=logs,
    )
    record["endpoint"] = _clean(str(record["endpoint"]), secrets, TICK_TEXT_LIMIT)
    record["app"] = _clean(str(record["app"]), secrets, TICK_TEXT_LIMIT)
    return record


def record_test(
    nodeid: str,
    outcome: str,
    duration: float | None,
    jobs: Sequence[Mapping[str, Any]],
    *,
    message: str | None = None,
    secrets: Sequence[str] = (),
    screenshots: Sequence[Path] = (),
) -> dict[str, Any]:
    """One test with its job records (from `record_job`), for the report.

    `outcome` is pytest's word for the test: passed, failed, error (in setup or
    teardown), skipped, xfailed or xpassed; `message` the failure's message;
    `screenshots` the PNGs a failing browser test left (inlined, see `screenshot`).
    """
    return {
        "nodeid": _clean(nodeid, secrets, 500),
        "outcome": outcome,
        "duration": _r(duration),
        "message": None if message is None else _clean(message, secrets, MESSAGE_LIMIT),
        "jobs": [dict(job) for job in jobs],
        "screenshots": [screenshot(path) for path in screenshots],
    }


def screenshot(path: Path) -> dict[str, Any]:
    """A failure screenshot as report data: its file name, size, and the PNG itself
    (base64) when it is at most MAX_SCREENSHOT_BYTES; a larger one is named only,
    so that a report of many failing pages stays small enough to open."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError:
        return {"name": name, "bytes": None, "png": None}
    inline = len(data) <= MAX_SCREENSHOT_BYTES and data.startswith(b"\x89PNG")
    return {
        "name": name,
        "bytes": len(data),
        "png": base64.b64encode(data).decode("ascii") if inline else None,
    }


# --- figures ---------------------------------------------------------------------------------


def _job_end(job: Mapping[str, Any]) -> float:
    duration = job.get("duration")
    return float(job["start"]) + float(duration if duration is not None else job.get("end") or 0)


def time_in_jobs(test: Mapping[str, Any]) -> float:
    """Seconds the test's jobs ran, overlapping jobs counted once."""
    spans = sorted((float(j["start"]), _job_end(j)) for j in test["jobs"])
    total = 0.0
    cursor = -math.inf
    for begin, end in spans:
        begin = max(begin, cursor)
        if end > begin:
            total += end - begin
            cursor = end
    return total


def ordered_tests(tests: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Failing tests first, then by time spent in jobs, longest first; ties by nodeid."""
    return sorted(
        tests,
        key=lambda t: (t["outcome"] not in _FAILING, -time_in_jobs(t), str(t["nodeid"])),
    )


def endpoint_rows(tests: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The summary's rows (`reporting.summarize`) with the queue wait's p50 and p95
    and the durations of the jobs that ended, for the histogram."""
    jobs = [job for test in tests for job in test["jobs"]]
    rows = reporting.summarize(jobs)
    for row in rows:
        group = [j for j in jobs if j["app"] == row["app"] and j["endpoint"] == row["endpoint"]]
        waits = [float(j["queue_wait"]) for j in group if j.get("queue_wait") is not None]
        row["p50_queue_s"] = reporting.percentile(waits, 50)
        row["p95_queue_s"] = reporting.percentile(waits, 95)
        row["durations"] = [float(j["duration"]) for j in group if j.get("duration") is not None]
    return rows


# --- rendering ---------------------------------------------------------------------------------

CSS = """
.gr .shot{margin:8px 0}.gr .shot img{max-width:100%;border:1px solid #d1d9e0}
.gr{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328}
.gr h1{font-size:20px;margin:0 0 8px}.gr h2{font-size:16px;margin:20px 0 8px}
.gr .figs{display:flex;gap:24px;flex-wrap:wrap;margin:8px 0 4px}
.gr .fig b{display:block;font-size:20px}.gr .fig span{color:#59636e}
.gr table{border-collapse:collapse;font-size:12px}.gr th,.gr td{padding:2px 6px;text-align:right;
border-bottom:1px solid #e5e7eb;white-space:nowrap}
.gr th:nth-child(-n+2),.gr td:nth-child(-n+2){text-align:left}
.gr .test{border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:0 8px;
content-visibility:auto;contain-intrinsic-size:auto 40px}
.gr .test>summary{cursor:pointer;padding:6px 0}
.gr .test.failed,.gr .test.error{border-color:#cf222e}
.gr .badge{display:inline-block;min-width:52px;text-align:center;border-radius:10px;
padding:0 6px;margin-right:6px;font-size:11px;color:#fff;background:#59636e}
.gr .badge.passed{background:#1a7f37}.gr .badge.failed,.gr .badge.error{background:#cf222e}
.gr .badge.skipped,.gr .badge.xfailed{background:#9a6700}
.gr .meta{color:#59636e;margin-left:8px}.gr .msg{color:#cf222e;margin:0 0 6px;white-space:pre-wrap}
.gr svg.lanes{display:block;margin:4px 0}.gr svg text{font-size:11px;fill:#1f2328}
.gr .axis line{stroke:#d0d7de}.gr .axis text{fill:#59636e;font-size:10px}
.gr .lane{cursor:pointer}.gr .lane:hover .bg{fill:#f0f3f6}.gr .bg{fill:transparent}
.gr .queued{fill:#f2cc60}.gr .processing{fill:#80b3ff}
.gr .tick{stroke:#0a3069;stroke-width:1.2}.gr .prog{fill:none;stroke:#8250df;stroke-width:1.5}
.gr .log{stroke:#fff;stroke-width:.8}.gr .log.info{fill:#0969da}.gr .log.warning{fill:#bf8700}
.gr .log.error{fill:#cf222e}.gr .log.success{fill:#1a7f37}
.gr .end.ok{fill:#1a7f37}.gr .end.error{stroke:#cf222e;stroke-width:2.5}
.gr .end.error.expected{stroke:#59636e}
.gr .end.cancelled{fill:#59636e}.gr .end.running{fill:#bf8700}
.gr details.job{margin:2px 0 2px 12px}.gr details.job>summary{cursor:pointer;color:#59636e}
.gr details.job[open]>summary{color:#1f2328}
.gr dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0 8px 16px}
.gr dt{color:#59636e}.gr dd{margin:0;font-family:ui-monospace,monospace;font-size:12px;
white-space:pre-wrap;word-break:break-all}
.gr .hist rect{fill:#80b3ff}.gr .none{color:#59636e}
.gr h3{font-size:13px;margin:12px 0 4px}.gr .coverage th:nth-child(-n+3),
.gr .coverage td:nth-child(-n+3){text-align:left}.gr .coverage tr.missed td{color:#cf222e}
"""

# Clicking a lane opens its job's details below the lanes (and scrolls to them).
JS = (
    "document.addEventListener('click',function(e){var g=e.target.closest&&"
    "e.target.closest('.lane');if(!g)return;var d=document.getElementById(g.dataset.job);"
    "if(d){d.open=true;d.scrollIntoView({block:'nearest'});}});"
)

_LABEL_WIDTH = 190
_PLOT_WIDTH = 720
_LANE = 22
_AXIS = 18


def _e(text: Any) -> str:
    """Escaped for an attribute value or for text (quotes as entities)."""
    return html.escape(str(text), quote=True)


def _t(text: Any) -> str:
    """Escaped for text: quotes stay as they are (outputs are reprs, full of them)."""
    return html.escape(str(text), quote=False)


def _n(value: float) -> str:
    """A coordinate, short: the file size of a big run is mostly numbers."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice_step(span: float) -> float:
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _fmt(value: float | None) -> str:
    return reporting.format_seconds(value)


def _end_words(job: Mapping[str, Any]) -> str:
    return reporting.end_words(job["outcome"], job["duration"], job["end"])


def _lane(job: Mapping[str, Any], dom_id: str, row: int, scale: float, origin: float) -> str:
    y = _AXIS + row * _LANE
    mid = y + _LANE / 2
    x0 = _LABEL_WIDTH + (float(job["start"]) - origin) * scale
    end = float(job["duration"] if job.get("duration") is not None else job.get("end") or 0)
    wait = job.get("queue_wait")
    wait = min(float(wait), end) if wait is not None else end
    title = f"{job['endpoint']}({job['args']}): {_end_words(job)}; queued {_fmt(wait)}"
    parts = [
        f'<g class="lane {_e(job["outcome"])}" data-job="{dom_id}">',
        f"<title>{_t(title)}</title>",
        f'<rect class="bg" x="0" y="{y}" width="{_LABEL_WIDTH + _PLOT_WIDTH + 10}" '
        f'height="{_LANE}"/>',
        f'<text x="4" y="{_n(mid + 4)}">{_e(_clip_label(str(job["endpoint"])))}</text>',
    ]
    if wait > 0:
        parts.append(
            f'<rect class="queued" x="{_n(x0)}" y="{y + 4}" width="{_n(max(wait * scale, 1))}" '
            f'height="{_LANE - 8}"/>'
        )
    if end > wait:
        parts.append(
            f'<rect class="processing" x="{_n(x0 + wait * scale)}" y="{y + 4}" '
            f'width="{_n(max((end - wait) * scale, 1))}" height="{_LANE - 8}"/>'
        )
    bare = []
    for t, text in job["outputs"]:
        x = _n(x0 + float(t) * scale)
        if text is None:
            bare.append(f"M{x} {y + 2}v{_LANE - 4}")
            continue
        parts.append(
            f'<path class="tick" d="M{x} {y + 2}v{_LANE - 4}">'
            f"<title>output at {_fmt(t)}: {_t(text)}</title></path>"
        )
    if bare:
        # The ticks without a text are one path: a long stream stays a small file.
        parts.append(f'<path class="tick" d="{"".join(bare)}"/>')
    points = [(t, f) for t, f, _ in job["progress"] if f is not None]
    if points:
        coords = " ".join(
            f"{_n(x0 + float(t) * scale)},{_n(y + _LANE - 3 - f * (_LANE - 6))}" for t, f in points
        )
        last = job["progress"][-1]
        parts.append(
            f'<polyline class="prog" points="{coords}"><title>progress: {_t(last[2])} '
            f"(last of {len(job['progress'])} updates)</title></polyline>"
        )
    for t, level, message in job["logs"]:
        level_class = level if level in ("info", "warning", "error", "success") else "info"
        parts.append(
            f'<circle class="log {level_class}" cx="{_n(x0 + float(t) * scale)}" '
            f'cy="{y + 4}" r="3.5"><title>{_t(level)}: {_t(message)}</title></circle>'
        )
    xe = x0 + end * scale
    outcome = job["outcome"]
    if outcome == "ok":
        parts.append(f'<circle class="end ok" cx="{_n(xe)}" cy="{_n(mid)}" r="4"/>')
    elif outcome in ("failed", "expected_error"):
        expected = outcome == "expected_error"
        parts.append(
            f'<path class="end error{" expected" if expected else ""}" '
            f'd="M{_n(xe - 4)} {_n(mid - 4)}l8 8m0-8l-8 8">'
            f"<title>{'expected error' if expected else 'error'}: {_t(job['error'])}</title>"
            "</path>"
        )
    elif outcome == "cancelled":
        parts.append(
            f'<rect class="end cancelled" x="{_n(xe - 3.5)}" y="{_n(mid - 3.5)}" '
            'width="7" height="7"><title>cancelled</title></rect>'
        )
    else:
        parts.append(
            f'<path class="end running" d="M{_n(xe)} {_n(mid - 4)}l6 4-6 4z">'
            "<title>still running when the test ended</title></path>"
        )
    parts.append("</g>")
    return "".join(parts)


def _clip_label(text: str, width: int = 26) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _axis(span: float, scale: float, height: int) -> str:
    step = _nice_step(span)
    parts = ['<g class="axis">']
    value = 0.0
    while value <= span + 1e-9:
        x = _n(_LABEL_WIDTH + value * scale)
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{_AXIS - 4}" y2="{height}"/>'
            f'<text x="{x}" y="{_AXIS - 6}" text-anchor="middle">{_e(_fmt(value))}</text>'
        )
        value += step
    parts.append("</g>")
    return "".join(parts)


def _job_details(job: Mapping[str, Any], dom_id: str, number: int) -> str:
    rows = [("app", job["app"]), ("arguments", job["args"] or "(none)")]
    if job.get("result") is not None:
        rows.append(("result", job["result"]))
    if job.get("error") is not None:
        rows.append(("error", job["error"]))
    rows.append(("statuses", " ".join(f"{code}@{_fmt(t)}" for t, code in job["statuses"])))
    if job["n_outputs"]:
        # The first ones are the ticks' hover texts; here, how many and the last.
        texts = [text for _, text in job["outputs"] if text is not None]
        last = f", the last: {texts[-1]}" if texts and job.get("result") is None else ""
        rows.append(("outputs", f"{job['n_outputs']} streamed{last}"))
    if job["progress"]:
        rows.append(("progress", job["progress"][-1][2] + f" ({len(job['progress'])} updates)"))
    for t, level, message in job["logs"]:
        rows.append((f"{level} @{_fmt(t)}", message))
    body = "".join(f"<dt>{_t(k)}</dt><dd>{_t(v)}</dd>" for k, v in rows)
    return (
        f'<details class="job" id="{dom_id}"><summary>job {number}: {_e(job["endpoint"])} '
        f"{_e(_end_words(job))}, queued {_e(_fmt(job['queue_wait']))}</summary>"
        f"<dl>{body}</dl></details>"
    )


def lanes_svg(test: Mapping[str, Any], prefix: str = "j") -> str:
    """The test's jobs as swimlanes on one time axis, then each job's details
    (arguments, result, error, outputs, logs), opened by clicking a lane.

    0 on the axis is the first job's submit, not the test's start: a test that first
    starts an app would otherwise squeeze its jobs into the last pixels."""
    jobs = list(test["jobs"])
    if not jobs:
        return '<p class="none">no jobs</p>'
    origin = min(float(j["start"]) for j in jobs)
    span = max(max(_job_end(j) for j in jobs) - origin, 1e-3)
    scale = _PLOT_WIDTH / span
    height = _AXIS + len(jobs) * _LANE + 2
    width = _LABEL_WIDTH + _PLOT_WIDTH + 16
    parts = [
        f'<svg class="lanes" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        _axis(span, scale, height),
    ]
    for row, job in enumerate(jobs):
        parts.append(_lane(job, f"{prefix}-{row + 1}", row, scale, origin))
    parts.append("</svg>")
    parts.extend(_job_details(job, f"{prefix}-{n}", n) for n, job in enumerate(jobs, start=1))
    return "".join(parts)


def lanes_html(test: Mapping[str, Any], prefix: str = "gradio-job") -> str:
    """One test's lanes as a standalone fragment with its own style, for pytest-html's
    extras. No script: pytest-html inserts extras as HTML, where scripts do not run;
    the hover texts and the job details (<details>) work without one."""
    return f'<div class="gr gradio-timelines"><style>{CSS}</style>{lanes_svg(test, prefix)}</div>'


def _histogram(durations: Sequence[float]) -> str:
    if not durations:
        return '<span class="none">-</span>'
    low, high = min(durations), max(durations)
    width = (high - low) / HISTOGRAM_BINS or 1.0
    counts = [0] * HISTOGRAM_BINS
    for value in durations:
        counts[min(HISTOGRAM_BINS - 1, int((value - low) / width))] += 1
    top = max(counts)
    bars = []
    for i, count in enumerate(counts):
        if not count:
            continue
        h = max(1.0, 22 * count / top)
        bars.append(
            f'<rect x="{i * 7}" y="{_n(24 - h)}" width="6" height="{_n(h)}">'
            f"<title>{count} job(s) {_fmt(low + i * width)}–{_fmt(low + (i + 1) * width)}"
            "</title></rect>"
        )
    return (
        f'<svg class="hist" width="{HISTOGRAM_BINS * 7}" height="24" '
        f'viewBox="0 0 {HISTOGRAM_BINS * 7} 24">{"".join(bars)}</svg>'
    )


def _endpoint_table(rows: Sequence[Mapping[str, Any]]) -> str:
    head = (
        "<tr><th>app</th><th>endpoint</th><th>jobs</th><th>failed</th>"
        "<th title='errors a test asserted (assert_job_error)'>expected errors</th>"
        "<th>cancelled</th>"
        "<th>p50</th><th>p95</th><th>max</th><th>queue p50</th><th>queue p95</th>"
        "<th>queue max</th>"
        "<th title='histogram of the durations, shortest to longest'>durations</th></tr>"
    )
    body = []
    for row in rows:
        cells = [
            row["app"],
            row["endpoint"],
            row["jobs"],
            row["failed"],
            row.get("expected_errors", 0),
            row["cancelled"],
            _fmt(row["p50_s"]),
            _fmt(row["p95_s"]),
            _fmt(row["max_s"]),
            _fmt(row["p50_queue_s"]),
            _fmt(row["p95_queue_s"]),
            _fmt(row["max_queue_wait_s"]),
        ]
        body.append(
            "<tr>"
            + "".join(f"<td>{_e(c)}</td>" for c in cells)
            + f"<td>{_histogram(row['durations'])}</td></tr>"
        )
    return f'<table class="endpoints">{head}{"".join(body)}</table>'


def _coverage_section(document: Mapping[str, Any]) -> str:
    """--gradio-coverage's table (`coverage.Tally.document`): per app its endpoints and
    how the run exercised them, missed ones marked, then the total."""
    columns = ("api", "page", "mcp", "finished", "error", "cancelled")
    head = (
        "<tr><th>fn</th><th>trigger</th><th>api_name</th>"
        + "".join(f"<th>{c}</th>" for c in columns)
        + "<th></th></tr>"
    )
    parts = [
        f'<p class="cov">total: {_e(document["covered"])} of {_e(document["total"])} '
        f"endpoints covered ({_e(round(float(document['percent']), 1))}%)"
        + (
            f"; required {_e(document['fail_under'])}%"
            if document.get("fail_under") is not None
            else ""
        )
        + "</p>"
    ]
    for app in document["apps"]:
        parts.append(
            f"<h3>{_e(app['app'])}: {_e(app['covered'])} of {_e(app['total'])} endpoints "
            f"covered ({_e(round(float(app['percent']), 1))}%)</h3>"
        )
        body = []
        for row in app["endpoints"]:
            notes = [
                word
                for word, on in (("missed", not row["covered"]), ("page only", row["page_only"]))
                if on
            ]
            cells = [row["fn"], row["trigger"], row["api_name"] or "private"]
            cells += [row[c] for c in columns]
            body.append(
                f'<tr class="{"covered" if row["covered"] else "missed"}">'
                + "".join(f"<td>{_e(c)}</td>" for c in cells)
                + f"<td>{_e(', '.join(notes))}</td></tr>"
            )
        for extra in app["unmatched"]:
            body.append(
                f'<tr class="missed"><td></td><td colspan="2">not matched to an endpoint: '
                f"{_e(extra['key'])}</td>"
                + "".join(f"<td>{_e(extra.get(c, 0))}</td>" for c in columns)
                + "<td></td></tr>"
            )
        parts.append(f'<table class="coverage">{head}{"".join(body)}</table>')
    return "".join(parts)


def _test_block(test: Mapping[str, Any], number: int, opened: bool) -> str:
    outcome = str(test["outcome"])
    jobs = test["jobs"]
    meta = f"{len(jobs)} job(s), {_fmt(time_in_jobs(test))} in jobs"
    if test.get("duration") is not None:
        meta += f", test {_fmt(test['duration'])}"
    message = f'<p class="msg">{_e(test["message"])}</p>' if test.get("message") else ""
    return (
        f'<details class="test {_e(outcome)}"{" open" if opened else ""}>'
        f'<summary><span class="badge {_e(outcome)}">{_e(outcome)}</span>'
        f'{_e(test["nodeid"])}<span class="meta">{_e(meta)}</span></summary>'
        f"{message}{lanes_svg(test, f't{number}')}{_screenshots(test)}</details>"
    )


def _screenshots(test: Mapping[str, Any]) -> str:
    parts = []
    for shot in test.get("screenshots") or ():
        caption = f"screenshot {shot['name']}"
        if shot.get("png"):
            parts.append(
                f'<figure class="shot"><img alt="{_e(caption)}" loading="lazy" '
                f'src="data:image/png;base64,{shot["png"]}"><figcaption>{_e(caption)}'
                "</figcaption></figure>"
            )
        else:
            size = "not readable" if shot.get("bytes") is None else f"{shot['bytes']} bytes"
            parts.append(f'<p class="none">{_e(caption)} ({_e(size)}, not inlined)</p>')
    return "".join(parts)


def render(
    tests: Sequence[Mapping[str, Any]],
    *,
    wall: float | None = None,
    workers: int = 0,
    title: str = "pytest-gradio report",
    created: float | None = None,
    coverage: Mapping[str, Any] | None = None,
) -> str:
    """The whole report as one HTML document: the run's figures, a table per endpoint
    with a histogram of durations, endpoint coverage (`coverage`, with
    --gradio-coverage), and every test that ran jobs with its swimlanes.

    >>> Path("report.html").write_text(render(tests, wall=12.5))
    """
    tests = [t for t in tests if t["jobs"] or t.get("screenshots")]
    ordered = ordered_tests(tests)
    jobs = [job for test in tests for job in test["jobs"]]
    rows = endpoint_rows(tests)
    failed_tests = sum(1 for t in tests if t["outcome"] in _FAILING)
    failed_jobs = sum(1 for j in jobs if j["outcome"] == "failed")
    expected = sum(1 for j in jobs if j["outcome"] == "expected_error")
    figures = [
        (len({j["app"] for j in jobs}), "apps"),
        (len(rows), "endpoints"),
        (len(jobs), "jobs"),
        (failed_jobs, "failed jobs"),
        # Apart from the failed ones: a gr.Error a test asked for is no failure.
        (expected, "expected errors"),
        (len(tests), "tests with jobs"),
        (failed_tests, "failing tests"),
        (_fmt(wall), "wall time"),
    ]
    if workers:
        figures.append((workers, "xdist workers"))
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(created or time.time()))
    # Open: every failing test, and the slowest ones up to OPEN_SLOWEST; the rest
    # stay closed (a click away), which also keeps a big report quick to render.
    blocks = "".join(
        _test_block(t, n, t["outcome"] in _FAILING or n <= OPEN_SLOWEST)
        for n, t in enumerate(ordered, start=1)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>body{{margin:16px 24px}}{CSS}</style></head>"
        f'<body class="gr"><h1>{_e(title)}</h1><div class="meta">{_e(stamp)}</div>'
        '<div class="figs">'
        + "".join(f'<div class="fig"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for v, k in figures)
        + "</div><h2>Endpoints</h2>"
        + (_endpoint_table(rows) if rows else '<p class="none">no jobs ran</p>')
        + ("<h2>Coverage</h2>" + _coverage_section(coverage) if coverage is not None else "")
        + "<h2>Tests (failing first, then by time in jobs)</h2>"
        + (blocks or '<p class="none">no test ran a job</p>')
        + f"<script>{JS}</script></body></html>\n"
    )


def write(path: Path, tests: Sequence[Mapping[str, Any]], **kwargs: Any) -> None:
    """Write `render(tests, **kwargs)` to `path`, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(tests, **kwargs), encoding="utf-8")
