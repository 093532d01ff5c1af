"""Subprocess mode, child side: run one app script or module as its own process.

`subprocess.SubprocessApp` starts this module as `python -m pytest_gradio.apps.bootstrap`.
Its orders arrive in the environment variable `PYTEST_GRADIO_BOOTSTRAP` (removed before
the app runs). Its serving calls are taken over (loading.py): the script's own
`demo.launch(...)` runs where the script makes it, with the script's arguments except
host, port and share, which the plugin owns; a `uvicorn.run(app, ...)` serves `app`
on a loopback socket of the plugin's, the rest of its arguments kept. Once the
server answers it writes one line to stdout (the URL includes Gradio's mount path):

    __pytest_gradio_ready__ <nonce> <url> <monotonic time>

The nonce is new for every start and never reaches the app, so no other output (nor
another process on a reused port) can pass for this app being ready. If the app cannot
be loaded, it writes `__pytest_gradio_error__ <nonce> <json>` and exits with code 3.

Importing this module does nothing; only `main()` does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import json
import os
import runpy
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import stubs
from ..errors import AppLoadError, GradioTestError
from ..options import OWNED_LAUNCH_KWARGS
from ..specs import is_blocks
from .asgi import choose_mount, mount_url
from .base import launch_on_free_port
from .handshake import (
    ENV_CONFIG,
    ERROR_MARKER,
    EXIT_LOAD_ERROR,
    READY_MARKER,
    STACK_SIGNAL,
    decode_config,
)
from .loading import (
    Host,
    Serving,
    host_whole_process,
    import_module,
    launch_kwargs_of,
    original_launch,
    pick_target,
    short_traceback,
)

_PARENT_CHECK_INTERVAL = 0.5


def _emit(line: str) -> None:
    # Why os.write on fd 1 and a leading newline: the app may have replaced
    # sys.stdout or left a partial line in the pipe; the marker must start a line.
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    os.write(1, ("\n" + line + "\n").encode("utf-8", "replace"))


def _die_with_parent(parent_pid: int, spawned_by_main_thread: bool) -> None:
    """End this process group when pytest goes away, even if it was killed.

    Why two ways: PR_SET_PDEATHSIG (Linux) acts at once but fires when the *thread*
    that spawned us ends, so it is only used for spawns from pytest's main thread;
    a watchdog thread noticing the re-parenting covers the rest, within a second.
    """
    if spawned_by_main_thread and sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent_pid:
        _kill_group(signal.SIGKILL)

    def watch() -> None:
        while True:
            time.sleep(_PARENT_CHECK_INTERVAL)
            if os.getppid() != parent_pid:
                _kill_group(signal.SIGKILL)

    threading.Thread(target=watch, name="pytest-gradio-parent-watch", daemon=True).start()


def _kill_group(sig: int) -> None:
    """Signal this process's group (the app and all it started), then exit.

    Only when this process leads its group, as `processes` starts it: never the
    group of whoever ran it otherwise."""
    if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
        with contextlib.suppress(OSError):
            os.killpg(os.getpgrp(), sig)
    os._exit(128 + int(sig))


def _on_sigterm(signum: int, frame: object) -> None:
    # Pass the signal on to the whole group (the app's own children included),
    # then die of it ourselves.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _kill_group(signal.SIGTERM)


class _ChildHost(Host):
    """Runs the app's code with its serving calls taken over; announces the first."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config["spec"])
        self.launch_kwargs: dict[str, Any] = dict(config["launch_kwargs"])
        self.path: str | None = config.get("path")
        self.nonce: str = config["nonce"]
        self.launched: Any = None
        self.announced = False

    # -- the taken-over launch -------------------------------------------------------

    def is_target(self, obj: Any) -> bool:
        if self.launched is not None and obj is self.launched:
            return True  # launched again (after a close): it is still the app
        return self.launched is None and self.serving is None and super().is_target(obj)

    def launch(self, blocks: Any, given: dict[str, Any], original: Callable[..., Any]) -> Any:
        if not self.is_target(blocks):
            # Not the app under test (the spec names another attribute): remember
            # its arguments, as thread mode does, and let the script go on.
            self.recorded.calls.append((blocks, given))
            return (None, "", None)
        return self.run_launch(original, blocks, given)

    def run_launch(self, original: Any, blocks: Any, given: dict[str, Any]) -> Any:
        script_kwargs = {k: v for k, v in given.items() if k not in OWNED_LAUNCH_KWARGS}
        kwargs = {**script_kwargs, **self.launch_kwargs, "inbrowser": False}
        first = self.launched is None
        if first:
            self.launched = blocks

            def announce_then_block() -> None:
                # launch() ends in block_thread() unless told not to: by then the
                # server answers, so announce just before blocking.
                self.announce(blocks.local_url)
                type(blocks).block_thread(blocks)

            blocks.block_thread = announce_then_block
        try:
            result = launch_on_free_port(
                original, blocks, kwargs, self.spec, script_kwargs, self.launch_kwargs
            )
        finally:
            if first:
                with contextlib.suppress(AttributeError):
                    del blocks.block_thread
        if first:
            self.announce(blocks.local_url)
        return result

    # -- the taken-over uvicorn ------------------------------------------------------

    def on_serving(self, serving: Serving) -> None:
        threading.Thread(
            target=self.announce_when_started,
            args=(serving,),
            name="pytest-gradio-announce",
            daemon=True,
        ).start()

    def announce_when_started(self, serving: Serving) -> None:
        server = serving.server
        while not server.started:
            if server.should_exit:
                return  # uvicorn failed to start: it logs why, and the process exits
            time.sleep(0.01)
        try:
            mount = choose_mount(server.config.loaded_app, self.path, self.spec, serving.call)
        except GradioTestError as exc:
            self.fail(exc)
            _kill_group(signal.SIGTERM)
            return
        self.announce(mount_url(serving.port, mount, serving.scheme))

    def announce(self, url: str) -> None:
        if not self.announced:
            self.announced = True
            _emit(f"{READY_MARKER} {self.nonce} {url} {time.monotonic():.6f}")

    # -- running the app's code ------------------------------------------------------

    def run(self) -> int:
        host_whole_process(self)
        try:
            namespace = self.run_code()
            if self.launched is None and self.serving is None:
                self.serve_target(pick_target(self.spec, namespace, self.recorded))
        except GradioTestError as exc:
            self.fail(exc)
            return EXIT_LOAD_ERROR
        if self.launched is not None and self.launched.is_running:
            # The script launched with prevent_thread_lock=True and ended: keep serving.
            self.launched.block_thread()
        return 0

    def serve_target(self, target: Any) -> None:
        """The code ended without serving: serve what the spec names, as
        `demo.launch()` or `uvicorn app:app` would."""
        if is_blocks(target):
            self.run_launch(original_launch, target, launch_kwargs_of(target, self.recorded))
            return
        import uvicorn

        self.spec = dataclasses.replace(self.spec, attr=None)  # it is the target
        self.pending_call = "names an ASGI app"
        uvicorn.Server(uvicorn.Config(target, log_level="warning")).run()

    def run_code(self) -> dict[str, Any]:
        if self.spec.kind != "script":
            return import_module(self.spec)
        path = Path(self.spec.target)
        # As `python app.py` would: the script's directory first on sys.path, and argv
        # holding the script alone.
        sys.path.insert(0, str(path.parent))
        sys.argv = [str(path)]
        try:
            return runpy.run_path(str(path), run_name="__main__")
        except (SystemExit, KeyboardInterrupt, GradioTestError):
            raise
        except BaseException as exc:
            trace = short_traceback(exc)
            print(trace, file=sys.stderr, flush=True)
            raise AppLoadError(
                f"gradio app script {self.spec.describe()} raised while starting:\n"
                + trace
                + f"\nFix the script so that `python {path.name}` starts."
            ) from None

    def fail(self, exc: BaseException) -> None:
        message = {"type": type(exc).__name__, "message": str(exc)}
        _emit(f"{ERROR_MARKER} {self.nonce} {json.dumps(message)}")


def main() -> int:
    stubs.install()  # before anything imports gradio (see stubs.py)
    config = decode_config(os.environ.pop(ENV_CONFIG))
    signal.signal(signal.SIGTERM, _on_sigterm)
    if hasattr(signal, STACK_SIGNAL):
        # The parent asks for this when it gives up waiting: where the app is stuck.
        faulthandler.register(getattr(signal, STACK_SIGNAL), all_threads=False)
    _die_with_parent(config["parent_pid"], config["spawned_by_main_thread"])
    for entry in config["sys_path"]:
        if entry not in sys.path:
            sys.path.append(entry)
    return _ChildHost(config).run()


if __name__ == "__main__":
    sys.exit(main())
