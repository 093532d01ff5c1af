"""Measure pytest-gradio against the protocol floor and the stock patterns, side by
side in one run (issue 6). Loopback only; everything started here is stopped here.

    python benchmarks/run.py            # full run, a few minutes
    python benchmarks/run.py --quick    # fewer repetitions, for CI smoke runs
    python benchmarks/run.py --json out.json

Prints a table of figures, ratios and targets, and writes the same as JSON
(default: benchmarks/results.json). Exits 0 even when a target is missed: the
figures are the product; a failed measurement (a suite that did not pass) exits 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from report import Row, format_table, summary, write_json

HERE = Path(__file__).resolve().parent
DEFAULT_JSON = HERE / "results.json"

# Set before gradio is first imported: it reads these at import time, and the
# benchmark must never reach the internet nor write outside its own temp dirs.
OFFLINE_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke run)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"where to write results ({DEFAULT_JSON})"
    )
    return parser.parse_args(argv)


def git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def source_version() -> str | None:
    """The commit measured, marked dirty if the library has uncommitted changes."""
    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return None
    dirty = git("status", "--porcelain", "--", "pytest_gradio")
    return commit + ("-dirty" if dirty else "")


def meta(quick: bool, seconds: float, load_before: float, commit: str | None) -> dict[str, Any]:
    """What the figures depend on, so that two results files can be compared."""
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": quick,
        "total_seconds": round(seconds, 1),
        "commit": commit,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        # The machine may be shared: its load says how far the timings can be trusted.
        "load_1min": {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)},
        "versions": {
            name: version(name)
            for name in ("gradio", "gradio_client", "httpx", "pytest", "pytest-xdist")
        },
    }


def measure(quick: bool) -> list[Row]:
    # Imported here, after OFFLINE_ENV is set: inprocess imports gradio.
    import browser
    import fuzz_rate
    import inprocess
    import mcp_calls
    import suites

    print("measuring in-process rows (1, 2, 3, 6) ...", file=sys.stderr, flush=True)
    rows = inprocess.measure(inprocess.QUICK if quick else inprocess.FULL)
    print("measuring pytest runs (4, 5, 7) ...", file=sys.stderr, flush=True)
    rows += suites.measure(suites.QUICK if quick else suites.FULL)
    print("measuring gradio_page (8) ...", file=sys.stderr, flush=True)
    rows.append(browser.row(3 if quick else 10))
    print("measuring gradio_mcp (9) ...", file=sys.stderr, flush=True)
    rows.append(mcp_calls.row(10 if quick else 40))
    print("measuring fuzz_endpoint (10) ...", file=sys.stderr, flush=True)
    rows.append(fuzz_rate.row(50 if quick else 200))
    return sorted(rows, key=lambda row: (len(row.key), row.key))  # 10 after 9


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    commit = source_version()  # before measuring: the tree may change during the run
    with tempfile.TemporaryDirectory(prefix="pytest-gradio-bench-") as temp:
        os.environ.update(OFFLINE_ENV, GRADIO_TEMP_DIR=temp)
        try:
            rows = measure(args.quick)
        except Exception as exc:
            print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    seconds = time.perf_counter() - started
    info = meta(args.quick, seconds, load_before, commit)
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    print(f"pytest-gradio benchmarks ({'quick' if args.quick else 'full'} run), {info['date']}")
    load = info["load_1min"]
    print(f"commit {commit}, python {info['python']}, {info['cpus']} cpus, {versions}")
    print(f"machine load (1-min average): {load['start']} at start, {load['end']} at end\n")
    if args.quick:
        print("quick run: fewer repetitions, so noisier; judge the targets on a full run\n")
    print(format_table(rows))
    print(summary(rows))
    print(f"total {seconds:.0f} s; JSON written to {args.json}")
    write_json(args.json, rows, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
