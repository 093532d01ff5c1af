"""Subprocess mode, child side: run one app script or module as its own process.

`subprocess.SubprocessApp` starts this module as `python -m pytest_gradio.apps.bootstrap`.
Its orders arrive in the environment variable `PYTEST_GRADIO_BOOTSTRAP` (removed before
the app runs). It patches `gradio.Blocks.launch` so that the script's own launch call
runs where the script makes it, with the script's arguments except host, port and
share, which the plugin owns. Once the server answers it writes one line to stdout:

    __pytest_gradio_ready__ <nonce> <url> <monotonic time>

The nonce is new for every start and never reaches the app, so no other output (nor
another process on a reused port) can pass for this app being ready. If the app cannot
be loaded, it writes `__pytest_gradio_error__ <nonce> <json>` and exits with code 3.

Importing this module does nothing; only `main()` does.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import json
import os
import pickle
import runpy
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import AppLoadError, GradioTestError
from ..options import LOOPBACK, OWNED_LAUNCH_KWARGS
from .base import free_port
from .loading import LaunchCalls, import_module, pick_blocks, short_traceback

ENV_CONFIG = "PYTEST_GRADIO_BOOTSTRAP"
READY_MARKER = "__pytest_gradio_ready__"
ERROR_MARKER = "__pytest_gradio_error__"
EXIT_LOAD_ERROR = 3
_PARENT_CHECK_INTERVAL = 0.5


def encode_config(config: dict[str, Any]) -> str:
    return base64.b64encode(pickle.dumps(config)).decode("ascii")


def _decode_config(text: str) -> dict[str, Any]:
    config: dict[str, Any] = pickle.loads(base64.b64decode(text))
    return config


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


class _Runner:
    """Runs the app's code with `Blocks.launch` patched; announces the first launch."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.spec = config["spec"]
        self.launch_kwargs: dict[str, Any] = dict(config["launch_kwargs"])
        self.nonce: str = config["nonce"]
        self.launched: Any = None
        self.announced = False
        self.recorded = LaunchCalls()
        self.original_launch: Any = None

    # -- the patched launch ----------------------------------------------------------

    def patch(self) -> None:
        import gradio

        original = self.original_launch = gradio.Blocks.launch
        signature = inspect.signature(original)
        runner = self

        def launch(blocks: Any, *args: Any, **kwargs: Any) -> Any:
            given = dict(signature.bind(blocks, *args, **kwargs).arguments)
            given.pop("self", None)
            if runner.is_target(blocks, sys._getframe(1)):
                return runner.launch(original, blocks, given)
            # Not the app under test (the spec names another attribute): remember
            # its arguments, as thread mode does, and let the script go on.
            runner.recorded.calls.append((blocks, given))
            return (None, "", None)

        gradio.Blocks.launch = launch  # type: ignore[method-assign,assignment]

    def is_target(self, blocks: Any, caller: Any) -> bool:
        if self.launched is not None or self.spec.attr is None:
            return True
        return bool(caller.f_globals.get(self.spec.attr) is blocks)

    def launch(self, original: Any, blocks: Any, given: dict[str, Any]) -> Any:
        kwargs = {k: v for k, v in given.items() if k not in OWNED_LAUNCH_KWARGS}
        kwargs.update(self.launch_kwargs)
        kwargs.update(server_name=LOOPBACK, share=False, inbrowser=False)
        first = self.launched is None
        if first:
            self.launched = blocks

            def announce_then_block() -> None:
                # launch() ends in block_thread() unless told not to: by then the
                # server answers, so announce just before blocking.
                self.announce(blocks)
                type(blocks).block_thread(blocks)

            blocks.block_thread = announce_then_block
        try:
            for attempt in range(3):
                kwargs["server_port"] = free_port()
                try:
                    result = original(blocks, **kwargs)
                except OSError as exc:
                    # The free port was taken between choosing and binding it.
                    if attempt < 2 and "port" in str(exc).lower():
                        continue
                    raise
                break
        finally:
            if first:
                with contextlib.suppress(AttributeError):
                    del blocks.block_thread
        if first:
            self.announce(blocks)
        return result

    def announce(self, blocks: Any) -> None:
        if not self.announced:
            self.announced = True
            _emit(f"{READY_MARKER} {self.nonce} {blocks.local_url} {time.monotonic():.6f}")

    # -- running the app's code ------------------------------------------------------

    def run(self) -> int:
        self.patch()
        try:
            if self.spec.kind == "script":
                namespace = self.run_script()
            else:
                namespace = import_module(self.spec)
            if self.launched is None:
                blocks = pick_blocks(self.spec, namespace, self.recorded)
                kwargs: dict[str, Any] = {}
                for recorded, given in self.recorded.calls:
                    if recorded is blocks:
                        kwargs = given
                # The script did not launch it: launch it as `demo.launch()` would.
                self.launch(self.original_launch, blocks, kwargs)
        except GradioTestError as exc:
            self.fail(exc)
            return EXIT_LOAD_ERROR
        if self.launched is not None and self.launched.is_running:
            # The script launched with prevent_thread_lock=True and ended: keep serving.
            self.launched.block_thread()
        return 0

    def run_script(self) -> dict[str, Any]:
        path = Path(self.spec.target)
        # As `python app.py` would: the script's directory first on sys.path, and argv
        # holding the script alone.
        sys.path.insert(0, str(path.parent))
        sys.argv = [str(path)]
        try:
            return runpy.run_path(str(path), run_name="__main__")
        except (SystemExit, KeyboardInterrupt):
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
    config = _decode_config(os.environ.pop(ENV_CONFIG))
    signal.signal(signal.SIGTERM, _on_sigterm)
    _die_with_parent(config["parent_pid"], config["spawned_by_main_thread"])
    for entry in config["sys_path"]:
        if entry not in sys.path:
            sys.path.append(entry)
    return _Runner(config).run()


if __name__ == "__main__":
    sys.exit(main())
