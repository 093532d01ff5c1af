"""Size and render time of --gradio-report for a generated 1,000-job run (issue 13).

    python benchmarks/html_report.py [--jobs 1000] [--runs 5] [--out report.html]
                                     [--chromium /usr/bin/chromium]

The run is generated, not served: each job is a real `Timeline` fed the queue
protocol's messages (estimation, process_starts, progress, log, process_generating,
process_completed) at made-up times, then goes through the code a real run uses:
`htmlreport.record_job` / `record_test`, a JSON round trip (what xdist's workeroutput
does to it), and `htmlreport.render`. The mix, per 8 jobs: 3 stream 30 outputs of
~120 characters (longer than a tick's text limit), 2 report 10 progress steps with an
info and a warning log, 1 fails with a long error, 1 is cancelled while streaming,
1 returns a 2,000-character result. Tests hold 4 jobs each; 1 test in 10 fails.

Render time is measured in headless Chromium through Playwright (`pip install
playwright`; the browser is the system's, `--chromium`): from navigation start until
two animation frames after the load event, i.e. the page laid out and painted, as
the report opens; then how long opening every test's <details> takes (tests off
screen are laid out only when scrolled to: `content-visibility: auto`). Median and max
of `--runs` fresh pages, after one warm-up page. Nothing is fetched from the network: the page
is a local file and the report has no external resource.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_gradio import htmlreport  # noqa: E402
from pytest_gradio.client.protocol import QueueReader  # noqa: E402
from pytest_gradio.timeline import Timeline  # noqa: E402


def _job(kind: str, rng: random.Random, number: int) -> SimpleNamespace:
    timeline = Timeline("/" + kind, (f"prompt number {number}", rng.randint(1, 9)), {})
    reader = QueueReader(timeline)

    def send(at: float, msg: dict[str, Any]) -> None:
        reader.record(msg, timeline.started + at)

    t = rng.uniform(0.001, 0.05)
    for rank in range(rng.randint(0, 3), -1, -1):
        send(t, {"msg": "estimation", "rank": rank, "queue_size": rank + 1, "rank_eta": 0.1})
        t += rng.uniform(0.005, 0.05)
    send(t, {"msg": "process_starts"})
    if kind in ("stream", "cancelled"):
        text = ""
        for i in range(30 if kind == "stream" else 12):
            t += rng.uniform(0.01, 0.05)
            text += f"token{i} " * 2
            send(t, {"msg": "process_generating", "output": {"data": [text[-120:] + "x" * 100]}})
        if kind == "cancelled":
            timeline.record_cancel()
            return SimpleNamespace(timeline=timeline)
    if kind == "progress":
        send(t, {"msg": "log", "log": "Started", "level": "info"})
        for i in range(10):
            t += rng.uniform(0.01, 0.04)
            send(
                t,
                {
                    "msg": "progress",
                    "progress_data": [
                        {"index": i, "length": 10, "unit": "steps", "desc": "working"}
                    ],
                },
            )
        send(t, {"msg": "log", "log": "that was many steps", "level": "warning"})
    t += rng.uniform(0.01, 0.2)
    if kind == "error":
        send(
            t,
            {
                "msg": "process_completed",
                "success": False,
                "output": {"error": "ValueError: " + "the input was wrong " * 40},
            },
        )
    else:
        result = "r" * 2000 if kind == "big" else f"done {number}"
        send(t, {"msg": "process_completed", "success": True, "output": {"data": [result]}})
    return SimpleNamespace(timeline=timeline)


KINDS = ["stream", "stream", "stream", "progress", "progress", "error", "cancelled", "big"]


def generate(jobs: int, seed: int = 13) -> list[dict[str, Any]]:
    """The run's test records, as the controller holds them after the xdist merge."""
    rng = random.Random(seed)
    tests = []
    for n in range(math.ceil(jobs / 4)):
        records = []
        start = 0.0
        for i in range(min(4, jobs - 4 * n)):
            job = _job(KINDS[(4 * n + i) % len(KINDS)], rng, 4 * n + i)
            record = htmlreport.record_job(f"app{n % 3}.py", job, start=start)
            start += rng.uniform(0.0, 0.3)
            records.append(record)
        outcome = "failed" if n % 10 == 0 else "passed"
        tests.append(
            htmlreport.record_test(
                f"tests/test_generated.py::test_case[{n}]",
                outcome,
                start + 0.5,
                records,
                message="AssertionError: generated" if outcome == "failed" else None,
            )
        )
    # What xdist's workeroutput does to the records: they must survive JSON.
    return list(json.loads(json.dumps(tests)))


RENDERED = """() => new Promise(done => {
  const finish = () => requestAnimationFrame(() => requestAnimationFrame(
      () => done(performance.now())));
  if (document.readyState === "complete") finish();
  else window.addEventListener("load", finish);
})"""

EXPAND_ALL = """() => new Promise(done => {
  const t0 = performance.now();
  document.querySelectorAll("details.test").forEach(d => { d.open = true; });
  document.body.offsetHeight;  // force the layout now
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
})"""


def measure_render(path: Path, chromium: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    opened: list[float] = []
    expanded: list[float] = []
    counts: dict[str, int] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic"],
        )
        try:
            for _ in range(runs + 1):  # the first page warms the browser up
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(path.as_uri(), wait_until="commit")
                opened.append(float(page.evaluate(RENDERED)))
                expanded.append(float(page.evaluate(EXPAND_ALL)))
                counts = {
                    "elements": int(page.evaluate("document.getElementsByTagName('*').length")),
                    "lanes": int(page.evaluate("document.querySelectorAll('.lane').length")),
                    "ticks": int(page.evaluate("document.querySelectorAll('.tick').length")),
                }
                page.close()
        finally:
            browser.close()
    opened, expanded = opened[1:], expanded[1:]
    return {
        "open_ms": {"median": statistics.median(opened), "max": max(opened)},
        "expand_all_ms": {"median": statistics.median(expanded), "max": max(expanded)},
        "runs": runs,
        **counts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="keep the report here")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    tests = generate(args.jobs)
    records_s = time.perf_counter() - started
    started = time.perf_counter()
    page = htmlreport.render(tests, wall=600.0, workers=2)
    render_s = time.perf_counter() - started
    size = len(page.encode("utf-8"))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.out).resolve() if args.out else Path(tmp) / "report.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        browser = measure_render(path, args.chromium, args.runs)

    jobs = sum(len(t["jobs"]) for t in tests)
    print(f"html report, generated run: {jobs} jobs in {len(tests)} tests")
    print(
        f"  {os.cpu_count()} cpus, machine load (1-min average) {load_start:.2f} at start, "
        f"{os.getloadavg()[0]:.2f} at end"
    )
    print(
        f"  file size                {size / 1e6:8.2f} MB ({size} bytes)   target <= 2 MB: "
        + ("MET" if size <= 2_000_000 else "NOT MET")
    )
    print(f"  records (python)         {records_s * 1000:8.1f} ms")
    print(f"  render to HTML (python)  {render_s * 1000:8.1f} ms")
    opened = browser["open_ms"]
    print(
        f"  chromium, open           {opened['median']:8.1f} ms median, {opened['max']:.1f} max"
        f" of {browser['runs']}   target <= 1 s (median): "
        + ("MET" if opened["median"] <= 1000 else "NOT MET")
    )
    expanded = browser["expand_all_ms"]
    print(
        f"  chromium, expand all     {expanded['median']:8.1f} ms median, {expanded['max']:.1f} max"
    )
    print(
        f"  DOM: {browser['elements']} elements, {browser['lanes']} lanes, "
        f"{browser['ticks']} output ticks"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
