"""What an idle app costs, and how soon it takes a job: gradio's queue loop as stock
(a look for work every 1 ms) against the plugin's (every 10 ms while no job waits and
none was sent in the last 50 ms, pytest_gradio/apps/idle.py).

Each round starts N copies of benchmarks/apps.py's app in this process, lets them sit
idle for 2 s, measures the process's CPU over the next 5 s, then times, on each app,
one job sent after 1.5 s of idle and ten jobs sent one after the other. Stock rounds
launch with gradio's own launch() and the plugin's patches out; plugin rounds start
the apps with the plugin (thread mode). The two alternate, so a slow spell of the
machine hits both. Prints figures, asserts nothing.

Usage: python benchmarks/idle_apps.py [N apps, default 4] [rounds, default 2]
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import gradio as gr
from apps import build

from pytest_gradio import GradioClient, patches
from pytest_gradio.apps import start_app
from pytest_gradio.options import AppOptions
from pytest_gradio.specs import parse_spec


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stock_apps(n: int) -> tuple[list[str], Any]:
    patches.restore_all()
    demos = []
    for _ in range(n):
        demo = build()
        demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
        demos.append(demo)
    return [d.local_url for d in demos], lambda: [d.close() for d in demos]


def plugin_apps(n: int) -> tuple[list[str], Any]:
    apps = []
    for _ in range(n):
        spec = parse_spec(build(), source="benchmarks/idle_apps.py", base_dir=Path.cwd())
        apps.append(start_app(spec, AppOptions(mode="thread")))
    return [a.url for a in apps], lambda: [a.close() for a in apps]


def measure(start: Any, n: int) -> tuple[float, list[float], list[float]]:
    urls, close = start(n)
    try:
        time.sleep(2)
        before = cpu()
        time.sleep(5)
        per_app = (cpu() - before) / 5 / n
        waits: list[float] = []
        runs: list[float] = []
        for url in urls:
            client = GradioClient(url)
            client.predict(1, 2, api_name="/add")
            time.sleep(1.5)
            started = time.perf_counter()
            client.predict(1, 2, api_name="/add")
            waits.append(time.perf_counter() - started)
            for _ in range(10):
                started = time.perf_counter()
                client.predict(1, 2, api_name="/add")
                runs.append(time.perf_counter() - started)
            client.close()
        return per_app, waits, runs
    finally:
        close()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(f"gradio {gr.__version__}; {n} idle apps in one process, {rounds} rounds")
    results: dict[str, tuple[list[float], list[float], list[float]]] = {
        "stock": ([], [], []),
        "plugin": ([], [], []),
    }
    for _ in range(rounds):
        for label, start in (("stock", stock_apps), ("plugin", plugin_apps)):
            per_app, waits, runs = measure(start, n)
            results[label][0].append(per_app)
            results[label][1].extend(waits)
            results[label][2].extend(runs)
    for label, (cpus, waits, runs) in results.items():
        print(
            f"{label:>6}: idle CPU per app {statistics.mean(cpus) * 100:.2f} % of a core; "
            f"a job after 1.5 s idle: median {statistics.median(waits) * 1000:.1f} ms, "
            f"max {max(waits) * 1000:.1f} ms; jobs one after another: median "
            f"{statistics.median(runs) * 1000:.1f} ms"
        )
    ratio = statistics.mean(results["plugin"][0]) / statistics.mean(results["stock"][0])
    print(f"plugin / stock idle CPU: {ratio:.2f}")


if __name__ == "__main__":
    main()
