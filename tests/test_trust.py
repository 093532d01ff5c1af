"""Trust, round 2 (issue 19): an app that goes away under a test's client, and a login
that fails, each said plainly; run as a user meets them (pytester, real apps, a real
process stopped under the test)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from pytest_gradio.apps.base import free_port

pytestmark = pytest.mark.timeout(180)

ECHO = """
import sys
import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda x: x, box, box, api_name="echo")

demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]){launch})
"""

Serve = Callable[..., tuple[str, "subprocess.Popen[bytes]"]]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """`serve(launch=", auth=...")`: a Gradio app in a process of its own, on a free
    loopback port, as a URL spec targets it; returns its URL and process."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(launch: str = "") -> tuple[str, subprocess.Popen[bytes]]:
        script = tmp_path / f"serve{len(procs)}.py"
        script.write_text(ECHO.format(launch=launch))
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, str(script), str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
        )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:  # until it answers (200, or 401 behind a login)
            try:
                if httpx.get(url + "config", timeout=1).status_code in (200, 401):
                    return url, proc
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the app exited"
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.1)

    try:
        yield start
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=10)


# --- item 2: a URL app that goes away under the test's client ----------------------------


@pytest.mark.parametrize("transport", ["fast", "stock"])
def test_url_app_gone_under_the_client_is_named(
    pytester: pytest.Pytester, serve: Serve, transport: str
) -> None:
    """Item 19.2: the app behind --gradio-app=URL is stopped after the second test's
    client was made (between the tests, as far as that client knows). Its job fails
    with AppUnreachableError naming the app (its spec and where that came from), its
    URL, the request that failed and that nothing listens there: not a bare
    httpx.ConnectError / httpx.ReadError, on both transports."""
    url, proc = serve()
    port = url.rstrip("/").rsplit(":", 1)[1]
    pytester.makepyfile(
        f"""
        import os, signal, socket, time

        def test_one(gradio_client):
            assert gradio_client.predict("a", api_name="/echo") == "a"

        def test_two(gradio_client):
            os.kill({proc.pid}, signal.SIGTERM)
            for _ in range(200):  # until its socket is closed
                try:
                    socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
                except OSError:
                    break
                time.sleep(0.05)
            gradio_client.predict("b", api_name="/echo")
        """
    )
    result = pytester.runpytest(f"--gradio-app={url}", f"--gradio-transport={transport}")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            f"E   *AppUnreachableError: /echo: the app '{url}' (from --gradio-app) at {url} "
            f"stopped answering: POST */queue/join failed with *Error: *; nothing answers "
            f"at 127.0.0.1:{port} any more *",
        ]
    )
    assert not re.search(r"^E +httpx\.", out, re.MULTILINE), out
    # The message comes right after the test's own line: no gradio_client frames.
    assert "gradio_client/client.py" not in out, out
    assert "concurrent/futures" not in out, out


# --- item 4: a login that fails -----------------------------------------------------------

LOGIN_TESTS = """
import pytest

def test_missing(gradio_client):
    gradio_client.predict("ab", api_name="/echo")

@pytest.mark.gradio_app({spec}client_kwargs={{"auth": ("user", "wrong-secret")}})
def test_wrong(gradio_client):
    gradio_client.predict("ab", api_name="/echo")

@pytest.mark.gradio_app({spec}client_kwargs={{"auth": ("user", "pass")}})
def test_right(gradio_client):
    assert gradio_client.predict("ab", api_name="/echo") == "ab"
"""


def check_login_errors(result: pytest.RunResult, app: str) -> None:
    result.assert_outcomes(passed=1, errors=2)
    out = result.stdout.str()
    # The summary lines (wide enough, see the tests) name the error's class.
    assert out.count("pytest_gradio.errors.AppLoginError") == 2, out
    result.stdout.fnmatch_lines(
        [
            f"gradio app {app} at http://127.0.0.1:*/ asks for a login*"
            "and * gave none*client_kwargs={'auth': (user, password)}*",
            f"gradio app {app} at http://127.0.0.1:*/ asks for a login*"
            "and refused the login of user 'user' given as client_kwargs?'auth'?*"
            "come from @pytest.mark.gradio_app(*client_kwargs*or gradio_app.client(*",
        ],
    )
    assert "NotAGradioAppError" not in out, out
    assert "not as a Gradio app does" not in out, out
    assert "wrong-secret" not in out, out  # the password is never shown


def test_login_errors_thread_mode(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 19.4: an app whose own launch() has auth=, started by the plugin: no
    credentials, and wrong ones, are each a login error saying where credentials
    come from (not "not as a Gradio app does"); the right ones work."""
    # The shape of apps/fidelity_auth.py: launch(auth=...) in the script itself.
    (pytester.path / "app.py").write_text(
        ECHO.format(launch="").replace(
            'server_name="127.0.0.1", server_port=int(sys.argv[1])', 'auth=("user", "pass")'
        )
    )
    pytester.makepyfile(
        "import pytest\npytestmark = pytest.mark.gradio_app('app.py')\n"
        + LOGIN_TESTS.format(spec="'app.py', ")
    )
    monkeypatch.setenv("COLUMNS", "400")
    result = pytester.runpytest("-p", "no:randomly")
    check_login_errors(result, "'app.py' (from marker on test_login_errors_thread_mode.py::*)")


def test_login_errors_url_mode(
    pytester: pytest.Pytester, serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 19.4 for an app given by URL: it answers /config with 401 until logged in.
    With the right credentials it works (it failed at start-up before, whatever the
    credentials: 'requires login'); without or with wrong ones, a login error."""
    url, _ = serve(launch=', auth=("user", "pass")')
    pytester.makepyfile(LOGIN_TESTS.format(spec=""))
    monkeypatch.setenv("COLUMNS", "400")
    result = pytester.runpytest(f"--gradio-app={url}", "-p", "no:randomly")
    check_login_errors(result, f"'{url}' (from --gradio-app)")
