"""The inventory of what the plugin patches in gradio, gradio_client and uvicorn
(pytest_gradio/patches.py): every name it lists is still in the installed packages,
the process-wide ones are put back when the outermost session ends, and an
in-process pytester run (a session nested in a test, which restores sys.modules
after itself) leaves the outer session's patches working."""

from __future__ import annotations

import ast
import contextlib
import gc
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from pytest_gradio import patches
from pytest_gradio.apps import serverlog

APPS = Path(__file__).parent / "apps"
ROOT = Path(__file__).parent.parent


def _versions() -> str:
    return ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("gradio", "gradio_client", "uvicorn", "fastapi")
    )


@pytest.mark.parametrize("patch", patches.PATCHES, ids=[p.name for p in patches.PATCHES])
def test_patched_name_exists_in_the_installed_packages(patch: patches.Patch) -> None:
    """Fails, naming the target, when a release renames or drops a name the plugin
    replaces (or overrides): the first place a new gradio tells us what broke."""
    why = patches.problem(patch)
    if why is not None and not patch.required:
        pytest.skip(f"{patch.target}: {why} (optional: {patch.why})")
    assert why is None, (
        f"{patch.target} is gone from the installed packages ({_versions()}): {why}. "
        f"pytest_gradio/{patch.where} patches it ({patch.scope}) because {patch.why}."
    )


def test_missing_lists_nothing_for_the_installed_packages() -> None:
    assert patches.missing() == []


def test_every_patch_the_code_installs_is_listed() -> None:
    """install() refuses a name the inventory does not list, so nothing is patched
    process-wide without an entry saying why."""
    with pytest.raises(KeyError):
        patches.install("not listed", lambda value: value)
    with pytest.raises(ValueError, match="span-scoped"):
        patches.install("print_exc", lambda value: value)


@pytest.mark.timeout(360)
def test_a_renamed_name_is_named(tmp_path: Path) -> None:
    """Against a copy of gradio_client whose `Client.send_data` was renamed (as a new
    release might), the inventory test fails and says which name, where it is patched
    and why. The copy comes first on PYTHONPATH of a subprocess; the installed package
    is untouched."""
    import gradio_client

    copy = tmp_path / "site" / "gradio_client"
    shutil.copytree(Path(gradio_client.__file__).parent, copy)
    source = copy / "client.py"
    text = source.read_text()
    assert "def send_data(" in text
    source.write_text(text.replace("def send_data(", "def send_payload("))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            # One process: run from the checkout, the project's addopts (-n 3) would
            # start three xdist workers, each importing gradio, for one test.
            "-n",
            "0",
            "-q",
            str(Path(__file__)) + "::test_patched_name_exists_in_the_installed_packages",
        ],
        cwd=ROOT,
        env={**_clean_env(), "PYTHONPATH": str(copy.parent)},
        capture_output=True,
        text=True,
        timeout=300,  # a fresh interpreter imports gradio: slow on a busy machine
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "1 failed" in out, out
    assert "test_patched_name_exists_in_the_installed_packages[send_data]" in out, out
    assert "gradio_client.client:Client.send_data is gone from the installed packages" in out, out
    assert "has no attribute 'send_data'" in out, out
    assert "pytest_gradio/client/recording.py patches it (override)" in out, out


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}


def test_install_is_once_per_module_object() -> None:
    """install_patches() twice wraps nothing twice, and the replacement knows the
    original it calls."""
    import socket

    from pytest_gradio.apps.loading import install_patches

    install_patches()
    first = socket.socket.bind
    assert patches.is_ours(first)
    install_patches()
    assert socket.socket.bind is first
    assert not patches.is_ours(patches.original(first))
    # Not restored here: the session this test runs in relies on them. The restore at
    # the outermost session's end is checked in a fresh process below.


# A session with an in-process pytester run in it (as tests/ has): gradio imported
# first (as tests/conftest.py does: numpy cannot be imported twice in a process), the
# plugin's app code imported first inside the inner session (and dropped from
# sys.modules when it ends), then thread-mode apps in the outer one. The inner
# session's end must leave the outer's patches on; the outermost end puts them back.
SEQUENCE = """
import socket
import sys

pytest_plugins = ["pytester"]
APPS = {apps!r}


def test_a_gradio_imported_first():
    import gradio  # noqa: F401

    assert "pytest_gradio.apps" not in sys.modules


def test_b_in_process_run_of_a_thread_app(pytester):
    from pytest_gradio import patches

    pytester.makepyfile(
        test_inner='''
def test_inner(gradio_launch):
    app = gradio_launch({apps!r} + "/basic.py", mode="thread", startup_timeout=180)
    assert app.url.startswith("http://127.0.0.1:")
'''
    )
    pytester.runpytest(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:playwright"
    ).assert_outcomes(passed=1)
    # The inner session's end did not put anything back: this session is still on.
    assert patches.active_sessions() == 1
    assert patches.is_ours(socket.socket.bind)


def test_c_thread_app_serving_itself_with_uvicorn(gradio_launch):
    app = gradio_launch(APPS + "/mounted_fastapi.py", mode="thread", startup_timeout=180)
    assert app.url.startswith("http://127.0.0.1:")


def test_d_uvicorn_imported_again_is_taken_over_again(gradio_launch):
    # A uvicorn whose module code ran again (importlib.reload; or a fresh import after
    # a pytester run dropped it from sys.modules) has its own, unpatched run and
    # Server.serve. The plugin used to think its patches in (a flag) and let the
    # script's uvicorn.run(host="0.0.0.0", port=8000) through to the socket:
    # LoopbackOnlyError. Each patch is now checked on the live module.
    import importlib

    import uvicorn

    assert getattr(uvicorn.run, "__pytest_gradio_original__", None) is not None
    # (uvicorn.main is also the name of its click command: by sys.modules.)
    for name in ("uvicorn.server", "uvicorn.main", "uvicorn"):
        importlib.reload(sys.modules[name])
    assert getattr(uvicorn.run, "__pytest_gradio_original__", None) is None
    app = gradio_launch(APPS + "/mounted_fastapi.py", mode="thread", startup_timeout=180)
    assert app.url.startswith("http://127.0.0.1:")
"""

# After the outermost session: what is still replaced.
AFTER_SESSION = """
import json
from pathlib import Path


def pytest_unconfigure(config):
    from pytest_gradio import patches
    import socket

    state = {"installed": patches.installed(), "bind_is_ours": patches.is_ours(socket.socket.bind)}
    try:
        import uvicorn
        import gradio

        state["uvicorn_run_is_ours"] = patches.is_ours(uvicorn.run)
        state["launch_is_ours"] = patches.is_ours(gradio.Blocks.launch)
    except ImportError:
        pass
    Path("after.json").write_text(json.dumps(state))
"""


@pytest.mark.timeout(400)
def test_nested_sessions_keep_patches_and_the_outermost_restores(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_sequence=SEQUENCE.format(apps=str(APPS)))
    pytester.makeconftest(AFTER_SESSION)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-p",
        "no:playwright",
        timeout=360,
    )
    result.assert_outcomes(passed=4)
    after = json.loads((pytester.path / "after.json").read_text())
    assert after == {
        "installed": [],
        "bind_is_ours": False,
        "uvicorn_run_is_ours": False,
        "launch_is_ours": False,
    }


def test_the_plugin_loads_without_gradio() -> None:
    """The inventory is imported at plugin load: it must not import gradio."""
    code = (
        "import sys, pytest_gradio.plugin, pytest_gradio.patches; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('gradio', 'gradio_client', 'uvicorn')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"


# Enough AST nodes (about a thousand) that the garbage collector runs while they are made.
_SOURCE = "def f(a, b):\n    return [a + b * 2, {a: (b, 1)}]\n\n" * 40


@contextlib.contextmanager
def _young_collections() -> Iterator[None]:
    """The garbage collector's young collections every 100 allocations, so that one
    runs in the middle of a parse."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _garbage(kind: type, count: int) -> None:
    """`count` objects of `kind` in reference cycles: the next collection finalizes them."""
    for _ in range(count):
        item = kind()
        item.cycle = item


def _parse_race(parse: Any, parses: int, *, until_error: bool) -> tuple[int, list[BaseException]]:
    """`parse` a module's source on this (deep) thread while another, shallow thread
    parses too, with the garbage collector running a finalizer that lets the other
    thread in during this thread's parses: gh-106905's conditions, as pytest
    formatting a failure beside an in-process server formatting a traceback. How many
    parses ran here, and the SystemErrors either thread raised."""
    errors: list[BaseException] = []
    done = threading.Event()

    class YieldsWhenCollected:
        def __del__(self) -> None:
            time.sleep(0.0002)  # releases the GIL in the middle of this thread's parse

    def other() -> None:
        while not done.wait(0.001):  # a pause between parses, as a server's tracebacks
            try:
                parse("x = (1, [2, {3: 4}])\n" * 50)
            except SystemError as exc:
                errors.append(exc)

    def deep(depth: int) -> Any:
        return parse(_SOURCE) if depth == 0 else deep(depth - 1)

    thread = threading.Thread(target=other, daemon=True)
    ran = 0
    with _young_collections():
        thread.start()
        try:
            while ran < parses and not (until_error and errors):
                _garbage(YieldsWhenCollected, 5)
                try:
                    deep(80)
                except SystemError as exc:
                    errors.append(exc)
                ran += 1
        finally:
            done.set()
            thread.join(10)
    return ran, errors


def _nested_parses(parse: Any, parses: int) -> list[BaseException]:
    """`parse` a module's source while a finalizer the garbage collector runs in the
    middle of it parses too, on this thread (as pytest-timeout's signal handler, run
    from such a finalizer, formats stacks): the SystemErrors the outer parses raised."""
    errors: list[BaseException] = []

    class ParsesWhenCollected:
        def __del__(self) -> None:
            parse("x = 1")

    with _young_collections():
        for _ in range(parses):
            _garbage(ParsesWhenCollected, 1)
            try:
                parse(_SOURCE)
            except SystemError as exc:
                errors.append(exc)
    return errors


def test_guarded_parses_take_turns_and_a_stuck_one_does_not_hang_the_others() -> None:
    """The guard's lock, with a stand-in for ast.parse that records who is inside it.
    The first parse cannot end until the second has parsed (as a finalizer waiting for
    a lock the second thread holds): the second waits for the lock (so threads take
    turns: without the lock it would enter at once), and then, after AST_LOCK_WAIT,
    parses anyway instead of hanging (a lock without that bound waits the 10 s)."""
    inside: list[str] = []
    first_in, second_done = threading.Event(), threading.Event()

    def stand_in(source: str) -> str:
        inside.append(f"{source} in")
        if source == "first":
            first_in.set()
            # Would wait for ever without the bound: ends once "second" has parsed.
            second_done.wait(10 * serverlog.AST_LOCK_WAIT)
        inside.append(f"{source} out")
        return source

    parse = serverlog.parse_again_on_race(stand_in)
    first = threading.Thread(target=parse, args=("first",))
    first.start()
    assert first_in.wait(10)
    started = time.monotonic()
    assert parse("second") == "second"
    waited = time.monotonic() - started
    second_done.set()
    first.join(10)
    # The second waited for the lock (about AST_LOCK_WAIT), not for the first's end.
    assert waited >= serverlog.AST_LOCK_WAIT * 0.9
    assert inside == ["first in", "second in", "second out", "first out"]


@pytest.mark.skipif(not serverlog.AST_RACE, reason="this Python's ast.parse has no gh-106905 race")
def test_ast_parse_survives_a_parse_under_way_elsewhere() -> None:
    """On the CPython releases of gh-106905, an ast.parse that starts while another is
    under way makes the first raise SystemError; an in-process app's traceback beside
    pytest's report of a failure gave INTERNALERROR in CI, twice (the second time,
    pytest-timeout's stack dump during pytest's own parse). The stock ast.parse is
    shown failing both ways here first (another thread's parse, and one on the same
    thread from a finalizer); then the plugin's, installed as starting an app
    installs it, runs 20 parses each way without an error."""
    stock = patches.original(ast.parse)
    ran, errors = _parse_race(stock, 2000, until_error=True)
    assert errors, f"the race did not show in {ran} stock parses: the test proves nothing"
    assert serverlog.AST_RACE_ERROR in str(errors[0])
    errors = _nested_parses(stock, 5)
    assert errors, "no nested stock parse failed: the test proves nothing"
    assert serverlog.AST_RACE_ERROR in str(errors[0])

    serverlog.guard_ast_parse()
    assert patches.is_ours(ast.parse)
    assert "ast.parse" in patches.installed()
    ran, errors = _parse_race(ast.parse, 20, until_error=False)
    assert errors == [], f"{len(errors)} of {ran} parses raced: {errors[0]}"
    assert _nested_parses(ast.parse, 20) == []


def test_a_queue_looks_for_work_every_10_ms_once_no_job_waits(gradio_launch: Any) -> None:
    """apps/idle.py: an app's queue keeps gradio's 1 ms between looks for work while a
    job waits in it (here: behind a running one, the endpoint's concurrency limit is
    1) and for 50 ms after a job was sent, then looks every 10 ms; jobs are picked up
    all the same. (CPU per idle app: `python benchmarks/idle_apps.py`.)"""
    import gradio.queueing

    from pytest_gradio import GradioClient
    from pytest_gradio.apps import idle

    app = gradio_launch(str(APPS / "basic.py"), mode="thread")
    queue = app.blocks._queue
    assert isinstance(queue, gradio.queueing.Queue)
    assert type(queue).__name__ == "Queue"  # named as gradio's, in reprs and errors
    # The value gradio set, kept: 1 ms in gradio 6 (50 ms on Windows), 50 ms in 5.x,
    # which looks seldom enough already and is left as it is.
    stock = queue.__dict__["sleep_when_free"]
    quiet = max(stock, idle.IDLE_POLL)
    assert queue.sleep_when_free == quiet
    client = GradioClient(app.url)
    try:
        first = client.submit(1.0, api_name="/slow")
        second = client.submit(0.1, api_name="/slow")
        waiting = 0
        while not first.done():
            if len(queue):  # the second job waits behind the first
                waiting += 1
                assert queue.sleep_when_free == stock
            time.sleep(0.02)  # sampling the queue, not waiting for it
        assert first.result(timeout=60) == "done"
        assert second.result(timeout=60) == "done"
        assert waiting > 0, "the second job never waited in the queue"
        assert len(queue) == 0
        # Nothing waits and nothing was sent for 50 ms: 10 ms. (gradio's interval for
        # the 50 ms after a job is sent, so that jobs sent one after another are taken
        # as stock takes them.)
        deadline = time.monotonic() + 30
        while queue.sleep_when_free != quiet:
            assert time.monotonic() < deadline, "the queue kept gradio's interval"
            time.sleep(0.02)
        # Sending a job notes when (the "queue push" patch), and for QUIET_AFTER after
        # that moment the interval is gradio's: jobs sent one after another are taken
        # as stock takes them. (The moment is set by hand below, so that a busy
        # machine's pause between two lines cannot decide the outcome.)
        before = queue.__dict__[idle._SENT_AT]
        assert client.predict(2, 3, api_name="/add") == 5
        assert queue.__dict__[idle._SENT_AT] > before
        queue.__dict__[idle._SENT_AT] = time.monotonic() + 60
        assert queue.sleep_when_free == stock
        queue.__dict__[idle._SENT_AT] = time.monotonic() - idle.QUIET_AFTER
        assert queue.sleep_when_free == quiet
    finally:
        client.close()
