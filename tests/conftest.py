"""Shared pieces of the plugin's own test suite."""

from __future__ import annotations

import gc
import os
import signal
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .fake_hub import FakeHub

# Bytecode is cached for this suite, whatever the environment says. Why: with
# PYTHONDONTWRITEBYTECODE=1 (set on this project's machines), every fresh pytest
# process re-parses and rewrites the asserts of every pytest plugin's modules (pytest
# caches rewritten modules only as .pyc files): 156 modules, 0.7 s of CPU each time,
# and the suite starts about 90 such processes (pytester's subprocess runs, inner
# xdist workers, subprocess apps). Popped here, before pytest-xdist starts its workers
# (this is an initial conftest), so the workers and every process they start inherit it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def _restore_sys_modules_without_a_gap(snapshot: Any) -> None:
    """pytester's `SysModulesSnapshot.restore`, without its moment of an empty
    `sys.modules`: the modules an in-process run added are removed one by one, then
    the saved ones put back. Why: pytester's `clear()` then `update()` leaves a gap in
    which another thread of the worker (the server thread of an app an earlier test
    started) that imports something finds no `gradio` in `sys.modules` and starts a
    second one, which can stay there, without the `blocks` attribute of the first
    (seen once: "module 'gradio' has no attribute 'blocks'" while a later test
    imported an app)."""
    saved: dict[str, Any] = snapshot._SysModulesSnapshot__saved
    preserve = snapshot._SysModulesSnapshot__preserve
    if preserve:
        saved.update((k, m) for k, m in list(sys.modules.items()) if preserve(k))
    for name in [n for n in list(sys.modules) if n not in saved]:
        sys.modules.pop(name, None)
    sys.modules.update(saved)


def _take_over_sys_modules_restore() -> None:
    from _pytest.pytester import SysModulesSnapshot

    probe = SysModulesSnapshot()
    if hasattr(probe, "_SysModulesSnapshot__saved") and hasattr(
        probe, "_SysModulesSnapshot__preserve"
    ):
        SysModulesSnapshot.restore = _restore_sys_modules_without_a_gap  # type: ignore[method-assign]


_take_over_sys_modules_restore()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Full garbage collections skip what every test keeps, and come less often.

    Why: an xdist worker of this suite holds gradio, its libraries and the test modules
    for its whole life, and builds and drops hundreds of apps (each a FastAPI app with
    pydantic models: objects that live for seconds, then die). Python's full
    collections walked the whole heap each time: in a full run, 114 of them in the
    three workers, 30 of the 36 CPU-s the workers spent collecting. `gc.freeze()` once
    collected leaves the objects alive now (modules, their classes and constants) out
    of every later collection; the third threshold (a full collection after 100
    younger ones instead of 10) lets the apps' short-lived objects go in the cheaper
    collections. Measured with a `gc.callbacks` probe over a full run: 37 full
    collections, 14.6 CPU-s collecting in all. Only the processes that collect this
    suite are tuned: its xdist workers (the controller collects nothing, so this hook
    does not run there) or the one process of `-n 0`, with the pytester runs they make
    in-process. The processes they start (pytest runs, apps in subprocess mode)
    collect as stock Python does."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)


# The plugin sets GRADIO_ANALYTICS_ENABLED=False and HF_HUB_DISABLE_TELEMETRY=1 (as
# defaults) before this file is imported: no request leaves the machine, and the fake
# Hub sees only what the plugin asks.

APPS = Path(__file__).parent / "apps"

# A tiny app whose one endpoint tells which app answered: the precedence and path
# tests write several of these, each with its own name.
WHICH_APP = """
import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda: {name!r}, None, box, api_name="which")
"""


@pytest.fixture
def basic_app_source() -> str:
    return (APPS / "basic.py").read_text()


def write_which_app(directory: Path, name: str, filename: str = "app.py") -> Path:
    """Write an app whose /which endpoint returns `name`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(textwrap.dedent(WHICH_APP.format(name=name)))
    return path


WHICH_TEST = """
def test_which(gradio_client):
    assert gradio_client.predict(api_name="/which") == {expected!r}
"""


def default_sigint() -> None:
    """A child process's `preexec_fn`: SIGINT's default disposition back.

    A suite started in the background of a shell without job control (`pytest &`,
    nohup, some CI runners) runs with SIGINT ignored; every child inherits that, and
    a Python started so never raises KeyboardInterrupt on Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def gradio_imported() -> None:
    """Import gradio once, before any pytester instance exists.

    Why: an in-process pytester run restores sys.modules to its snapshot afterwards,
    which would unload a gradio imported by the inner run; numpy (under gradio)
    cannot be imported twice in one process.

    pytest-playwright too (the outer run does not load it, `-p no:playwright`): each
    inner run without `-p no:playwright` loads its entry point, and so imported it
    and Playwright's sync API again, for the snapshot's restore to drop them: 27 s of
    a full run's CPU (py-spy), and copies of the modules kept alive. Imported here,
    with the outer run's assertion rewriting (pytest marks every pytest11 plugin for
    it), inner runs find it loaded and do not warn that it was imported unrewritten.

    pandas as well: gradio 5.50 and 6.0 import it only when a component needs it (a
    Dataframe's value), so an inner in-process run (or an app's thread during one)
    could be the first to import it, for the restore to drop it. In the first CI run
    at -n 3, one worker of each matrix row then had a broken pandas ("cannot import
    name 'IndexSlice' from 'pandas'"; "No such keys(s): 'compute.use_bottleneck'"),
    and every later app with a Dataframe on that worker failed to start. A plain
    import, drop and import again does not do that, so the exact sequence is not
    known; imported here, pandas is in every snapshot and never dropped.
    """
    import gradio  # noqa: F401
    import pandas  # noqa: F401
    import pytest_playwright  # noqa: F401


# What pytest-xdist tells its workers through the environment. An inner run started
# from a worker (in-process or not) is no worker: with these set, the plugin names its
# artifacts as a worker's (`-gw0`), as it would in a user's `-n 2` run.
XDIST_WORKER_ENV = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID")


@pytest.fixture
def pytester(
    gradio_imported: None, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    """pytester, created after gradio is imported (see gradio_imported), whose inner
    runs see no outer xdist worker (XDIST_WORKER_ENV)."""
    for name in XDIST_WORKER_ENV:
        monkeypatch.delenv(name, raising=False)
    return pytester


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A local Hugging Face Hub (see fake_hub.py) that HF_ENDPOINT points at.

    HF_TOKEN is cleared, so a test gives the token (`fake_hub.token`) on purpose.
    """
    hub = FakeHub().start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    try:
        yield hub
    finally:
        hub.stop()
