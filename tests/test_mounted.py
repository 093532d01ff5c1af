"""Apps mounted in FastAPI (issue 16): a script that serves itself with uvicorn, or a
spec naming the ASGI app, runs under the plugin's rules in both modes: 127.0.0.1, a
port the plugin picks, readiness checked at Gradio's mount, stopped at teardown, and
nothing in pytest's process tree listening outside loopback meanwhile.

Real FastAPI apps, real uvicorn servers, real subprocesses. Before the fix the script
shape below hung pytest (the script's own server on 0.0.0.0:8000): the test's
pytest-timeout makes that a failure here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from pytest_gradio import AppLoadError, AppStartError

APPS = Path(__file__).parent / "apps"
MODES = ["thread", "subprocess"]
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1")

pytestmark = pytest.mark.timeout(150)


def listening_outside_loopback() -> list[str]:
    """Sockets listening on anything but loopback, in this process and all it started."""
    me = psutil.Process()
    found = []
    for process in [me, *me.children(recursive=True)]:
        try:
            connections = process.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for conn in connections:
            if conn.status == psutil.CONN_LISTEN and conn.laddr.ip not in LOOPBACK_ADDRESSES:
                found.append(f"pid {process.pid} listens on {conn.laddr.ip}:{conn.laddr.port}")
    return found


def origin(url: str) -> str:
    match = re.match(r"https?://[^/]+", url)
    assert match is not None, url
    return match.group(0)


@pytest.mark.parametrize("mode", MODES)
def test_script_serving_itself_with_uvicorn_runs_on_loopback(gradio_launch: Any, mode: str) -> None:
    """`uvicorn.run(outer, host="0.0.0.0", port=8000, root_path="/proxy")` under
    `__main__`, Gradio mounted at /gradio inside an app mounted at /myapp: served on
    127.0.0.1 and a port of the plugin's, its URL the Gradio mount."""
    app = gradio_launch(str(APPS / "mounted_fastapi.py"), mode=mode, startup_timeout=180)

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/myapp/gradio/", app.url), app.url
    assert listening_outside_loopback() == []
    client = app.client()
    assert client.predict("Ada", api_name="/greet") == "Hello, Ada!"
    with open(client.predict("a file", api_name="/write")) as handle:
        assert handle.read() == "a file"
    # The FastAPI app's own route is served by the same server.
    assert httpx.get(origin(app.url) + "/myapp/health").json() == {"status": "ok"}


@pytest.mark.parametrize("serve", ["Server.run", "Server.serve"])
def test_script_serving_with_a_uvicorn_server_object(
    gradio_launch: Any, monkeypatch: pytest.MonkeyPatch, serve: str
) -> None:
    """`uvicorn.Server(config).run()` and `asyncio.run(server.serve())` are taken over
    like uvicorn.run."""
    monkeypatch.setenv("MOUNTED_SERVE", serve)
    app = gradio_launch(str(APPS / "mounted_fastapi.py"), startup_timeout=180)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/myapp/gradio/", app.url), app.url
    assert listening_outside_loopback() == []
    assert app.client().predict("Bo", api_name="/greet") == "Hello, Bo!"


@pytest.mark.parametrize("mode", MODES)
def test_spec_naming_the_asgi_app(gradio_launch: Any, mode: str) -> None:
    """`run.py:app`, where `app` is a FastAPI app with Gradio mounted (gradio's own
    custom_path demo, served by `uvicorn run:app` in production)."""
    app = gradio_launch(str(APPS / "mounted_plain.py:app"), mode=mode, startup_timeout=180)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/gradio/", app.url), app.url
    assert app.client().predict("Cy", api_name="/greet") == "Hello, Cy!"
    assert httpx.get(origin(app.url) + "/").json() == {"message": "This is your main app"}
    assert listening_outside_loopback() == []


@pytest.mark.parametrize("mode", MODES)
def test_import_string_reload_and_workers(gradio_launch: Any, mode: str) -> None:
    """`uvicorn.run("mod:app", reload=True, workers=2)`: one server, no reloader
    process, on loopback; the app is imported by its string, as uvicorn does."""
    app = gradio_launch(str(APPS / "mounted_reload.py"), mode=mode, startup_timeout=180)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/gradio/", app.url), app.url
    assert app.client().predict(api_name="/which") == "reloaded"
    assert listening_outside_loopback() == []
    if mode == "subprocess":
        # No reloader or worker processes under the app's.
        assert psutil.Process(app.pid).children(recursive=True) == []


def test_the_server_stops_at_teardown(gradio_launch: Any) -> None:
    app = gradio_launch(str(APPS / "mounted_fastapi.py"), startup_timeout=180)
    assert httpx.get(app.url + "config").status_code == 200
    app.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(app.url + "config", timeout=2)


@pytest.mark.parametrize("mode", MODES)
def test_several_mounts_need_a_path(gradio_launch: Any, mode: str) -> None:
    with pytest.raises(AppLoadError) as info:
        gradio_launch(str(APPS / "mounted_two.py"), mode=mode, startup_timeout=180)
    message = str(info.value)
    assert "called uvicorn.run(host='0.0.0.0', port=8000) itself" in message
    assert "mounts several Gradio apps (/a, /b)" in message
    assert "path='/a' (marker), --gradio-path or ini gradio_path" in message


@pytest.mark.parametrize("mode", MODES)
def test_path_option_picks_the_mount(gradio_launch: Any, mode: str) -> None:
    app = gradio_launch(str(APPS / "mounted_two.py"), mode=mode, path="b/", startup_timeout=180)
    assert app.url.endswith("/b/")
    assert app.client().predict(api_name="/which") == "b"


@pytest.mark.parametrize("mode", MODES)
def test_no_gradio_mounted_says_what_the_script_did(gradio_launch: Any, mode: str) -> None:
    with pytest.raises(AppLoadError) as info:
        gradio_launch(str(APPS / "mounted_no_gradio.py"), mode=mode, startup_timeout=180)
    message = str(info.value)
    assert "called uvicorn.run(host='0.0.0.0', port=8000) itself, but no Gradio app" in message
    assert "/health" in message  # its routes, to recognise the app
    assert "gr.mount_gradio_app(app, demo, path='/gradio')" in message


def test_loading_without_serving_leaves_uvicorn_alone() -> None:
    """`load_blocks` (the Blocks without a server, as the fake Hub uses it) on a script
    that serves itself: its uvicorn.run does nothing, and nothing listens."""
    from pytest_gradio.apps.loading import load_blocks
    from pytest_gradio.specs import parse_spec

    blocks, _ = load_blocks(
        parse_spec(str(APPS / "mounted_fastapi.py"), source="test", base_dir=APPS)
    )
    assert type(blocks).__name__ == "Blocks"
    assert listening_outside_loopback() == []


def test_path_from_marker_cli_and_ini(pytester: pytest.Pytester) -> None:
    """`path` follows the usual precedence: marker > --gradio-path > ini gradio_path."""
    (pytester.path / "run.py").write_text((APPS / "mounted_two.py").read_text())
    pytester.makeini("[pytest]\ngradio_app = run.py\ngradio_path = /nowhere\n")
    pytester.makepyfile(
        """
        import pytest

        def test_cli(gradio_client):
            assert gradio_client.predict(api_name="/which") == "b"

        @pytest.mark.gradio_app(path="/a")
        def test_marker(gradio_client):
            assert gradio_client.predict(api_name="/which") == "a"
        """
    )
    result = pytester.runpytest("--gradio-path=/b", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_ini_path_is_used(pytester: pytest.Pytester) -> None:
    (pytester.path / "run.py").write_text((APPS / "mounted_two.py").read_text())
    pytester.makeini("[pytest]\ngradio_app = run.py\ngradio_path = /a\n")
    pytester.makepyfile(
        """
        def test_ini(gradio_app, gradio_client):
            assert gradio_app.url.endswith("/a/")
            assert gradio_client.predict(api_name="/which") == "a"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_startup_failure_of_the_served_app_is_reported(gradio_launch: Any, tmp_path: Path) -> None:
    """An app whose lifespan fails: uvicorn stops before it starts, and the error says
    what the script did and shows uvicorn's log."""
    script = tmp_path / "run.py"
    script.write_text(
        "import contextlib\n"
        "import gradio as gr\n"
        "import uvicorn\n"
        "from fastapi import FastAPI\n\n"
        "@contextlib.asynccontextmanager\n"
        "async def lifespan(app):\n"
        "    raise RuntimeError('the database is not there')\n"
        "    yield\n\n"
        "app = gr.mount_gradio_app(FastAPI(lifespan=lifespan), gr.Blocks(), path='/g')\n"
        "uvicorn.run(app, host='0.0.0.0', port=8000)\n"
    )
    with pytest.raises(AppStartError) as info:
        gradio_launch(str(script), startup_timeout=180)
    message = str(info.value)
    assert "called uvicorn.run(host='0.0.0.0', port=8000) itself" in message
    assert "stopped before it started" in message
    assert "the database is not there" in message
