"""What a tool call through `gradio_mcp` costs, beside the bare MCP client library
doing the same call, in the same run, on the same app (issue 21).

- per call: `GradioMCP.call_tool(...).result()` (a recorded call: timeline, progress
  adapter, the hop to its loop thread) against `await session.call_tool(...)` in an
  open `ClientSession`, each with a progress callback (what `gradio_mcp` asks for by
  default) and without (`progress=False`). Measured in alternating blocks, so that a
  machine's load falls on both.
- per test: opening a session (`GradioMCP(url)`: a loop thread, the transport,
  `initialize`) and closing it, against the bare library's `async with` of the same.

Run: python benchmarks/mcp_calls.py [N]   (prints figures and ratios; asserts nothing)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

for _name, _value in {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
}.items():
    os.environ.setdefault(_name, _value)

BLOCK = 5


def _app() -> Any:
    import gradio as gr

    def echo(text: str) -> str:
        """Echo a text.

        Args:
            text: the text
        """
        return text

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(echo, box, box, api_name="echo")
    return demo


@contextlib.asynccontextmanager
async def _bare_session(url: str) -> AsyncIterator[Any]:
    """A bare-library session, as its documentation writes one."""
    import httpx
    from mcp import ClientSession

    try:
        from mcp.client.streamable_http import streamable_http_client
    except ImportError:  # mcp 1.10
        from mcp.client.streamable_http import streamablehttp_client

        transport = streamablehttp_client(url)
    else:
        transport = _with_http(streamable_http_client, url, httpx.AsyncClient())
    async with transport as streams, ClientSession(streams[0], streams[1]) as session:
        await session.initialize()
        yield session


@contextlib.asynccontextmanager
async def _with_http(client_cm: Any, url: str, http: Any) -> AsyncIterator[Any]:
    async with http, client_cm(url, http_client=http) as streams:
        yield streams


def measure(n: int = 20) -> dict[str, list[float]]:
    """Seconds per call and per session set-up, each kind in a list."""
    from pytest_gradio.mcp_client.session import GradioMCP, mcp_url

    demo = _app()
    from pytest_gradio.apps.base import free_port

    demo.queue().launch(
        prevent_thread_lock=True,
        quiet=True,
        mcp_server=True,
        server_name="127.0.0.1",
        server_port=free_port(),
    )
    app_url = demo.local_url
    url = mcp_url(app_url, "streamable-http")
    keys = ("progress", "plain", "setup")
    times: dict[str, list[float]] = {f"{who}_{k}": [] for who in ("ours", "bare") for k in keys}

    async def progressed(*_: Any) -> None:
        return None

    # One task holds the bare session (the library's task groups must be left by the
    # task that entered them); gradio_mcp's calls run in between, blocking this loop
    # while they run on their own.
    async def run() -> None:
        async with _bare_session(url) as session:
            with GradioMCP(app_url) as ours:
                ours.call_tool("echo", {"text": "warm"}).result()  # first call lists tools
                await session.call_tool("echo", {"text": "warm"})
                for progress, key in ((True, "progress"), (False, "plain")):
                    callback = progressed if progress else None
                    for _ in range(max(1, n // BLOCK)):
                        for _ in range(BLOCK):
                            started = time.perf_counter()
                            ours.call_tool("echo", {"text": "hi"}, progress=progress).result()
                            times[f"ours_{key}"].append(time.perf_counter() - started)
                        for _ in range(BLOCK):
                            started = time.perf_counter()
                            await session.call_tool(
                                "echo", {"text": "hi"}, progress_callback=callback
                            )
                            times[f"bare_{key}"].append(time.perf_counter() - started)
        for _ in range(max(1, n // 2)):
            started = time.perf_counter()
            GradioMCP(app_url).close()
            times["ours_setup"].append(time.perf_counter() - started)
            started = time.perf_counter()
            async with _bare_session(url):
                pass
            times["bare_setup"].append(time.perf_counter() - started)

    try:
        asyncio.run(run())
    finally:
        demo.close()
    return times


def row(n: int) -> Any:
    """Row 9 of benchmarks/run.py: a trivial tool call through gradio_mcp, and the
    bare MCP library doing the same call in the same run."""
    from report import Row

    result = Row("9", "gradio_mcp tool call (ms)", ["median", "p90"])
    try:
        times = measure(n)
    except Exception as exc:  # the figures of the other rows still count
        result.notes.append(f"not measured: {type(exc).__name__}: {exc}")
        return result

    def add(label: str, key: str) -> Any:
        values = times[key]
        ordered = sorted(values)
        p90 = ordered[max(0, int(0.9 * len(ordered)) - 1)]
        return result.add(label, statistics.median(values) * 1000, p90 * 1000, samples=len(values))

    mine = add("gradio_mcp call_tool().result(), with progress", "ours_progress")
    add("floor: bare mcp ClientSession.call_tool, with progress", "bare_progress")
    plain = add("gradio_mcp call_tool(progress=False).result()", "ours_plain")
    add("floor: bare mcp ClientSession.call_tool, no progress", "bare_plain")
    for figure, key in ((mine, "progress"), (plain, "plain")):
        ratio = statistics.median(times[f"ours_{key}"]) / statistics.median(times[f"bare_{key}"])
        result.check(figure, f"<= 1.2x the floor (now {ratio:.2f}x)", ratio <= 1.2)
    add("per test: open + close a GradioMCP session", "ours_setup")
    add("floor: bare mcp session open (initialize) + close", "bare_setup")
    result.notes.append(
        "with progress, Gradio's MCP server adds ~500 ms per call on its side "
        "(gradio_client's Job.__aiter__ waits 0.5 s after the last update): both pay it"
    )
    return result


def main(n: int = 20) -> None:
    times = measure(n)
    for key, values in times.items():
        print(f"{key:15} median {statistics.median(values) * 1000:8.2f} ms  (n={len(values)})")
    for key in ("progress", "plain", "setup"):
        ratio = statistics.median(times[f"ours_{key}"]) / statistics.median(times[f"bare_{key}"])
        print(f"ratio ours/bare, {key}: {ratio:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
