"""A job still running when its test ends is cancelled, and nothing it left behind
keeps pytest from exiting: measured on a real session in its own process."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from typing import Any

import pytest
from fastapi import FastAPI

from pytest_gradio.apps import start_app
from pytest_gradio.options import AppOptions
from pytest_gradio.specs import parse_spec

from .conftest import APPS

pytestmark = pytest.mark.timeout(120)

FIRE_AND_FORGET = """
import time

import pytest

from pytest_gradio import GradioClient

JOBS = []


def test_fixture_client(gradio_client):
    JOBS.append(gradio_client.submit("a", api_name="/hang"))


def test_own_client_never_closed(gradio_app):
    JOBS.append(gradio_app.client().submit("b", api_name="/hang"))


def test_plain_client_never_closed(gradio_app):
    JOBS.append(GradioClient(gradio_app.url).submit("c", api_name="/hang"))


def test_in_process_app(gradio_launch):
    app = gradio_launch("app.py")
    JOBS.append(app.client().submit("d", api_name="/hang"))


@pytest.mark.gradio_app({frozen_url!r})
def test_frozen_server(gradio_client):
    # The app's event loop blocks: the server answers nothing, not even a cancel.
    gradio_client.submit("e", api_name="/freeze")
    time.sleep(0.5)


def test_all_were_cancelled_at_teardown():
    statuses = [job.timeline.statuses() for job in JOBS]
    assert len(statuses) == 4
    assert all("CANCELLED" in each for each in statuses), statuses
    with open("last_test_ended", "w") as f:
        f.write(repr(time.time()))
"""


def _frozen_app() -> tuple[Any, threading.Event]:
    import gradio as gr

    release = threading.Event()

    async def freeze(text: str) -> str:
        release.wait(30)  # on the event loop: the whole server stops answering
        return "thawed"

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(freeze, box, box, api_name="freeze")
    return demo, release


def test_fire_and_forget_does_not_delay_exit(pytester: pytest.Pytester, gradio_launch: Any) -> None:
    """Tests that submit to an endpoint that never answers and return: each job is
    cancelled when its test ends, and the process exits promptly after the last test,
    even when a server stopped answering altogether.

    The apps run here, outside the measured process, so that nothing there stops
    them: before the fix the process did not exit until the frozen server answered
    (gradio_client's job threads are not daemons and are joined at exit).
    """
    hanging = gradio_launch(str(APPS / "hang.py"))
    frozen_demo, release = _frozen_app()
    frozen = gradio_launch(frozen_demo)
    (pytester.path / "app.py").write_text((APPS / "hang.py").read_text())
    pytester.makepyfile(test_fire=FIRE_AND_FORGET.format(frozen_url=frozen.url))
    try:
        result = pytester.runpytest_subprocess(
            f"--gradio-app={hanging.url}", "-p", "no:randomly", timeout=60
        )
        exited = time.time()
    finally:
        release.set()
    result.assert_outcomes(passed=6)
    after_last_test = exited - float((pytester.path / "last_test_ended").read_text())
    print(f"measured: the session exited {after_last_test:.2f} s after its last test ended")
    # Session teardown (one in-process app to stop) and interpreter exit: about 2.5 s
    # on an idle machine. The bound is loose for a busy one; what it must catch is a
    # process that waits for the frozen server, which answers only after the run's
    # 60 s timeout.
    assert after_last_test < 20, f"the session took {after_last_test:.1f} s to exit"


def test_daemon_executor_keeps_thread_pool_semantics() -> None:
    """The executor jobs run on: daemon workers, at most max_workers, work queued
    before shutdown(wait=False) still runs, cancel_futures cancels what waits."""
    from pytest_gradio.client.registry import DaemonExecutor

    executor = DaemonExecutor(2)
    futures = [executor.submit(time.sleep, 0.05) for _ in range(5)]
    executor.shutdown(wait=False)
    assert all(future.result(timeout=5) is None for future in futures)
    assert [thread.daemon for thread in executor._threads] == [True, True]

    gate = threading.Event()
    executor = DaemonExecutor(1)
    running = executor.submit(gate.wait, 5)
    waiting = executor.submit(lambda: "never")
    executor.shutdown(wait=False, cancel_futures=True)
    assert waiting.cancelled()
    gate.set()
    assert running.result(timeout=5) is True
    with pytest.raises(RuntimeError, match="after shutdown"):
        executor.submit(lambda: None)


@pytest.mark.parametrize("script", ["basic.py", "mounted_fastapi.py"])
def test_a_closed_in_process_app_can_be_freed(script: str, tmp_path: Any) -> None:
    """Once an in-process app (a script, a FastAPI app with gradio mounted) is closed,
    nothing keeps it: its FastAPI apps are garbage once the test drops its handles.
    FastAPI keeps route functions, each holding its app, in caches of 4096; the plugin
    empties them at close. Without that, a session's closed apps stayed in memory, and
    every full collection of the process walked them."""

    def fastapi_apps() -> list[Any]:
        return [o for o in gc.get_objects() if isinstance(o, FastAPI)]

    before = fastapi_apps()  # held, so that their ids stay theirs
    spec = parse_spec(str(APPS / script), source="--gradio-app", base_dir=tmp_path)
    app = start_app(spec, AppOptions(mode="thread"))
    # The client's requests (its config, its API info) go through the app's routes.
    # No job: the test's record of its jobs would hold the client, and so the app,
    # until the test ends.
    client = app.client()
    assert client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    known = {id(o) for o in before}
    alive = [weakref.ref(o) for o in fastapi_apps() if id(o) not in known]
    assert alive, "the app made no FastAPI app"
    client.close()
    app.close()
    del app, client
    # Threads of the app's server let go of it a moment after close() returns: wait
    # for the event (the app freed), bounded.
    deadline = time.monotonic() + 10
    while True:
        gc.collect()
        left = sum(ref() is not None for ref in alive)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"{left} of the closed app's {len(alive)} FastAPI apps are alive after 10 s"
