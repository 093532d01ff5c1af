"""Bad input: each gets one clear error naming the input, its source and the fix,
and none of them hangs."""

from __future__ import annotations

import http.server
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_gradio import (
    AppLoadError,
    AppSpecError,
    AppStartError,
    EndpointNotFoundError,
    NotAGradioAppError,
)
from pytest_gradio.apps import start_app
from pytest_gradio.apps.base import free_port
from pytest_gradio.options import AppOptions
from pytest_gradio.specs import parse_spec

pytestmark = pytest.mark.timeout(60)


def _start(tmp_path: Path, source_code: str, spec: str = "app.py", **options: object) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent(source_code))
    parsed = parse_spec(spec, source="marker on test_x.py::test", base_dir=tmp_path)
    app = start_app(parsed, AppOptions(**options))  # type: ignore[arg-type]
    app.close()
    raise AssertionError("the app started, but it should not have")


def test_missing_attribute_lists_the_blocks_found(tmp_path: Path) -> None:
    """app.py:nope says the attribute is missing and which Blocks exist."""
    with pytest.raises(AppLoadError) as info:
        _start(tmp_path, "import gradio as gr\nui = gr.Blocks()\n", "app.py:nope")
    message = str(info.value)
    assert "has no attribute 'nope'" in message
    assert "marker on test_x.py::test" in message
    assert "['ui']" in message


def test_attribute_that_is_not_a_blocks(tmp_path: Path) -> None:
    """app.py:answer where answer = 42 says what it is instead."""
    with pytest.raises(AppLoadError, match=r"'answer' .* is a int, not a gr\.Blocks"):
        _start(tmp_path, "answer = 42\n", "app.py:answer")


def test_factory_returning_something_else(tmp_path: Path) -> None:
    """A factory that returns no Blocks is reported as such."""
    with pytest.raises(AppLoadError, match="is a NoneType, not a gr.Blocks"):
        _start(tmp_path, "def make():\n    return None\n", "app.py:make")


def test_import_error_shows_the_apps_exception(tmp_path: Path) -> None:
    """A script that raises on import shows its own traceback line and exception."""
    with pytest.raises(AppLoadError) as info:
        _start(tmp_path, "import gradio as gr\nconfig = {}\nkey = config['model']\n")
    message = str(info.value)
    assert "raised while being imported" in message
    assert "KeyError: 'model'" in message
    assert "key = config['model']" in message


def test_script_without_blocks(tmp_path: Path) -> None:
    """A script with no Blocks at module level says how to fix it."""
    with pytest.raises(AppLoadError, match="defines no gr.Blocks at module level"):
        _start(tmp_path, "x = 1\n")


def test_several_blocks_ask_which(tmp_path: Path) -> None:
    """Two Blocks and no attribute: the error names both and the spec to write."""
    source = "import gradio as gr\nfirst = gr.Blocks()\nsecond = gr.Blocks()\n"
    with pytest.raises(AppLoadError, match=r"several Blocks \(first, second\).*app.py:first"):
        _start(tmp_path, source)


def test_script_that_exits(tmp_path: Path) -> None:
    """sys.exit() during import is an error, not the end of the test run."""
    with pytest.raises(AppLoadError, match=r"called exit\(3\)"):
        _start(tmp_path, "import sys\nsys.exit(3)\n")


def test_unknown_module(tmp_path: Path) -> None:
    """An unknown module says it cannot be imported and what to do."""
    spec = parse_spec("no_such_pkg.app:demo", source="--gradio-app", base_dir=tmp_path)
    with pytest.raises(AppSpecError) as info:
        start_app(spec, AppOptions())
    message = str(info.value)
    assert "no module named 'no_such_pkg'" in message
    assert "--gradio-app" in message


def test_url_that_does_not_answer(tmp_path: Path) -> None:
    """A URL nobody listens on fails within startup_timeout, naming the URL."""
    url = f"http://127.0.0.1:{free_port()}/"
    spec = parse_spec(url, source="--gradio-app", base_dir=tmp_path)
    started = time.monotonic()
    with pytest.raises(AppStartError) as info:
        start_app(spec, AppOptions(startup_timeout=1))
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert f"did not answer at {url}config within 1 s" in message
    assert "ConnectError" in message
    assert "startup_timeout" in message


@pytest.fixture
def plain_http_server() -> Iterator[str]:
    """A web server on loopback that is not a Gradio app."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_url_that_is_not_a_gradio_app(plain_http_server: str, tmp_path: Path) -> None:
    """A URL that answers, but not as Gradio, is reported as such at once."""
    spec = parse_spec(plain_http_server, source="--gradio-app", base_dir=tmp_path)
    with pytest.raises(NotAGradioAppError, match=r"answered HTTP 404 for /config.*not look like"):
        start_app(spec, AppOptions(startup_timeout=5))


@pytest.mark.gradio_app("apps/basic.py")
def test_unknown_api_name_lists_the_endpoints(gradio_client: object) -> None:
    """Submitting to an api_name the app lacks lists the ones it has."""
    with pytest.raises(EndpointNotFoundError) as info:
        gradio_client.submit(1, api_name="/ad")  # type: ignore[attr-defined]
    message = str(info.value)
    assert "no endpoint '/ad'" in message
    assert "/add" in message
    assert "/count" in message


def test_errors_reach_the_user_as_one_paragraph(pytester: pytest.Pytester) -> None:
    """Through pytest, a load error is the test's error with the app's own exception."""
    pytester.makepyfile(
        app="import gradio as gr\nraise RuntimeError('model weights missing')\n",
        test_app="""
        import pytest

        @pytest.mark.gradio_app("app.py")
        def test_x(gradio_client):
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            # The message itself, first: no plugin frames before it.
            "gradio app script 'app.py' (from marker on test_app.py::test_x)"
            " raised while being imported:",
            "*RuntimeError: model weights missing*",
        ]
    )
