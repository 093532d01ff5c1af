"""Faults the user must see clearly (issue 14, items 8, 9 and 10): a URL app that goes
away or answers garbage, a subprocess app that prints then crashes, a 1 MB mismatch."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pytest_gradio import NotAGradioAppError
from pytest_gradio.apps import start_app
from pytest_gradio.apps.base import free_port
from pytest_gradio.options import AppOptions
from pytest_gradio.specs import parse_spec

from .fake_hub import _Uvicorn

pytestmark = pytest.mark.timeout(180)

SERVE = """
import sys
import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda x: x, box, box, api_name="echo")

demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]))
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Gradio app that runs on its own, as a URL spec targets it."""
    script = tmp_path / "serve.py"
    script.write_text(SERVE)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "config", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the app exited"
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_url_app_that_goes_away_is_named(
    pytester: pytest.Pytester, served: tuple[str, subprocess.Popen[bytes]]
) -> None:
    """Item 8: the app behind --gradio-app=URL dies between tests; the next test fails
    at setup saying which app at which URL stopped answering (not a bare ConnectError)."""
    url, proc = served
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    pytester.makepyfile(
        f"""
        import os, signal, socket, time

        def test_one(gradio_client):
            assert gradio_client.predict("a", api_name="/echo") == "a"
            os.kill({proc.pid}, signal.SIGKILL)
            for _ in range(100):  # until the kernel closed its socket
                try:
                    socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
                except OSError:
                    break
                time.sleep(0.05)

        def test_two(gradio_client):
            gradio_client.predict("a", api_name="/echo")
        """
    )
    result = pytester.runpytest(
        f"--gradio-app={url}", "--gradio-startup-timeout=2", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [f"gradio app '{url}' (from --gradio-app) did not answer at {url}config within 2 s*"]
    )
    assert "httpx.ConnectError" not in result.stdout.str()


def test_url_app_whose_info_is_not_json(tmp_path: Path) -> None:
    """Item 8: /info answers malformed JSON; the error names the app and its URL."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()

    @app.get("/gradio_api/info")
    def broken_info() -> Response:
        return Response('{"named_endpoints": {', media_type="application/json")

    with gr.Blocks() as demo:
        gr.Textbox()
    server = _Uvicorn(gr.mount_gradio_app(app, demo, path=""))
    try:
        url = server.url + "/"
        started = start_app(parse_spec(url, source="--gradio-app", base_dir=tmp_path), AppOptions())
        try:
            with pytest.raises(NotAGradioAppError) as info:
                started.client()
        finally:
            started.close()
    finally:
        server.stop()
    message = str(info.value)
    assert f"{url!r} (from --gradio-app) at {url}" in message
    assert "JSONDecodeError" in message


def test_subprocess_app_output_before_a_crash_is_in_the_error(pytester: pytest.Pytester) -> None:
    """Item 9: what a subprocess app printed before it crashed at import is part of the
    error (the README promises the end of its output), and its traceback once."""
    (pytester.path / "app.py").write_text(
        textwrap.dedent(
            """
            import gradio as gr
            print("loading weights from /models/big.bin", flush=True)
            raise RuntimeError("weights file is truncated")
            """
        )
    )
    pytester.makepyfile(
        """
        import pytest

        # A fresh interpreter imports gradio: over 60 s beside two CPU hogs.
        @pytest.mark.gradio_app("app.py", mode="subprocess", startup_timeout=180)
        def test_x(gradio_client):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    assert "loading weights from /models/big.bin" in output
    # Once in the report; pytest's one-line summary may quote it again (in full when CI
    # is set), which is not the report.
    report = output.split("short test summary info")[0]
    assert report.count("RuntimeError: weights file is truncated") == 1


def test_a_1mb_mismatch_makes_a_short_report(pytester: pytest.Pytester) -> None:
    """Item 10: a 1 MB text that differs in its last character: the report (terminal and
    JUnit) stays small and shows the first difference."""
    pytester.makepyfile(
        app="""
        import gradio as gr

        with gr.Blocks() as demo:
            box = gr.Textbox()
            gr.Button().click(lambda: "a" * 1_000_000, None, box, api_name="big")
        """,
        test_big="""
        import pytest
        from pytest_gradio import assert_job_outputs, assert_job_result

        pytestmark = pytest.mark.gradio_app("app.py")

        def test_result(gradio_client):
            assert_job_result(gradio_client.submit(api_name="/big"), "a" * 999_999 + "b")

        def test_outputs(gradio_client):
            assert_job_outputs(gradio_client.submit(api_name="/big"), ["b" * 1_000_000])
        """,
    )
    result = pytester.runpytest("--junitxml=junit.xml", "-W", "ignore")
    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    assert len(output) < 40_000, len(output)
    assert (pytester.path / "junit.xml").stat().st_size < 40_000
    result.stdout.fnmatch_lines(
        [
            "*expected: *characters not shown] ...*aab'",
            "*actual:   *characters not shown] ...*aaa'",
            "*first difference at character 1000000 of the reprs*",
        ]
    )
