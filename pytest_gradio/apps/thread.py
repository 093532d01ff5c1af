"""Thread mode: the app served in this process.

A script or module runs on a thread of its own ("the app's code thread"), bounded by
`startup_timeout`: its `demo.launch(...)` or `uvicorn.run(...)` is taken over (see
loading.py) and really served there, on loopback, so code after `launch()` that reads
`demo.local_url` runs as under `python app.py`, and a script that blocks afterwards
(`while True: sleep`) blocks only its own thread. A script that neither serves nor
ends in time fails with where it is stuck. A script that ends without serving gets
its Blocks (or the ASGI app its spec names) served by the plugin.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import deadlines
from ..errors import AppLoadError, AppStartError
from ..options import DEFAULT_STARTUP_TIMEOUT, LOOPBACK, OWNED_LAUNCH_KWARGS, AppOptions
from ..patches import FASTAPI_CALLABLE_CACHES
from ..specs import AppSpec, is_blocks
from .asgi import choose_mount, mount_url
from .base import GradioApp, launch_on_free_port, wait_for_gradio
from .environment import owned_environment
from .loading import (
    AppStopped,
    Host,
    Serving,
    end_loading,
    hosting,
    install_patches,
    launch_kwargs_of,
    original_launch,
    pick_target,
    run_app_code,
    stop_thread,
    where_blocked,
)
from .serverlog import (
    capture_tracebacks,
    capture_warnings,
    release_tracebacks,
    release_warnings,
)

# Launch arguments thread mode forces: the server must not block the test process,
# print, or open a browser.
FORCED_LAUNCH_KWARGS: dict[str, Any] = {
    "prevent_thread_lock": True,
    "inbrowser": False,
    "inline": False,
    "debug": False,
    "quiet": True,
}
# How long a stopped app's code thread gets to end.
_STOP_GRACE = 3.0
# How long a closing server lets requests under way finish before uvicorn cancels them.
_SHUTDOWN_GRACE = 1.0
# How long a launch() under way when the start-up deadline comes may still take.
_LAUNCH_GRACE = 15.0
_POLL = 0.02
# What a server thread would otherwise import on first use. anyio (which uvicorn and
# starlette run on) imports its names lazily, and pytest rewrites anyio's modules as
# they are imported (anyio is a pytest plugin), parsing them with `ast`. On CPython
# 3.11, `ast` run on two threads at once can fail with "SystemError: AST constructor
# recursion depth mismatch" (cpython gh-106905, pytest #10763): a test thread
# compiling while the server imports `anyio.open_file` for a download made that
# download a 500. Imported here, on the test's thread, before the server starts.
_SERVER_LAZY_IMPORTS = (
    "anyio",
    "anyio.abc",
    "anyio.to_thread",
    "anyio.from_thread",
    "anyio._backends._asyncio",
)


class ThreadApp(GradioApp):
    """A Blocks launched in this process, on a server thread."""

    def __init__(self, spec: AppSpec, options: AppOptions, blocks: Any) -> None:
        self.blocks = blocks
        super().__init__(spec, options, url="", mode="thread")
        self._handler = _ListHandler(self._log)
        self.code: _CodeThread | None = None

    def start(self, script_launch_kwargs: Mapping[str, Any]) -> Any:
        """Launch on loopback and a free port; return what launch() returned."""
        kwargs = {**script_launch_kwargs, **self.options.launch_kwargs, **FORCED_LAUNCH_KWARGS}
        _align_file_cache(self.blocks)
        for logger in _server_loggers():
            logger.addHandler(self._handler)
        handlers = _signal_handlers()
        try:
            with owned_environment():
                result = launch_on_free_port(
                    original_launch,
                    self.blocks,
                    kwargs,
                    self.spec,
                    script_launch_kwargs,
                    self.options.launch_kwargs,
                )
        except BaseException:
            self._detach_logs()
            raise
        finally:
            _put_back(handlers)
        self.url = str(self.blocks.local_url)
        capture_tracebacks(self.blocks.server.thread, self._log)
        capture_warnings(self.blocks.server, self._log)
        return result

    def is_alive(self) -> bool:
        server = getattr(self.blocks, "server", None)
        thread = getattr(server, "thread", None)
        return bool(self.blocks.is_running and thread is not None and thread.is_alive())

    def close(self) -> None:
        super().close()
        _bound_graceful_shutdown(getattr(self.blocks, "server", None))
        with contextlib.redirect_stdout(None):
            self.blocks.close(verbose=False)
        _stop_node(self.blocks)
        self._detach_logs()
        if self.code is not None:
            self.code.stop()
        release_closed_apps()

    def _detach_logs(self) -> None:
        for logger in _server_loggers():
            logger.removeHandler(self._handler)
        server = getattr(self.blocks, "server", None)
        release_tracebacks(getattr(server, "thread", None))
        release_warnings(server)


def _bound_graceful_shutdown(server: Any) -> None:
    """Let uvicorn cancel what still runs `_SHUTDOWN_GRACE` seconds after the app is
    told to stop. gradio's close() waits 5 s for the server thread and then leaves it
    running: a request still streaming (a job of a client the plugin does not own, a
    fire-and-forget job) held every such close for those 5 s, and the thread, with
    its app, lived on after them."""
    config = getattr(server, "config", None)
    if config is not None and hasattr(config, "timeout_graceful_shutdown"):
        config.timeout_graceful_shutdown = _SHUTDOWN_GRACE


def _signal_handlers() -> dict[int, Any]:
    """The test process's SIGINT and SIGTERM handlers (only the main thread sets them)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}


def _put_back(handlers: dict[int, Any]) -> None:
    """Undo what launch() did to them: with SSR, gradio's launch() makes both stop its
    Node server and exit(0), so a Ctrl-C ended pytest with "Stopping Node.js server..."
    and status 0. The plugin stops that server with its app (`_stop_node`)."""
    for sig, handler in handlers.items():
        if handler is not None and signal.getsignal(sig) is not handler:
            signal.signal(sig, handler)


def _stop_node(blocks: Any) -> None:
    """Stop the Node server gradio started for SSR (GRADIO_SSR_MODE, ssr_mode=True),
    a child of the test process: gradio's close() leaves it running (gradio stops it
    only on a signal to the process), and it outlived the test run."""
    node = getattr(blocks, "node_process", None)
    if node is None or node.poll() is not None:
        return
    node.terminate()
    try:
        node.wait(timeout=_STOP_GRACE)
    except subprocess.TimeoutExpired:
        node.kill()
        node.wait(timeout=_STOP_GRACE)


class AsgiThreadApp(GradioApp):
    """An ASGI app with Gradio mounted (FastAPI, Starlette), served by uvicorn in this
    process: on the thread of the script's own `uvicorn.run(...)`, or on one of ours
    for a spec that names the app (`app.py:app`)."""

    def __init__(self, spec: AppSpec, options: AppOptions, serving: Serving) -> None:
        super().__init__(spec, options, url="", mode="thread")
        self.serving = serving
        self.mount = "/"
        self.code: _CodeThread | None = None
        self._handler = _ListHandler(self._log)
        for logger in _server_loggers():
            logger.addHandler(self._handler)
        capture_warnings(serving.server, self._log)

    def wait_ready(self, deadline: float, code_ended: Callable[[], bool]) -> None:
        server = self.serving.server
        while not server.started:
            if code_ended() or server.should_exit:
                raise AppStartError(
                    f"gradio app {self.spec.describe()} {self.serving.call}; the plugin "
                    f"served it on {LOOPBACK}, but uvicorn stopped before it started "
                    f"(see its log below). Its log:\n{_indent(self.logs())}"
                )
            if time.monotonic() > deadline:
                raise AppStartError(
                    f"gradio app {self.spec.describe()} {self.serving.call}; the plugin "
                    f"served it on {LOOPBACK}, but uvicorn had not started within the "
                    "startup timeout. Raise startup_timeout / --gradio-startup-timeout "
                    "if its start-up (lifespan) takes longer."
                )
            time.sleep(_POLL)
        app = server.config.loaded_app
        self.mount = choose_mount(app, self.options.path, self.spec, self.serving.call)
        self.url = mount_url(self.serving.port, self.mount, self.serving.scheme)
        wait_for_gradio(self.url, self.spec, max(0.5, deadline - time.monotonic()))

    def is_alive(self) -> bool:
        server = self.serving.server
        if self.code is not None and not self.code.thread.is_alive():
            return False
        return bool(server.started and not server.should_exit)

    def close(self) -> None:
        super().close()
        server = self.serving.server
        if self.code is not None:
            self.code.host.closed.set()  # the script ends where it served
        server.should_exit = True
        if self.code is not None:
            self.code.thread.join(_STOP_GRACE)
            if self.code.thread.is_alive():
                # Open streams hold a graceful shutdown: cut them.
                server.force_exit = True
            self.code.stop()
        for logger in _server_loggers():
            logger.removeHandler(self._handler)
        release_warnings(server)
        release_closed_apps()


# --- the app's code on its own thread --------------------------------------------------


class _ThreadHost(Host):
    """Serves what the app's code launches, in this process, as the code runs."""

    def __init__(self, spec: AppSpec, options: AppOptions) -> None:
        super().__init__(spec)
        self.options = options
        self.app: ThreadApp | None = None
        self.error: BaseException | None = None
        self.event = threading.Event()  # the code served, failed to, or ended
        self.launching = threading.Event()  # its launch() is under way
        self.asgi: AsgiThreadApp | None = None  # what it serves with uvicorn, if it does

    def is_target(self, obj: Any) -> bool:
        return self.app is None and super().is_target(obj)

    def launch(self, blocks: Any, given: dict[str, Any], original: Callable[..., Any]) -> Any:
        if self.closed.is_set():
            raise AppStopped
        if not self.is_target(blocks):
            # Not the app under test (the spec names another one): remember its
            # arguments and let the script go on.
            self.recorded.calls.append((blocks, given))
            return (None, "", None)
        app = ThreadApp(self.spec, self.options, blocks)
        kwargs = {k: v for k, v in given.items() if k not in OWNED_LAUNCH_KWARGS}
        self.launching.set()
        try:
            result = app.start(kwargs)
        except BaseException as exc:
            self.error = exc
            self.event.set()
            raise AppStopped from None
        if self.closed.is_set():
            # The plugin gave up on this app while it launched: nobody will stop it.
            app.close()
            raise AppStopped
        self.app = app
        self.event.set()
        if given.get("prevent_thread_lock") or given.get("inline"):
            return result
        # As under `python app.py`, launch() blocks until the server stops; then the
        # plugin ends the script here (nothing after launch() runs at teardown).
        self.closed.wait()
        raise AppStopped

    def on_serving(self, serving: Serving) -> None:
        # Here, on the serving thread before uvicorn starts, not once the test's
        # thread takes the app over: what uvicorn logs as it starts (a lifespan that
        # fails) would be logged before anyone listened.
        self.asgi = AsgiThreadApp(self.spec, self.options, serving)
        self.event.set()


class _CodeThread:
    """The app's code running on its own daemon thread, with its calls hosted."""

    def __init__(self, host: _ThreadHost) -> None:
        self.host = host
        self.namespace: dict[str, Any] | None = None
        self.error: BaseException | None = None
        # Set when the app's code has ended, before its waiters are woken.
        self.ended = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"pytest-gradio-app {host.spec.raw or host.spec.target}"
        )
        self.thread.daemon = True

    def _run(self) -> None:
        try:
            with hosting(self.host):
                self.namespace = run_app_code(self.host.spec)
        except AppStopped:
            pass
        except BaseException as exc:
            self.error = exc
        finally:
            self.ended.set()
            self.host.event.set()

    def running(self) -> bool:
        """Whether the app's code still runs. Not `thread.is_alive()` alone: the
        thread is alive for a moment after it woke the start's wait, and a start
        that asked then took a script that had ended for one stuck in its loading
        (seen once in CI: "neither served a Gradio app nor finished loading within
        60 s" after 0.2 s, the thread in threading's `_delete`)."""
        return not self.ended.is_set() and self.thread.is_alive()

    def stop(self, grace: float = _STOP_GRACE) -> None:
        """End the app's code: release a launch() that blocks, and interrupt a script
        that loops after it. Bounded; a thread stuck in C is left (a daemon)."""
        self.host.closed.set()
        end_loading(self.host)
        self.thread.join(min(0.2, grace))  # a launch() that blocks ends at once
        stop_thread(self.thread, grace)


@contextlib.contextmanager
def _restored_main() -> Iterator[None]:
    """`__main__` and `sys.argv` as they were, once loading is over, even while the
    script's code still runs on its thread (runpy swaps both for the script's run)."""
    main, argv = sys.modules.get("__main__"), sys.argv
    try:
        yield
    finally:
        if main is not None and sys.modules.get("__main__") is not main:
            sys.modules["__main__"] = main
        sys.argv = argv


def release_closed_apps() -> None:
    """Let the apps this process closed be freed: empty FastAPI's caches of route
    functions. Why: each of those caches keeps the last 4096 route functions it saw
    (about 80 gradio apps), and a route function holds its app, so a closed
    in-process app and all it built (its Blocks, routes, pydantic models: about
    100,000 objects) stayed in memory, and every full garbage collection of the
    process walked them (a worker of this project's suite held 1.6 million objects
    after 60 tests). Emptying them only drops memoised answers, which FastAPI works
    out again on the next request of an app still serving."""
    models = sys.modules.get("fastapi.dependencies.models")
    for name in FASTAPI_CALLABLE_CACHES:
        cache_clear = getattr(getattr(models, name, None), "cache_clear", None)
        if cache_clear is not None:
            cache_clear()


def start_thread_app(spec: AppSpec, options: AppOptions) -> GradioApp:
    """Load the app in this process and serve it on loopback; return it once it answers."""
    _import_server_modules()
    # gradio is imported (and the patches put in) before the clock starts: the
    # plugin's own import is not the app's start-up.
    install_patches()
    # The app's code runs with the environment its process would have in subprocess
    # mode (GRADIO_ROOT_PATH is read when a Blocks is built), until it is served.
    with owned_environment():
        return _start(spec, options)


def _start(spec: AppSpec, options: AppOptions) -> GradioApp:
    if spec.kind == "blocks":
        app = ThreadApp(spec, options, spec.blocks)
        app.start({})
        return app
    timeout = options.startup_timeout or DEFAULT_STARTUP_TIMEOUT
    wait, cut = deadlines.bound(timeout)  # never past the test's pytest-timeout
    deadline = time.monotonic() + (wait if wait is not None else timeout)
    host = _ThreadHost(spec, options)
    code = _CodeThread(host)
    with _restored_main():
        code.thread.start()
        host.event.wait(max(0.0, deadline - time.monotonic()))
        end_loading(host)
        try:
            return _take_over(spec, options, host, code, deadline, cut, timeout)
        except BaseException:
            code.stop(grace=0.5)  # the error matters more than a stuck thread's end
            if host.asgi is not None:
                host.asgi.close()  # its server, and its hold on the loggers
            raise


def _import_server_modules() -> None:
    """Import now, on this thread, what a server thread would import lazily (see
    `_SERVER_LAZY_IMPORTS`): every name of anyio's lazy namespaces included."""
    for name in _SERVER_LAZY_IMPORTS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for attr in dir(module):
                with contextlib.suppress(Exception):
                    getattr(module, attr)


def _take_over(
    spec: AppSpec,
    options: AppOptions,
    host: _ThreadHost,
    code: _CodeThread,
    deadline: float,
    cut: bool,
    timeout: float,
) -> GradioApp:
    if host.error is not None:
        raise host.error
    if host.app is not None:
        host.app.code = code
        return host.app
    if host.asgi is not None:
        return _ready_asgi_app(host.asgi, code, deadline)
    # The deadline came while launch() was starting the server: that start is bounded
    # by gradio itself (a few seconds); wait for its outcome.
    launch_under_way = host.launching.is_set() and not host.event.is_set()
    if code.running() and launch_under_way and host.event.wait(_LAUNCH_GRACE):
        return _take_over(spec, options, host, code, deadline, cut, timeout)
    if code.running():
        raise _stuck_error(spec, code, cut, timeout)
    if code.error is not None:
        raise code.error
    if code.namespace is None:  # the code was stopped
        raise AppLoadError(f"gradio app {spec.describe()} was stopped while loading.")
    target = pick_target(spec, code.namespace, host.recorded)
    return _serve_target(spec, options, host, target, deadline)


def _serve_target(
    spec: AppSpec, options: AppOptions, host: _ThreadHost, target: Any, deadline: float
) -> GradioApp:
    """The script ended without serving: serve its Blocks or its ASGI app ourselves."""
    if is_blocks(target):
        app = ThreadApp(spec, options, target)
        app.start(launch_kwargs_of(target, host.recorded))
        return app
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(target, log_level="warning", log_config=None))
    # The spec named this app: whatever it is called, it is the target.
    runner = _ThreadHost(dataclasses.replace(spec, attr=None), options)
    runner.pending_call = "names an ASGI app"
    code = _CodeThread(runner)
    code.thread = threading.Thread(
        target=_serve_forever, args=(runner, server), name="pytest-gradio-uvicorn", daemon=True
    )
    code.thread.start()
    runner.event.wait(max(0.0, deadline - time.monotonic()))
    if runner.asgi is None:
        code.stop()
        raise AppStartError(f"gradio app {spec.describe()}: uvicorn did not start serving it.")
    return _ready_asgi_app(runner.asgi, code, deadline)


def _ready_asgi_app(asgi: AsgiThreadApp, code: _CodeThread, deadline: float) -> AsgiThreadApp:
    """The ASGI app uvicorn serves for `code`, once its Gradio mount answers (or an
    error, with the server stopped)."""
    asgi.code = code
    try:
        asgi.wait_ready(deadline, lambda: not code.thread.is_alive())
    except BaseException:
        asgi.close()
        raise
    return asgi


def _serve_forever(host: _ThreadHost, server: Any) -> None:
    try:
        with hosting(host, loading=False):
            server.run()
    except AppStopped:
        pass
    except BaseException as exc:  # reported by wait_ready from the log and the thread's end
        host.error = exc
    finally:
        host.event.set()


def _stuck_error(spec: AppSpec, code: _CodeThread, cut: bool, timeout: float) -> AppStartError:
    when = (
        f"when the test's deadline came ({deadlines.explain()})"
        if cut
        else f"within {timeout:g} s (startup_timeout)"
    )
    return AppStartError(
        f"gradio app {spec.describe()} neither served a Gradio app nor finished loading "
        f"{when}. It is still running here:\n{_indent(where_blocked(code.thread, spec))}\n"
        "The plugin takes over demo.launch(), uvicorn.run() and uvicorn.Server(...).run()/"
        ".serve(); a script that serves some other way, or waits before serving, cannot "
        "run in thread mode. Serve the app with one of those, name the app object in the "
        "spec (app.py:demo, app.py:app), raise startup_timeout if loading is only slow, "
        "or start the app yourself and give its URL."
    )


def _align_file_cache(blocks: Any) -> None:
    """Keep the app's output files where its server will serve them from.

    Each component fixes its file cache (`GRADIO_CACHE`, from GRADIO_TEMP_DIR) when it
    is built, and the server allows downloads from the upload folder current when
    it is launched. A Blocks built before the session set GRADIO_TEMP_DIR (at import
    of a test module) would save outputs where its server refuses them (403): its
    components are pointed at the current folder.
    """
    from gradio.utils import get_upload_folder

    current = get_upload_folder()
    for block in [blocks, *getattr(blocks, "blocks", {}).values()]:
        if getattr(block, "GRADIO_CACHE", current) != current:
            block.GRADIO_CACHE = current


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()) or "    (empty)"


class _ListHandler(logging.Handler):
    def __init__(self, sink: deque[str]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.sink.extend(self.format(record).splitlines())


def _server_loggers() -> list[logging.Logger]:
    return [logging.getLogger(name) for name in ("gradio", "uvicorn.error")]
