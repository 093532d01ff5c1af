"""The apps the benchmarks talk to: small on purpose, so that what is timed is the
client and the protocol, not the app.

`build()` returns a fresh Blocks each call (launch-per-test needs a new one per
test); the generated suites use it as the spec `apps.py:build`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import gradio as gr

TICK_SECONDS = 0.07  # not a multiple of the stock client's 50 ms poll, which would hide it


def add(a: float, b: float) -> float:
    return a + b


def ticks(n: float) -> Iterator[str]:
    """Yield `n` values, one every TICK_SECONDS, each the perf_counter at its yield.

    Why a string: the value must survive JSON and a Textbox unchanged. The app runs
    in the benchmark's own process (thread mode), so the caller can compare it
    with its own perf_counter to learn how late each output was recorded.
    """
    for i in range(int(n)):
        if i:
            time.sleep(TICK_SECONDS)
        yield repr(time.perf_counter())


def sleep(seconds: float) -> float:
    """An I/O-bound job: the server thread waits, the CPU does not."""
    time.sleep(float(seconds))
    return float(seconds)


def build() -> gr.Blocks:
    """A new Blocks with the three endpoints `/add`, `/ticks` and `/sleep`."""
    demo = gr.Blocks(analytics_enabled=False)
    with demo:
        a, b, total = gr.Number(), gr.Number(), gr.Number()
        gr.Button("add").click(add, [a, b], total, api_name="add")
        n, tick = gr.Number(), gr.Textbox()
        gr.Button("ticks").click(ticks, n, tick, api_name="ticks")
        seconds, slept = gr.Number(), gr.Number()
        gr.Button("sleep").click(sleep, seconds, slept, api_name="sleep")
    return demo
