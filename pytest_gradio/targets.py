"""Starting and finding apps: load a Blocks, launch it on loopback, or check a URL.

gradio is imported here only inside the functions that launch a local app, so that
importing the plugin stays free.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import runpy
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import deadlines
from .errors import AppLoadError, AppSpecError, AppStartError, NotAGradioAppError
from .serverlog import LogBuffer, capture_tracebacks, release_tracebacks
from .specs import AppSpec, is_blocks

if TYPE_CHECKING:
    from .recording import GradioClient

MODES = ("thread", "subprocess")
TRANSPORTS = ("fast", "stock")
DEFAULT_STARTUP_TIMEOUT = 60.0
DEFAULT_URL_STARTUP_TIMEOUT = 10.0
DEFAULT_JOB_TIMEOUT = 60.0

# The plugin owns where the server listens: always loopback, a free port chosen
# here, never a share link. Everything else the script passes to launch() is kept.
OWNED_LAUNCH_KWARGS = ("server_name", "server_port", "share")
_FORCED_LAUNCH_KWARGS: dict[str, Any] = {
    "prevent_thread_lock": True,
    "inbrowser": False,
    "inline": False,
    "debug": False,
    "quiet": True,
}
LOOPBACK = "127.0.0.1"
_LOG_LINES = 2000


@dataclass(frozen=True)
class AppOptions:
    """How to start and talk to an app. None means "the default for this kind of app"."""

    mode: str | None = None
    launch_kwargs: Mapping[str, Any] = field(default_factory=dict)
    client_kwargs: Mapping[str, Any] = field(default_factory=dict)
    startup_timeout: float | None = None
    job_timeout: float | None = None
    token: str | None = field(default=None, repr=False)
    transport: str | None = None

    def key(self) -> tuple[Any, ...]:
        # repr, not hash: kwargs values may be lists or dicts.
        return (
            self.mode,
            repr(sorted(self.launch_kwargs.items())),
            repr(sorted(self.client_kwargs.items())),
            self.startup_timeout,
            self.job_timeout,
            self.token,
            self.transport,
        )


def free_port() -> int:
    """A port nobody listens on right now, on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class GradioApp:
    """A running app that tests talk to: `url`, `mode`, `logs()`, `client()`.

    >>> gradio_app.client().predict(1, 2, api_name="/add")
    3.0
    """

    def __init__(self, spec: AppSpec, options: AppOptions, url: str, mode: str) -> None:
        self.spec = spec
        self.options = options
        self.url = url
        self.mode = mode
        self.job_timeout = options.job_timeout or DEFAULT_JOB_TIMEOUT
        self.restarts = 0
        self._log = LogBuffer(maxlen=_LOG_LINES)
        self._template: GradioClient | None = None

    def __repr__(self) -> str:
        return f"<GradioApp {self.spec.describe()} mode={self.mode} url={self.url}>"

    def logs(self, since: int | None = None) -> str:
        """The server's output captured so far (the last few thousand lines); with
        `since=app.log_mark()`, only what was logged after that mark."""
        return "\n".join(self._log if since is None else self._log.since(since))

    def log_mark(self) -> int:
        """A mark for `logs(since=...)`: how many lines were logged so far."""
        return self._log.total

    def client(self, **client_kwargs: Any) -> GradioClient:
        """A new client of this app with its own session.

        Without arguments it is cloned from a template client kept for the app, so it
        costs a few milliseconds: the app's config and API info are not fetched again
        and the connection pool is shared.
        """
        if client_kwargs:
            client = self._new_client(client_kwargs)
        else:
            if self._template is None:
                self._template = self._new_client({})
            client = self._template.clone()
        client.job_timeout = self.job_timeout
        return client

    def _new_client(self, client_kwargs: Mapping[str, Any]) -> GradioClient:
        from .lifecycle import create_client

        kwargs = {**self.options.client_kwargs, **client_kwargs}
        kwargs.setdefault("transport", self.options.transport or "fast")
        session_temp = os.environ.get("GRADIO_TEMP_DIR")
        if session_temp:
            # Explicit, because gradio_client fixes its default download directory
            # when it is imported, which may be before the session set this.
            kwargs.setdefault("download_files", os.path.join(session_temp, "downloads"))
        if _is_space(self.spec):
            kwargs.setdefault("token", self.options.token)
        else:
            # gradio_client would send HF_TOKEN (or the saved login) to any app; the
            # token is for the Hub and Spaces only.
            kwargs.setdefault("token", False)
        # The startup timeout bounds each request a new client makes to load the app.
        timeout = self.options.startup_timeout or DEFAULT_URL_STARTUP_TIMEOUT
        return create_client(self.url, kwargs, timeout=timeout, what=self.spec.describe())

    def is_alive(self) -> bool:
        return True

    def close(self) -> None:
        """Stop the app if the plugin started it, and the clients' shared pool."""
        if self._template is not None:
            template, self._template = self._template, None
            template.close()


def _is_space(spec: AppSpec) -> bool:
    if spec.kind == "space":
        return True
    if spec.kind != "url":
        return False
    from urllib.parse import urlsplit

    return (urlsplit(spec.target).hostname or "").endswith(".hf.space")


class ThreadApp(GradioApp):
    """A Blocks launched in this process, on a server thread."""

    def __init__(self, spec: AppSpec, options: AppOptions, blocks: Any) -> None:
        self.blocks = blocks
        super().__init__(spec, options, url="", mode="thread")
        self._handler = _ListHandler(self._log)

    def start(self, script_launch_kwargs: Mapping[str, Any]) -> None:
        kwargs = {**script_launch_kwargs, **self.options.launch_kwargs, **_FORCED_LAUNCH_KWARGS}
        kwargs["share"] = False
        kwargs["server_name"] = LOOPBACK
        for logger in _server_loggers():
            logger.addHandler(self._handler)
        last_error: BaseException | None = None
        # A free port can be taken between choosing and binding it: try a few.
        for _ in range(3):
            kwargs["server_port"] = free_port()
            try:
                self.blocks.launch(**kwargs)
            except OSError as exc:
                last_error = exc
                continue
            except Exception as exc:
                self._detach_logs()
                raise AppStartError(
                    f"gradio app {self.spec.describe()} failed in launch(): "
                    f"{type(exc).__name__}: {exc}. Check the launch arguments "
                    f"(script's own: {sorted(script_launch_kwargs)}, "
                    f"launch_kwargs: {sorted(self.options.launch_kwargs)})."
                ) from exc
            self.url = str(self.blocks.local_url)
            capture_tracebacks(self.blocks.server.thread, self._log)
            return
        self._detach_logs()
        raise AppStartError(
            f"gradio app {self.spec.describe()} could not bind a free port on "
            f"{LOOPBACK}: {last_error}. Another process may be racing for ports; rerun."
        )

    def is_alive(self) -> bool:
        server = getattr(self.blocks, "server", None)
        thread = getattr(server, "thread", None)
        return bool(self.blocks.is_running and thread is not None and thread.is_alive())

    def close(self) -> None:
        super().close()
        with contextlib.redirect_stdout(None):
            self.blocks.close(verbose=False)
        self._detach_logs()

    def _detach_logs(self) -> None:
        for logger in _server_loggers():
            logger.removeHandler(self._handler)
        server = getattr(self.blocks, "server", None)
        release_tracebacks(getattr(server, "thread", None))


class UrlApp(GradioApp):
    """An app that already runs somewhere the plugin can reach."""

    def __init__(self, spec: AppSpec, options: AppOptions) -> None:
        super().__init__(spec, options, url=spec.target, mode="url")

    def wait_ready(self) -> None:
        wait_for_gradio(self.url, self.spec, self.options.startup_timeout)

    def is_alive(self) -> bool:
        return True


def wait_for_gradio(url: str, spec: AppSpec, timeout: float | None) -> dict[str, Any]:
    """Wait until `url` serves a Gradio config; return it. Bounded by `timeout`."""
    import httpx

    budget = timeout if timeout is not None else DEFAULT_URL_STARTUP_TIMEOUT
    wait, cut = deadlines.bound(budget)
    deadline = time.monotonic() + (wait if wait is not None else budget)
    last = "no answer"
    delay = 0.05
    config_url = url + "config"
    while True:
        try:
            per_request = max(0.1, min(5.0, deadline - time.monotonic()))
            response = httpx.get(config_url, timeout=per_request)
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__}: {exc or 'no details'}"
        else:
            if response.status_code in (429, 502, 503, 504):
                last = f"HTTP {response.status_code}"
            else:
                return _gradio_config(response, url, spec)
        if time.monotonic() + delay > deadline:
            if cut:
                raise AppStartError(
                    f"gradio app {spec.describe()} did not answer at {config_url} before "
                    f"the test's deadline (last: {last}): {deadlines.explain()}."
                )
            raise AppStartError(
                f"gradio app {spec.describe()} did not answer at {config_url} within "
                f"{budget:g} s (last: {last}). Check that the app runs and the URL is right, "
                "or raise startup_timeout / --gradio-startup-timeout."
            )
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _gradio_config(response: Any, url: str, spec: AppSpec) -> dict[str, Any]:
    hint = (
        "It does not look like a Gradio app; if the app is mounted under a path, "
        "include that path in the URL."
    )
    if response.status_code == 401:
        raise NotAGradioAppError(
            f"gradio app {spec.describe()} requires login (HTTP 401 from {url}config). "
            "Pass credentials with client_kwargs={'auth': (user, password)}."
        )
    if response.status_code != 200:
        raise NotAGradioAppError(
            f"{url} (from {spec.source}) answered HTTP {response.status_code} for /config. {hint}"
        )
    try:
        config = response.json()
    except ValueError:
        config = None
    if not isinstance(config, dict) or "dependencies" not in config:
        raise NotAGradioAppError(
            f"{url} (from {spec.source}) answered /config without a Gradio config. {hint}"
        )
    return config


# --- loading a Blocks from a script or module ---------------------------------------


@dataclass
class _LaunchCalls:
    calls: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)


_intercept_lock = threading.Lock()


@contextlib.contextmanager
def _intercept_launch() -> Iterator[_LaunchCalls]:
    """Turn `Blocks.launch` into a recorder while an app module is imported.

    Why: scripts call `demo.launch(server_name="0.0.0.0", server_port=7860)` at
    module level or under `__main__`; the plugin must see those arguments, keep the
    ones it does not own, and launch on loopback itself.
    """
    import gradio

    recorded = _LaunchCalls()

    def recording_launch(self: Any, *args: Any, **kwargs: Any) -> tuple[Any, str, None]:
        if args:
            kwargs["inline"] = args[0]
        recorded.calls.append((self, kwargs))
        return (None, "", None)

    with _intercept_lock:
        original = gradio.Blocks.launch
        gradio.Blocks.launch = recording_launch  # type: ignore[method-assign,assignment]
        try:
            yield recorded
        finally:
            gradio.Blocks.launch = original  # type: ignore[method-assign]


def load_blocks(spec: AppSpec) -> tuple[Any, dict[str, Any]]:
    """Import the app of a local spec; return its Blocks and the script's launch kwargs."""
    if spec.kind == "blocks":
        return spec.blocks, {}
    with _intercept_launch() as launches:
        namespace = _run_script(spec) if spec.kind == "script" else _import_module(spec)
        blocks = _pick_blocks(spec, namespace, launches)
    launch_kwargs: dict[str, Any] = {}
    for launched, kwargs in launches.calls:
        if launched is blocks:
            launch_kwargs = {k: v for k, v in kwargs.items() if k not in OWNED_LAUNCH_KWARGS}
    return blocks, launch_kwargs


def _run_script(spec: AppSpec) -> dict[str, Any]:
    path = Path(spec.target)
    directory = str(path.parent)
    # The script's siblings must be importable, as when it runs as `python app.py`.
    if directory not in sys.path:
        sys.path.insert(0, directory)
    saved_argv = sys.argv
    # Why run it as __main__: a launch() under `if __name__ == "__main__"` carries the
    # script's own launch arguments. argv is the script alone, so an argparse there
    # does not read pytest's arguments.
    sys.argv = [str(path)]
    try:
        return runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exc:
        raise AppLoadError(
            f"gradio app script {spec.describe()} called exit({exc.code}) while being "
            "imported. Keep the app importable: build the Blocks at module level and "
            "exit only from code the plugin does not run."
        ) from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise AppLoadError(
            f"gradio app script {spec.describe()} raised while being imported:\n"
            + _short_traceback(exc)
            + "\nFix the script so that `python "
            + path.name
            + "` starts."
        ) from None
    finally:
        sys.argv = saved_argv


def _import_module(spec: AppSpec) -> dict[str, Any]:
    try:
        module = importlib.import_module(spec.target)
    except ModuleNotFoundError as exc:
        if exc.name and spec.target.startswith(exc.name):
            raise AppSpecError(
                f"gradio app module {spec.target!r} from {spec.source} cannot be imported: "
                f"no module named {exc.name!r}. Install the package, run pytest from the "
                "directory that holds it, or give a script path (app.py:demo) instead."
            ) from None
        raise AppLoadError(
            f"gradio app module {spec.describe()} raised while being imported:\n"
            + _short_traceback(exc)
        ) from None
    except Exception as exc:
        raise AppLoadError(
            f"gradio app module {spec.describe()} raised while being imported:\n"
            + _short_traceback(exc)
        ) from None
    return dict(vars(module))


def _pick_blocks(spec: AppSpec, namespace: dict[str, Any], launches: _LaunchCalls) -> Any:
    found = sorted(name for name, value in namespace.items() if is_blocks(value))
    where = "script" if spec.kind == "script" else "module"
    if spec.attr is not None:
        if spec.attr not in namespace:
            raise AppLoadError(
                f"gradio app {where} {spec.describe()} has no attribute {spec.attr!r}. "
                f"Blocks found at module level: {found or 'none'}."
            )
        value = namespace[spec.attr]
        if is_blocks(value):
            return value
        if callable(value):
            try:
                value = value()
            except Exception as exc:
                raise AppLoadError(
                    f"gradio app factory {spec.attr}() in {spec.describe()} raised:\n"
                    + _short_traceback(exc)
                ) from None
            if is_blocks(value):
                return value
        raise AppLoadError(
            f"{spec.attr!r} in gradio app {where} {spec.describe()} is a "
            f"{type(value).__name__}, not a gr.Blocks (nor a zero-argument function "
            f"returning one). Blocks found at module level: {found or 'none'}."
        )
    if "demo" in found:
        return namespace["demo"]
    if len(found) == 1:
        return namespace[found[0]]
    launched = {id(b): b for b, _ in launches.calls}
    if len(launched) == 1:
        return next(iter(launched.values()))
    if not found:
        raise AppLoadError(
            f"gradio app {where} {spec.describe()} defines no gr.Blocks at module level. "
            "Assign it to a name (demo = gr.Blocks() ...) or name a factory: "
            f"{spec.raw or spec.target}:make_demo."
        )
    raise AppLoadError(
        f"gradio app {where} {spec.describe()} defines several Blocks ({', '.join(found)}); "
        f"say which one: {spec.raw or spec.target}:{found[0]}."
    )


def _short_traceback(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    # Drop the frames of runpy/importlib: the user's frames are what helps.
    kept = [
        line
        for line in lines
        if "runpy.py" not in line and "importlib" not in line and "pytest_gradio" not in line
    ]
    return "".join(kept[-12:]).rstrip()


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


# --- the pool of running apps -----------------------------------------------------------


def prepare_environment(temp_dir: Path) -> dict[str, str | None]:
    """Environment for apps and clients started by the plugin; returns what to restore.

    Why before gradio is imported: gradio reads GRADIO_TEMP_DIR at import time, and
    its client starts a telemetry thread (reaching the internet) unless analytics
    are disabled through the environment.
    """
    wanted = {
        "GRADIO_ANALYTICS_ENABLED": "False",
        "GRADIO_TEMP_DIR": str(temp_dir),
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    return saved


def restore_environment(saved: Mapping[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def start_app(
    spec: AppSpec, options: AppOptions, *, progress: Callable[[str], None] | None = None
) -> GradioApp:
    """Start (or reach) the app of `spec` and return its handle, ready for clients.

    `progress` receives a line now and then during long waits (a Space building).
    """
    if options.mode is not None and options.mode not in MODES:
        raise AppSpecError(
            f"gradio mode {options.mode!r} for {spec.describe()} is not one of {MODES}."
        )
    if spec.kind == "url":
        url_app = UrlApp(spec, options)
        url_app.wait_ready()
        return url_app
    if spec.kind == "space":
        from .spaces import start_space

        return start_space(spec, options, progress=progress)
    if options.mode == "subprocess":
        from .processes import start_subprocess_app

        return start_subprocess_app(spec, options)
    blocks, script_kwargs = load_blocks(spec)
    app = ThreadApp(spec, options, blocks)
    app.start(script_kwargs)
    return app


class AppPool:
    """Apps started for the session: one per distinct spec and options."""

    def __init__(self, starter: Callable[[AppSpec, AppOptions], GradioApp] = start_app) -> None:
        self._apps: dict[tuple[Any, ...], GradioApp] = {}
        self._start = starter

    def get(self, spec: AppSpec, options: AppOptions) -> tuple[GradioApp, str | None]:
        """The running app for spec+options, started if needed; and a note if it was
        restarted because it had died."""
        key = (spec.key, options.key())
        app = self._apps.get(key)
        note = None
        if app is not None and not app.is_alive():
            note = (
                f"pytest-gradio: the app {spec.describe()} had stopped (was at {app.url}); "
                "restarted it for this test. Its log before the restart:\n" + _tail(app.logs(), 20)
            )
            restarts = app.restarts + 1
            self._forget(key)
            app = None
        else:
            restarts = 0
        if app is None:
            self._evict_same_blocks(spec)
            app = self._start(spec, options)
            app.restarts = restarts
            self._apps[key] = app
        return app, note

    def _evict_same_blocks(self, spec: AppSpec) -> None:
        # One Blocks object can serve one server at a time: a second option set for
        # the same in-process Blocks replaces the first.
        if spec.kind not in ("blocks", "module"):
            return
        for key, app in list(self._apps.items()):
            if key[0] == spec.key and isinstance(app, ThreadApp):
                self._forget(key)

    def _forget(self, key: tuple[Any, ...]) -> None:
        app = self._apps.pop(key)
        with contextlib.suppress(Exception):
            app.close()

    def close_all(self) -> None:
        for key in list(self._apps):
            self._forget(key)


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"
