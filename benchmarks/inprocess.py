"""Rows measured inside this process, against one app on a server thread: round
trip (1), streaming latency (2), per-test setup (3) and timestamp accuracy (6).

Why in-process: the app's generator yields its own `time.perf_counter()`, and only
in the same process is that clock the one the client stamps messages with.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import apps
import httpx
from gradio_client import Client
from report import Row, mean, median, percentile

from pytest_gradio import GradioClient
from pytest_gradio.apps import GradioApp, start_app
from pytest_gradio.options import AppOptions
from pytest_gradio.specs import parse_spec

HERE = Path(__file__).resolve().parent
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Budget:
    """How many repetitions each in-process row gets (full run or --quick)."""

    rounds: int  # round-trip methods alternate this many times, so drift hits all alike
    fast_jobs: int  # per round, for the methods that take ~10 ms a job
    slow_jobs: int  # per round, for the stock ones (~80 ms a job)
    stream_jobs: int  # generator jobs per client in rows 2 and 6
    ticks: int  # outputs per generator job
    clones: int
    stock_clients: int
    launches: int


FULL = Budget(
    rounds=5,
    fast_jobs=40,
    slow_jobs=12,
    stream_jobs=6,
    ticks=12,
    clones=200,
    stock_clients=30,
    launches=8,
)
QUICK = Budget(
    rounds=2,
    fast_jobs=20,
    slow_jobs=5,
    stream_jobs=2,
    ticks=12,
    clones=50,
    stock_clients=8,
    launches=3,
)


def stock_client(url: str) -> Client:
    # analytics_enabled must be passed: gradio_client's default (True) starts a
    # telemetry thread whatever GRADIO_ANALYTICS_ENABLED says, and we stay offline.
    return Client(url, verbose=False, analytics_enabled=False)


@contextmanager
def bench_app() -> Iterator[GradioApp]:
    """The session server every in-process row talks to, started as the plugin does."""
    spec = parse_spec(apps.build(), source="benchmarks", base_dir=HERE)
    app = start_app(spec, AppOptions())
    try:
        yield app
    finally:
        app.close()


class RawQueue:
    """The protocol floor: what one job costs with nothing but one keep-alive
    httpx.Client speaking Gradio's queue protocol (join, then read the stream)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._http = httpx.Client(timeout=httpx.Timeout(30.0, read=None))
        self._session = uuid.uuid4().hex
        config = self._http.get(url + "config").json()
        self._fn = {d.get("api_name"): d["id"] for d in config["dependencies"]}

    def predict(self, *data: Any, api_name: str) -> Any:
        payload = {
            "data": list(data),
            "fn_index": self._fn[api_name.lstrip("/")],
            "session_hash": self._session,
        }
        joined = self._http.post(self._url + "gradio_api/queue/join", json=payload)
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with self._http.stream(
            "GET", self._url + "gradio_api/queue/data", params={"session_hash": self._session}
        ) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") == event_id and msg["msg"] == "process_completed":
                    return msg["output"]["data"][0]
        raise RuntimeError(f"the stream of {self._url} closed before event {event_id} completed")

    def close(self) -> None:
        self._http.close()


def _timed_ms(call: Callable[[], None]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _add_job(predict: Callable[..., Any]) -> Callable[[int], None]:
    def job(i: int) -> None:
        # Checking the answer makes sure every method did the whole job.
        result = predict(i, 2, api_name="/add")
        if result != i + 2:
            raise RuntimeError(f"/add({i}, 2) returned {result!r}")

    return job


def round_trip(url: str, budget: Budget) -> Row:
    """Row 1: per-job round trip on /add, four ways, interleaved round by round."""
    raw = RawQueue(url)
    clients = [stock_client(url), GradioClient(url), GradioClient(url, transport="stock")]
    methods: dict[str, tuple[Callable[[int], None], int]] = {
        "raw queue protocol (floor)": (_add_job(raw.predict), budget.fast_jobs),
        "gradio_client.Client.predict": (_add_job(clients[0].predict), budget.slow_jobs),
        "GradioClient.predict, fast": (_add_job(clients[1].predict), budget.fast_jobs),
        "GradioClient.predict, stock": (_add_job(clients[2].predict), budget.slow_jobs),
    }
    samples: dict[str, list[float]] = {name: [] for name in methods}
    try:
        for job, _ in methods.values():  # warm-up: connections, threads, caches
            for i in range(5):
                job(i)
        for _ in range(budget.rounds):
            for name, (job, count) in methods.items():
                samples[name].extend(_timed_ms(partial(job, i)) for i in range(count))
    finally:
        raw.close()
        for client in clients:
            client.close()
    row = Row("1", "per-job round trip, /add (ms)", ["median", "p90", "max", "x floor"])
    floor = median(samples["raw queue protocol (floor)"])
    for name, values in samples.items():
        mid = median(values)
        figure = row.add(
            name, mid, percentile(values, 90), max(values), mid / floor, samples=len(values)
        )
        if name == "GradioClient.predict, fast":
            row.check(figure, "<= 2x floor", mid / floor <= 2.0)
    return row


# --- streaming (rows 2 and 6) -------------------------------------------------------

# One job's outputs: (the app's perf_counter at the yield, the client's at arrival).
Stamps = list[tuple[float, float]]


def _recorded_stamps(client: GradioClient, ticks: int) -> Stamps:
    job = client.submit(ticks, api_name="/ticks")
    job.result(timeout=30)
    timeline = job.timeline
    # Event.time is relative to the job's submit, whose perf_counter is `started`.
    return [
        (float(e.data[0]), timeline.started + e.time) for e in timeline.events if e.kind == "output"
    ]


def _iterated_stamps(client: Client, ticks: int) -> Stamps:
    # What a test without the plugin can do: stamp each output as iteration yields it.
    return [
        (float(value), time.perf_counter()) for value in client.submit(ticks, api_name="/ticks")
    ]


def stream_stamps(url: str, budget: Budget) -> dict[str, list[Stamps]]:
    """Generator jobs of `budget.ticks` outputs each, recorded three ways."""
    fast, stock = GradioClient(url), GradioClient(url, transport="stock")
    plain = stock_client(url)
    ways: dict[str, Callable[[int], Stamps]] = {
        "GradioClient timeline, fast": lambda n: _recorded_stamps(fast, n),
        "GradioClient timeline, stock": lambda n: _recorded_stamps(stock, n),
        "stock Client, iterating the job": lambda n: _iterated_stamps(plain, n),
    }
    stamps: dict[str, list[Stamps]] = {name: [] for name in ways}
    try:
        for way in ways.values():
            way(3)  # warm-up
        for _ in range(budget.stream_jobs):
            for name, way in ways.items():
                job = way(budget.ticks)
                if len(job) != budget.ticks:
                    raise RuntimeError(f"{name}: {len(job)} outputs, expected {budget.ticks}")
                stamps[name].append(job)
    finally:
        for client in (fast, stock, plain):
            client.close()
    return stamps


def stream_latency(stamps: dict[str, list[Stamps]]) -> Row:
    """Row 2: how long after the app's yield the client has the output."""
    row = Row("2", "streaming: app's yield -> output recorded (ms)", ["mean", "median", "max"])
    for name, jobs in stamps.items():
        late = [(arrived - yielded) * 1000 for job in jobs for yielded, arrived in job]
        row.add(name, mean(late), median(late), max(late), samples=len(late))
    row.notes.append(
        "no target in issue 6; the first output of a job also waits for the stream to open"
    )
    return row


def _delta_errors(job: Stamps) -> list[float]:
    """|recorded delta - true delta| in ms between each pair of consecutive outputs."""
    return [
        abs((b_arr - a_arr) - (b_yield - a_yield)) * 1000
        for (a_yield, a_arr), (b_yield, b_arr) in pairwise(job)
    ]


def timestamp_accuracy(stamps: dict[str, list[Stamps]], tick: float) -> Row:
    """Row 6: error of recorded deltas between outputs vs the app's own yield deltas.

    The first delta of a job also carries the first output's delivery delay (the
    message waits on the server until the job's stream is open), so the mean
    without it is shown beside: that is the timestamping alone.
    """
    row = Row(
        "6",
        f"timeline accuracy, outputs every {tick * 1000:.0f} ms: |recorded - true delta| (ms)",
        ["mean", "p90", "max", "mean w/o 1st"],
    )
    for name, jobs in stamps.items():
        per_job = [_delta_errors(job) for job in jobs]
        errors = [e for job in per_job for e in job]
        later = [e for job in per_job for e in job[1:]]
        figure = row.add(
            name,
            mean(errors),
            percentile(errors, 90),
            max(errors),
            mean(later),
            samples=len(errors),
        )
        if name.startswith("GradioClient"):
            row.check(figure, "mean <= 5 ms", mean(errors) <= 5.0)
    return row


# --- per-test setup (row 3) -------------------------------------------------------


def _launch_per_test() -> None:
    # Gradio's own pattern: a fresh Blocks and server per test, a client, teardown.
    demo = apps.build()
    demo.launch(prevent_thread_lock=True, server_name=LOOPBACK, quiet=True)
    try:
        stock_client(str(demo.local_url)).close()
    finally:
        demo.close(verbose=False)


def setup_cost(app: GradioApp, budget: Budget) -> Row:
    """Row 3: what a test pays before its first request, with the server warm."""
    row = Row("3", "per-test setup with a warm server (ms)", ["median", "p90", "max", "x ours"])
    first = _timed_ms(lambda: app.client().close())  # builds the app's template client
    ways: list[tuple[str, Callable[[], None], int]] = [
        ("gradio_app.client() + close()", lambda: app.client().close(), budget.clones),
        (
            "stock Client(url) + close()",
            lambda: stock_client(app.url).close(),
            budget.stock_clients,
        ),
        ("new Blocks + launch + Client", _launch_per_test, budget.launches),
    ]
    for _, way, _ in ways:
        way()  # warm-up
    samples = {name: [_timed_ms(way) for _ in range(count)] for name, way, count in ways}
    ours = median(samples[ways[0][0]])
    for name, values in samples.items():
        mid = median(values)
        row.add(name, mid, percentile(values, 90), max(values), mid / ours, samples=len(values))
    row.check(row.figures[0], "<= 5 ms", ours <= 5.0)
    row.notes.append(
        f"the first gradio_app.client() of a session also fetches config and API info: "
        f"{first:.0f} ms, once per app"
    )
    return row


def measure(budget: Budget) -> list[Row]:
    """Rows 1, 2, 3 and 6, against one app started here and stopped before returning."""
    with bench_app() as app:
        rows = [round_trip(app.url, budget)]
        stamps = stream_stamps(app.url, budget)
        rows.append(stream_latency(stamps))
        rows.append(setup_cost(app, budget))
        rows.append(timestamp_accuracy(stamps, apps.TICK_SECONDS))
    return rows
