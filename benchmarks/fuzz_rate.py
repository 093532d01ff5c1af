"""What fuzzing costs: generated examples per second that `fuzz_endpoint` runs on a
trivial endpoint (a Textbox echo) over the fast transport, beside the same number of
plain `predict()` calls of fixed text (the floor: what the calls alone cost).

Run: python benchmarks/fuzz_rate.py [N]   (prints the figures; asserts nothing)
"""

from __future__ import annotations

import os
import time
from typing import Any

for _name, _value in {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
}.items():
    os.environ.setdefault(_name, _value)


def _app() -> Any:
    import gradio as gr

    def echo(text: str) -> str:
        return text

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(echo, box, box, api_name="echo")
    return demo


def measure(n: int = 200) -> dict[str, float]:
    """Calls per second: fuzz_endpoint's examples, and plain predict() calls."""
    from pytest_gradio.apps import start_app
    from pytest_gradio.fuzzing import fuzz_endpoint
    from pytest_gradio.options import AppOptions
    from pytest_gradio.specs import parse_spec

    spec = parse_spec(_app(), source="benchmarks", base_dir=os.getcwd())
    app = start_app(spec, AppOptions(transport="fast"))
    client = app.client()
    try:
        client.predict("warm", api_name="/echo")
        started = time.perf_counter()
        result = fuzz_endpoint(client, "/echo", max_examples=n, seed=0, database=None)
        fuzz_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(result.calls):
            client.predict("some text", api_name="/echo")
        plain_seconds = time.perf_counter() - started
    finally:
        client.close()
        app.close()
    return {
        "calls": float(result.calls),
        "fuzz_per_s": result.calls / fuzz_seconds,
        "plain_per_s": result.calls / plain_seconds,
    }


def row(n: int) -> Any:
    """Row 10 of benchmarks/run.py."""
    from report import Row

    result = Row("10", "fuzz examples per second, trivial endpoint, fast transport", ["per s"])
    try:
        figures = measure(n)
    except Exception as exc:  # the figures of the other rows still count
        result.notes.append(f"not measured: {type(exc).__name__}: {exc}")
        return result
    calls = int(figures["calls"])
    result.add(
        "fuzz_endpoint(/echo): generated examples per s", figures["fuzz_per_s"], samples=calls
    )
    result.add("floor: predict() of fixed text per s", figures["plain_per_s"], samples=calls)
    result.notes.append(
        "hypothesis generates (and dedups) inputs on the test's thread, between calls; "
        "the app's own time is the floor's"
    )
    return result


if __name__ == "__main__":
    import sys

    figures = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    print(
        f"{int(figures['calls'])} calls: fuzz_endpoint {figures['fuzz_per_s']:.1f}/s, "
        f"plain predict {figures['plain_per_s']:.1f}/s"
    )
