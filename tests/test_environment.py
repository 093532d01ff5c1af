"""The environment a test run meets: what a deployment's GRADIO_* variables may and may
not do to the plugin's apps, and where gradio's own files go.

Issue 19, items 1 and 7. Each run is a pytest subprocess started with the environment
under test, so that gradio is imported under it, as in a user's run.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- item 1: GRADIO_* launch variables ------------------------------------------------

# The Quickstart's shape: the script launches itself. Its endpoint reports what its
# server resolved, from inside the app's process.
SELF_LAUNCHING_APP = """
import gradio as gr

with gr.Blocks() as demo:
    out = gr.JSON()

    def facts():
        return {
            "share": bool(demo.share),
            "root_path": demo.root_path,
            "reloads": getattr(demo.server, "reloader", None) is not None,
            "allowed_paths": list(demo.allowed_paths),
        }

    gr.Button().click(facts, None, out, api_name="facts")

demo.launch()
"""

LISTENING_TESTS = """
import json, os
from pathlib import Path
from urllib.parse import urlsplit

import gradio as gr
import httpx

SET = json.loads(os.environ["SET_FOR_TEST"])


def _listening(pids):
    # The addresses the processes listen on (TCP, IPv4 and IPv6), from /proc.
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                continue
            address, port = fields[1].split(":")
            if table == "tcp":
                host = ".".join(str(b) for b in reversed(bytes.fromhex(address)))
            else:
                host = "::1" if address == "0" * 24 + "01000000" else address
            found.append(f"{host}:{int(port, 16)}")
    return found


def _group(pgid):
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == pgid:
                members.append(int(entry.name))
    return members


def _check(app, client):
    url = urlsplit(app.url)
    assert url.hostname == "127.0.0.1"
    assert url.port not in (int(SET["GRADIO_SERVER_PORT"]), int(SET["GRADIO_NODE_SERVER_PORT"]))
    assert client.predict(api_name="/facts") == {
        "share": False,
        "root_path": "",
        "reloads": False,
        "allowed_paths": [SET["GRADIO_ALLOWED_PATHS"]],  # the app's own setting: kept
    }
    root = httpx.get(app.url + "config").json()["root"]
    assert root.rstrip("/") == app.url.rstrip("/")
    pids = [os.getpid()] if app.mode == "thread" else _group(app.pid)
    addresses = _listening(pids)
    assert addresses and all(a.startswith("127.0.0.1:") for a in addresses), addresses
    # The test's own environment is the user's, as it was.
    for name, value in SET.items():
        assert os.environ.get(name) == value, name


def test_self_launching_script(gradio_app, gradio_client):
    _check(gradio_app, gradio_client)


def test_blocks_object(gradio_launch):
    import signal

    handlers = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)]
    with gr.Blocks() as demo:
        out = gr.JSON()
        gr.Button().click(
            lambda: {
                "share": bool(demo.share),
                "root_path": demo.root_path,
                "reloads": getattr(demo.server, "reloader", None) is not None,
                "allowed_paths": list(demo.allowed_paths),
            },
            None,
            out,
            api_name="facts",
        )
    app = gradio_launch(demo)
    _check(app, app.client())
    # pytest's own: with SSR, gradio's launch() had made both stop Node and exit(0).
    assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)] == handlers
"""


@pytest.mark.parametrize("mode", ["thread", "subprocess"])
def test_deployment_variables_do_not_move_the_app(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """A Docker image or a Space sets GRADIO_SERVER_NAME=0.0.0.0 and the like. The
    plugin's apps still listen on 127.0.0.1 only, on a port of the plugin's, with no
    share link, no proxy prefix, no reloader, and launch() not blocking (GRADIO_DEBUG
    in thread mode blocked the test process until the startup timeout); the app's own
    settings (GRADIO_ALLOWED_PATHS) are kept, and the tests see their environment
    unchanged. Before the fix, thread mode failed every start of a self-launching
    script with LoopbackOnlyError (gradio's port probe bound 0.0.0.0).

    Why these variables: they are the ones gradio 6.31's launch() (blocks.py,
    http_server.py, node_server.py) reads that decide where or whether the app is
    reachable. GRADIO_SHARE_SERVER_ADDRESS points at a closed loopback port, so that a
    regression fails here instead of reaching the internet."""
    allowed = pytester.mkdir("allowed")
    variables = {
        "GRADIO_SERVER_NAME": "0.0.0.0",
        "GRADIO_SERVER_PORT": str(_free_port()),
        "GRADIO_NUM_PORTS": "1",
        "GRADIO_NODE_SERVER_PORT": str(_free_port()),
        "GRADIO_SSR_MODE": "true",
        "GRADIO_SHARE": "True",
        "GRADIO_SHARE_SERVER_ADDRESS": "127.0.0.1:9",
        "GRADIO_ROOT_PATH": "/behind-a-proxy",
        "GRADIO_WATCH_DIRS": str(pytester.path),
        "GRADIO_DEBUG": "1",
        "GRADIO_ALLOWED_PATHS": str(allowed),
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SET_FOR_TEST", json.dumps(variables))
    (pytester.path / "app.py").write_text(SELF_LAUNCHING_APP)
    pytester.makepyfile(test_listening=LISTENING_TESTS)
    selected = [] if mode == "thread" else ["-k", "self_launching"]
    result = pytester.runpytest_subprocess(
        "-p",
        "no:randomly",
        "--gradio-app=app.py",
        f"--gradio-mode={mode}",
        # The suite's own bound (see pyproject.toml): with two CPU hogs beside the
        # suite, the subprocess app took over 30 s to import gradio and build its
        # Blocks. A regression that blocks (GRADIO_DEBUG) still ends within `timeout`.
        "--gradio-startup-timeout=180",
        *selected,
        timeout=240,
    )
    result.assert_outcomes(passed=2 if mode == "thread" else 1)
    # GRADIO_SSR_MODE applies (the app's own setting): gradio's Node server for it,
    # when Node is installed, is stopped with its app. In thread mode it is a child of
    # the test process, and gradio's close() leaves it running: one was left after
    # each run of this suite.
    assert _processes_with_env_mentioning(str(pytester.path)) == []


def _processes_with_env_mentioning(text: str) -> list[str]:
    """Command lines of this machine's processes whose environment holds `text`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if text.encode() not in f.read():
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


# --- item 7: gradio's files stay in the run's temp dir -------------------------------

FILE_APP = """
import os
import gradio as gr

def write(text):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", text + ".txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(write, box, gr.File(), api_name="write")
"""

BUILT_AT_IMPORT_TESTS = """
import os
import pytest
from app import demo  # a Blocks built at import, before any fixture runs


def test_thread(gradio_launch):
    path = gradio_launch(demo).client().predict("one", api_name="/write")
    assert open(path).read() == "one"
    assert path.startswith(os.environ["GRADIO_TEMP_DIR"] + os.sep)


@pytest.mark.gradio_app("app.py", mode="subprocess")
def test_subprocess(gradio_client):
    path = gradio_client.predict("two", api_name="/write")
    assert open(path).read() == "two"
    assert path.startswith(os.environ["GRADIO_TEMP_DIR"] + os.sep)
"""


def test_gradio_writes_nothing_to_the_system_temp_dir(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose Blocks is built at import (by a conftest or test module, before any
    fixture) leaves the system temp dir as it found it, in both modes: what gradio
    writes (its uploads and outputs, gradio 6.31's `vibe_edit_history`, the client's
    downloads) goes to the run's own temp dir, removed at its end. A process with a
    temp dir of its own (TMPDIR), so that nothing else writes there; pytester gives
    the run a --basetemp elsewhere."""
    system_temp = pytester.mkdir("system-temp")
    monkeypatch.setenv("TMPDIR", str(system_temp))
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    (pytester.path / "app.py").write_text(FILE_APP)
    pytester.makepyfile(test_files=BUILT_AT_IMPORT_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=240)
    result.assert_outcomes(passed=2)
    assert sorted(str(p.relative_to(system_temp)) for p in system_temp.rglob("*")) == []


# A run that cannot end itself (pytest-timeout's thread method ends the process with
# os._exit) leaves its temp dir; the next run removes it, and only it: not the dir of a
# run that is alive, nor a dir without the lock (an older version's).
DIES_TESTS = """
import os

def test_dies():
    with open("dead-dir.txt", "w") as f:
        f.write(os.environ["GRADIO_TEMP_DIR"])
    os._exit(3)
"""

LIVES_TESTS = """
import os, sys

def test_lives():
    print("READY", os.environ["GRADIO_TEMP_DIR"], flush=True)
    sys.stdin.read()  # until the test that started this run closes it
"""


def test_the_dir_of_a_run_that_could_not_end_is_removed_by_the_next_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    system_temp = pytester.mkdir("system-temp")
    monkeypatch.setenv("TMPDIR", str(system_temp))
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    older = system_temp / "pytest-gradio-run-older"  # no lock: never touched
    older.mkdir()
    pytester.makepyfile(test_lives=LIVES_TESTS, test_dies=DIES_TESTS)
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-n", "0"]
    live = subprocess.Popen(
        [*command, "test_lives.py"],
        cwd=pytester.path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert live.stdout is not None
        assert live.stdin is not None
        line = ""
        while not line.startswith("READY"):  # the run's own output comes first
            line = live.stdout.readline()
            assert line, "the live run ended before its test"
        alive = Path(line.split(maxsplit=1)[1].strip())
        assert alive.is_dir()
        # A run that ends with os._exit, as pytest-timeout's thread method ends it.
        assert pytester.runpytest_subprocess("test_dies.py", timeout=120).ret == 3
        dead = Path((pytester.path / "dead-dir.txt").read_text())
        assert dead.parent == system_temp
        assert (dead / "LOCK").exists()
        assert alive.is_dir()
        pytester.makepyfile(test_next="def test_next():\n    pass\n")
        pytester.runpytest_subprocess("test_next.py", timeout=120).assert_outcomes(passed=1)
        assert not dead.exists()
        assert alive.is_dir()
        assert older.is_dir()
        live.stdin.close()
        assert live.wait(timeout=60) == 0
    finally:
        if live.poll() is None:
            live.kill()
            live.wait()
    assert not alive.exists()  # removed by its own run, at its end
    assert [p.name for p in system_temp.iterdir()] == ["pytest-gradio-run-older"]


def test_a_temp_dir_that_cannot_be_listed_is_no_error(tmp_path: Path) -> None:
    from pytest_gradio import environment

    environment.sweep_ended_runs(tmp_path / "not-there")  # raised UnboundLocalError


# --- "Server-side warnings land on the test" ------------------------------------------

WARNING_APP = """
import warnings
import gradio as gr

def on_a_worker_thread():
    warnings.warn("server-side warning from a worker thread", UserWarning)
    return "ok"

async def on_the_event_loop():
    warnings.warn("server-side warning from the event loop", UserWarning)
    return "ok"

with gr.Blocks() as demo:
    out = gr.Textbox()
    gr.Button().click(on_a_worker_thread, None, out, api_name="sync_warns")
    gr.Button().click(on_the_event_loop, None, out, api_name="async_warns")
"""

WARNING_TESTS = """
import warnings

def test_uses_the_app(gradio_client):
    assert gradio_client.predict(api_name="/sync_warns") == "ok"
    assert gradio_client.predict(api_name="/async_warns") == "ok"
    warnings.warn("the test's own warning", UserWarning)

def test_fails_and_shows_the_log(gradio_client):
    assert gradio_client.predict(api_name="/sync_warns") == "ok"
    assert gradio_client.predict(api_name="/async_warns") == "ok"
    assert False, "failing on purpose"
"""


@pytest.mark.parametrize("filters", [[], ["-W", "error::UserWarning"]], ids=["default", "W-error"])
def test_server_warnings_go_to_the_server_log(
    pytester: pytest.Pytester, filters: list[str]
) -> None:
    """In thread mode, warnings raised where the app's server runs (the app's functions
    on gradio's worker threads, its async ones on the event loop; gradio's own, such
    as its Pandas4Warnings) go to the app's server log, shown with a failing test's
    report, as in subprocess mode; not to the warnings of whichever test runs. The
    test's own warning stays the test's, and under `-W error` fails it, while the
    server's do not break its jobs."""
    (pytester.path / "app.py").write_text(WARNING_APP)
    pytester.makepyfile(test_warns=WARNING_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "--gradio-app=app.py", "-rA", *filters, timeout=240
    )
    output = result.stdout.str()
    section = output[output.index("- gradio: jobs and server log -") :]
    assert "server-side warning from a worker thread" in section
    assert "server-side warning from the event loop" in section
    summary = output[output.index("short test summary info") :]
    if filters:
        result.assert_outcomes(failed=2)
        assert "FAILED test_warns.py::test_uses_the_app - UserWarning: the test's own warning" in (
            summary
        )
        assert "warnings summary" not in output
    else:
        result.assert_outcomes(passed=1, failed=1)
        warned = output[output.index("warnings summary") : output.index("short test summary")]
        # Where the test warned, not the plugin's wrapper of warnings.warn.
        assert re.search(r"test_warns.py:\d+: UserWarning: the test's own warning", warned)
        assert "server-side warning" not in warned
        assert f"site-packages{os.sep}gradio{os.sep}" not in warned  # gradio's own
