"""How long `close()` takes: GradioClient against the stock gradio_client Client.

Before gradio_client 2.7.2 the stock heartbeat thread always starts, and the stock
`close()` waits up to 1 s for it; GradioClient stops that thread from holding a stream
(pytest_gradio.client.compat.quiet_stock_heartbeat). Prints figures, asserts nothing.

Usage: python benchmarks/close_time.py   (in the environment to measure)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import gradio as gr
import gradio_client

from pytest_gradio import GradioClient


def measure(make: Callable[[], Any], runs: int = 3) -> tuple[float, bool]:
    worst, alive = 0.0, False
    for _ in range(runs):
        client = make()
        client.predict(1, api_name="/echo")
        started = time.perf_counter()
        client.close()
        worst = max(worst, time.perf_counter() - started)
        heartbeat = getattr(client, "heartbeat", None)
        alive = alive or (heartbeat is not None and heartbeat.is_alive())
    return worst, alive


def main() -> None:
    with gr.Blocks() as demo:
        gr.Button().click(lambda a: a, gr.Number(), gr.Number(), api_name="echo")
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    try:
        url = demo.local_url
        print(f"gradio {gr.__version__}, gradio_client {gradio_client.__version__}")
        for label, make in (
            ("GradioClient", lambda: GradioClient(url, token=False)),
            ("stock Client", lambda: gradio_client.Client(url, verbose=False)),
        ):
            worst, alive = measure(make)
            print(
                f"{label}.close(): at most {worst:.3f} s over 3 clients; "
                f"stock heartbeat thread alive afterwards: {alive}"
            )
    finally:
        demo.close()


if __name__ == "__main__":
    main()
