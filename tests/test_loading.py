"""Loading an app's code: what it launches is what is served, code after launch() runs
as under `python app.py`, nothing hangs, and two apps never share a sibling module.

Issue 14, items 6, 7, 11, 12, 13 and 14. Real apps on loopback throughout; the runs
that hung before the fix run in a pytest subprocess with a timeout, so that a
regression fails here instead of hanging this suite.
"""

from __future__ import annotations

import os
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_gradio import AppLoadError, AppStartError

APPS = Path(__file__).parent / "apps"

pytestmark = pytest.mark.timeout(180)


def _app_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pytest-gradio-app")]


# --- item 6: a script that blocks after launch() -----------------------------------------


@pytest.mark.parametrize("mode", ["thread", "subprocess"])
def test_script_that_loops_after_launch_is_served(gradio_launch: Any, mode: str) -> None:
    """`demo.launch(prevent_thread_lock=True)` then `while True: sleep`: the app is
    served (the loop runs on the app's own thread in thread mode)."""
    app = gradio_launch(str(APPS / "loading_loops_after_launch.py"), mode=mode, startup_timeout=180)
    assert app.client().predict(api_name="/ping") == "alive"


def test_looping_script_ends_with_its_app(pytester: pytest.Pytester) -> None:
    """The looping script's thread ends at teardown, and the session ends: before the
    fix thread mode never returned from loading it, startup_timeout or not."""
    (pytester.path / "app.py").write_text((APPS / "loading_loops_after_launch.py").read_text())
    pytester.makepyfile(
        """
        import threading

        def test_ping(gradio_launch):
            app = gradio_launch("app.py", startup_timeout=5)
            assert app.client().predict(api_name="/ping") == "alive"

        def test_thread_gone():
            names = [t.name for t in threading.enumerate()]
            assert not [n for n in names if n.startswith("pytest-gradio-app")], names
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=120)
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("script", "blocked_at"),
    [
        ("loading_serves_itself.py", "serve_forever()"),
        (None, "threading.Event().wait()"),
    ],
)
def test_script_that_never_serves_fails_within_startup_timeout(
    pytester: pytest.Pytester, script: str | None, blocked_at: str
) -> None:
    """A script that blocks before serving (its own server, or a wait) fails within
    startup_timeout, saying where it is stuck and what the plugin can take over."""
    source = (
        (APPS / script).read_text()
        if script
        else "import threading\nimport gradio as gr\n\nthreading.Event().wait()\n"
    )
    (pytester.path / "app.py").write_text(source)
    pytester.makepyfile(
        """
        import time

        import gradio  # imported before the clock starts, as the plugin does
        import pytest
        from pytest_gradio import AppStartError

        def test_stuck(gradio_launch):
            started = time.monotonic()
            with pytest.raises(AppStartError) as info:
                gradio_launch("app.py", startup_timeout=3)
            print("ELAPSED", time.monotonic() - started)
            print(info.value)
        """
    )
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly", timeout=120)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*neither served a Gradio app nor finished loading within 3 s (startup_timeout)*",
            f"*{blocked_at}*",
            "*The plugin takes over demo.launch(), uvicorn.run() and*",
        ]
    )
    line = next(line for line in result.outlines if "ELAPSED" in line)
    elapsed = float(line.split("ELAPSED")[1].split()[0])
    # A bound, not a timing figure: before the fix this never returned at all.
    assert elapsed < 20, f"gave up after {elapsed:.1f} s, startup_timeout is 3 s"


def test_subprocess_app_that_never_serves_shows_where_it_is_stuck(gradio_launch: Any) -> None:
    """A script stuck in its own process: the start-up timeout error ends with where
    the app's main thread was when the plugin gave up, its whole stack (here 40 calls
    deep, more than the 30 lines of output the error shows otherwise)."""
    with pytest.raises(AppStartError) as info:
        # 10 s: the child imports gradio (2-5 s here) before it runs the script; a
        # child still importing is the other branch below.
        gradio_launch(str(APPS / "loading_stuck_deep.py"), mode="subprocess", startup_timeout=10)
    message = str(info.value)
    assert "did not start within 10 s (startup_timeout)" in message
    assert "ending with where its main thread was when the plugin gave up" in message
    # The stack whole, from its innermost frame to its outermost (the child runs -m).
    stack = message[message.index("Stack (most recent call first):") :]
    if 'loading_stuck_deep.py", line' in stack:
        assert "threading.py" in stack.split("in down")[0]  # the innermost: the wait
        assert stack.count('loading_stuck_deep.py", line 15 in down') == 1
        assert stack.count('loading_stuck_deep.py", line 16 in down') == 40
        assert 'loading_stuck_deep.py", line 20 in <module>' in stack
        assert "in _run_module_as_main" in stack
    else:
        # On a busy machine the child is still importing gradio (with two CPU hogs
        # beside the suite, after 30 s): its stack is the bootstrap's, where it was,
        # whole, or, deeper than the 100 frames faulthandler prints (an import deep
        # in pydantic, -n 3 beside two hogs), those innermost frames and its "...".
        assert "<frozen importlib._bootstrap>" in stack
        if "in _run_module_as_main" in stack:
            assert 'pytest_gradio/apps/bootstrap.py", line' in stack
        else:
            assert stack.count('\n      File "') == 100
            assert "\n      ...\n" in stack


@pytest.mark.parametrize("mode", ["thread", "subprocess"])
def test_binding_all_interfaces_is_refused(gradio_launch: Any, mode: str) -> None:
    """An app's own server on 0.0.0.0 fails at once, naming the address."""
    with pytest.raises(AppStartError, match=r"tried to listen on 0\.0\.0\.0:8000") as info:
        gradio_launch(str(APPS / "loading_binds_all_interfaces.py"), mode=mode, startup_timeout=180)
    assert f"{LOOPBACK_TEXT} only" in str(info.value)


LOOPBACK_TEXT = "The plugin serves apps on 127.0.0.1"


# --- item 7: launch errors are not port races --------------------------------------------


def test_a_launch_check_answered_late_is_waited_for() -> None:
    """gradio's launch() checks that its server answers (`networking.url_ok`: one HEAD
    of 3 s, a timeout ends it) and raises "When localhost is not accessible, a
    shareable link must be created" when the answer is late; with two CPU hogs beside
    the suite (load 20) a subprocess app failed so. During the plugin's launches the
    check asks again. Here a server whose first two answers come after 3.5 s."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from gradio import networking

    from pytest_gradio.apps.base import launch_spans

    heads: list[float] = []

    class LateTwice(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            heads.append(time.monotonic())
            if len(heads) <= 2:
                time.sleep(3.5)  # the server's behaviour under test: a late answer
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), LateTwice)
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}/"
    stock = networking.url_ok
    try:
        assert stock(url) is False  # the late first answer ends gradio's own check
        with launch_spans():
            assert networking.url_ok is not stock
            assert networking.url_ok(url) is True  # the second HEAD is late, the third not
        assert networking.url_ok is stock
        assert len(heads) == 3
    finally:
        server.shutdown()
        serving.join()
        server.server_close()  # joins the handler threads


def test_a_server_thread_that_dies_ends_the_wait_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gradio's wait for its server thread (`Server.run_in_thread`) waits out its 5 s
    even when the thread died at once (a missing ssl_keyfile): during the plugin's
    launches it ends when the thread does, with gradio's own error, and the thread's
    exception reaches threading.excepthook first (the launch's error quotes it).
    Here the limit is 120 s: a wait that does not end early is plain."""
    from gradio.exceptions import ServerFailedToStartError
    from gradio.http_server import Server

    from pytest_gradio.apps import base

    class Dies:
        reloader = None
        started = False

        def run(self) -> None:
            raise FileNotFoundError("no such key file")

    class Starts(Dies):
        def run(self) -> None:
            self.started = True
            ended.wait(30)

    monkeypatch.setattr(base, "SERVER_START_SECONDS", 120.0)
    stock = Server.__dict__["run_in_thread"]
    ended = threading.Event()
    recorded: list[list[BaseException]] = []

    def dies() -> None:
        with base.thread_failures() as failures, base.launch_spans():
            assert Server.__dict__["run_in_thread"] is not stock
            recorded.append(failures)
            Server.run_in_thread(Dies())

    started = time.monotonic()
    # Raised through thread_failures, which then keeps the thread's exception.
    with pytest.raises(ServerFailedToStartError):
        dies()
    assert time.monotonic() - started < 60  # not the 120 s limit
    assert [str(exc) for exc in recorded[0]] == ["no such key file"]
    with base.launch_spans():
        server = Starts()
        Server.run_in_thread(server)  # returns once started, as gradio's does
        assert server.thread.is_alive()
        ended.set()
        server.thread.join()
    assert Server.__dict__["run_in_thread"] is stock


def _blocks() -> Any:
    import gradio as gr

    with gr.Blocks() as demo:
        gr.Textbox()
    return demo


@pytest.mark.parametrize(
    "launch_kwargs",
    [
        {"css_paths": ["/nonexistent/style.css"]},
        {"ssl_keyfile": "/nonexistent/key.pem", "ssl_certfile": "/nonexistent/cert.pem"},
    ],
    ids=["css_paths", "ssl"],
)
def test_launch_error_is_shown_at_once(gradio_launch: Any, launch_kwargs: dict[str, Any]) -> None:
    """A launch that fails for its own reason is reported with that reason after one
    try; only a port taken meanwhile is retried."""
    with pytest.raises(AppStartError) as info:
        gradio_launch(_blocks(), launch_kwargs=launch_kwargs)
    message = str(info.value)
    assert "failed in launch(): FileNotFoundError" in message
    assert "/nonexistent/" in message
    assert "racing for ports" not in message


# --- item 11: sibling modules of the same name --------------------------------------------

SIBLING_APP = """
import gradio as gr
from helpers import GREETING

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda: GREETING, None, box, api_name="greet")
"""


def _write_sibling_apps(root: Path) -> None:
    for name in ("app_a", "app_b"):
        (root / name).mkdir()
        (root / name / "app.py").write_text(SIBLING_APP)
        (root / name / "helpers.py").write_text(f"GREETING = 'hello from {name}'\n")


@pytest.mark.parametrize("mode", ["thread", "subprocess"])
def test_sibling_modules_of_the_same_name_stay_apart(pytester: pytest.Pytester, mode: str) -> None:
    """Two apps, each importing its own `helpers`: in one session each gets its own
    (before the fix the second silently ran with the first's)."""
    _write_sibling_apps(pytester.path)
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.gradio_app("app_a/app.py", mode={mode!r})
        def test_a(gradio_client):
            assert gradio_client.predict(api_name="/greet") == "hello from app_a"

        @pytest.mark.gradio_app("app_b/app.py", mode={mode!r})
        def test_b(gradio_client):
            assert gradio_client.predict(api_name="/greet") == "hello from app_b"

        @pytest.mark.skipif({mode!r} == "subprocess", reason="a fresh process each")
        @pytest.mark.gradio_app("app_a/app.py", mode={mode!r}, startup_timeout=59)
        def test_a_again(gradio_client):
            # Loaded again (other options) after app_b, in the same process: still
            # its own helpers.
            assert gradio_client.predict(api_name="/greet") == "hello from app_a"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(
        passed=3 if mode == "thread" else 2, skipped=0 if mode == "thread" else 1
    )


def test_sibling_module_shadowed_by_the_tests_own_fails_loudly(pytester: pytest.Pytester) -> None:
    """The test suite imported its own `helpers`; the app has a sibling `helpers.py`:
    evicting the suite's would change what the tests import, so it is an error that
    says what to do."""
    _write_sibling_apps(pytester.path)
    (pytester.path / "helpers.py").write_text("GREETING = 'the tests own helpers'\n")
    pytester.makepyfile(
        """
        import helpers
        import pytest

        @pytest.mark.gradio_app("app_a/app.py")
        def test_a(gradio_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*gradio app script 'app_a/app.py' * imports its sibling module "
            "'helpers' "
            "*already imported another module of that name from *helpers.py, and the script "
            "would silently get that one. Rename one of them, or run the app in its own "
            "process with mode='subprocess'*",
        ]
    )


# --- item 12: a Blocks built at import time, with file outputs ---------------------------


def test_blocks_built_at_import_serves_its_files(pytester: pytest.Pytester) -> None:
    """A test module builds its Blocks at import (before the session's temp dir is
    set) and downloads an output file: no 403."""
    pytester.makepyfile(
        """
        import os
        import tempfile

        import gradio as gr
        import pytest

        def write(text):
            path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR")), "note.txt")
            with open(path, "w") as handle:
                handle.write(text)
            return path

        with gr.Blocks() as demo:
            box = gr.Textbox()
            out = gr.File()
            gr.Button().click(write, box, out, api_name="write")

        @pytest.mark.gradio_app.with_args(demo)
        def test_download(gradio_client):
            path = gradio_client.predict("hi", api_name="/write")
            with open(path) as handle:
                assert handle.read() == "hi"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=120)
    result.assert_outcomes(passed=1)


# --- item 13: the launched Blocks wins over `demo` ---------------------------------------


@pytest.mark.parametrize("mode", ["thread", "subprocess"])
def test_launched_blocks_wins_over_demo(gradio_launch: Any, mode: str) -> None:
    app = gradio_launch(str(APPS / "loading_launches_app_not_demo.py"), mode=mode)
    assert app.client().predict(api_name="/which") == "the launched app"


def test_spec_attribute_still_wins_over_the_launched(gradio_launch: Any) -> None:
    """`:demo` names the part: it is served even though the script launches `app`."""
    app = gradio_launch(str(APPS / "loading_launches_app_not_demo.py:demo"))
    assert (
        "/which"
        not in app.client().view_api(print_info=False, return_format="dict")["named_endpoints"]
    )


# --- item 14: code after launch() -------------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "subprocess"])
def test_code_after_launch_reads_what_launch_set(gradio_launch: Any, mode: str) -> None:
    """`demo.local_url` and `demo.server_port` after launch() are the plugin's server."""
    app = gradio_launch(str(APPS / "loading_reads_launch_results.py"), mode=mode)
    url, port = app.url.rstrip("/"), app.url.rstrip("/").rsplit(":", 1)[1]
    assert app.client().predict(api_name="/where") == f"{url} port {port}"


# --- the app's code thread is stopped with its app ---------------------------------------


def test_blocking_launch_ends_its_script_at_teardown(tmp_path: Path, gradio_launch: Any) -> None:
    """A script whose launch() blocks (no prevent_thread_lock) is served; stopping the
    app ends the script there, without running what follows launch()."""
    marker = tmp_path / "after_launch"
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import gradio as gr

            with gr.Blocks() as demo:
                box = gr.Textbox()
                gr.Button().click(lambda: "up", None, box, api_name="up")

            demo.launch(server_name="0.0.0.0", server_port=7860)
            open({str(marker)!r}, "w").close()
            """
        )
    )
    before = set(_app_threads())
    app = gradio_launch(str(script))
    assert app.url.startswith("http://127.0.0.1:")
    assert app.client().predict(api_name="/up") == "up"
    assert len(set(_app_threads()) - before) == 1
    app.close()
    deadline = time.monotonic() + 10
    while set(_app_threads()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(_app_threads()) - before == set()
    assert not marker.exists()
    assert os.environ.get("GRADIO_TEMP_DIR")  # the session's environment is intact


def test_load_error_in_thread_mode_is_the_scripts(gradio_launch: Any, tmp_path: Path) -> None:
    """An exception while the script loads (now on its own thread) is reported as
    before, with the script's traceback."""
    script = tmp_path / "app.py"
    script.write_text("import gradio as gr\nraise RuntimeError('no weights here')\n")
    with pytest.raises(AppLoadError, match="no weights here"):
        gradio_launch(str(script))


# --- a server thread imports nothing lazily ------------------------------------------------


def test_serving_a_download_imports_nothing_on_the_server_thread(
    pytester: pytest.Pytester,
) -> None:
    """anyio imports its names on first use, and pytest rewrites (parses) anyio's
    modules as a plugin's: on CPython 3.11 a server thread doing so while the test's
    thread compiles can fail ("AST constructor recursion depth mismatch"), which made a
    download a 500 on gradio 6.0.2. Thread mode imports them before serving, so a
    download, in a fresh interpreter, imports no module of anyio."""
    (pytester.path / "app.py").write_text(
        textwrap.dedent(
            """
            import os
            import tempfile
            from pathlib import Path
            import gradio as gr

            def report(text):
                temp = os.environ.get("GRADIO_TEMP_DIR")
                path = Path(tempfile.mkdtemp(prefix="report_", dir=temp)) / "report.txt"
                path.write_text(f"report: {text}")
                return str(path)

            with gr.Blocks() as demo:
                text = gr.Textbox()
                out = gr.File()
                gr.Button().click(report, text, out, api_name="report")
            """
        )
    )
    pytester.makepyfile(
        """
        import sys
        from pathlib import Path

        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")

        def anyio_modules():
            return {name for name in sys.modules if name.split(".")[0] == "anyio"}

        def test_download(gradio_client):
            before = anyio_modules()
            path = gradio_client.predict("hi", api_name="/report")
            assert Path(path).read_text() == "report: hi"
            assert anyio_modules() - before == set()
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", timeout=120
    )
    result.assert_outcomes(passed=1)


def test_a_script_that_ran_on_leaves_the_test_process_argv_alone(gradio_launch: Any) -> None:
    """runpy puts the script's argv[0] back into whatever list `sys.argv` is when the
    script ends. A self-launching script runs on (thread mode) after loading, by when
    the plugin has given the test process its own argv back: that list's first entry
    became the script's path when the app stopped."""
    import sys

    before = list(sys.argv)
    # New threads only: a module-scoped app of another test in this worker may run
    # the same script on its own code thread.
    earlier = set(threading.enumerate())
    app = gradio_launch(str(APPS / "fidelity_auth.py"), mode="thread")
    (code,) = [
        t for t in threading.enumerate() if "fidelity_auth.py" in t.name and t not in earlier
    ]
    assert sys.argv == before  # loading is over: the plugin put it back
    app.close()
    code.join(30)  # the script's end, runpy's restore with it
    assert not code.is_alive()
    assert sys.argv == before


def test_a_script_whose_thread_ends_late_is_served(gradio_launch: Any) -> None:
    """The start is woken when the script's code ends, and its thread winds down
    after that (here 1 s later): a start that asked the thread whether it still ran
    failed with "neither served a Gradio app nor finished loading within 60 s"."""
    app = gradio_launch(str(APPS / "loading_thread_ends_late.py"), mode="thread")
    assert app.client().view_api(print_info=False, return_format="dict")["named_endpoints"] == {}
