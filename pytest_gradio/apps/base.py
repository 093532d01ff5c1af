"""What every kind of app is: `GradioApp` (url, mode, logs, clients), and the checks
shared by the kinds that reach an app over HTTP (is it up, is it Gradio).

gradio is imported only inside the functions that launch a local app, so that
importing the plugin stays free.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .. import deadlines
from ..errors import AppStartError, GradioTestError, NotAGradioAppError
from ..options import (
    DEFAULT_JOB_TIMEOUT,
    DEFAULT_URL_STARTUP_TIMEOUT,
    LOOPBACK,
    OWNED_LAUNCH_KWARGS,
    AppOptions,
)
from ..specs import AppSpec
from .serverlog import LogBuffer

if TYPE_CHECKING:
    from ..client.recording import GradioClient

LOG_LINES = 2000


def free_port() -> int:
    """A port nobody listens on right now, on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_taken(port: int) -> bool:
    """True if something holds `port` on loopback right now (so a launch that failed
    on it lost a race for the port, rather than failing for a reason of its own)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def accepts_connections(url: str, timeout: float = 2.0) -> bool:
    """Whether anything accepts a TCP connection at `url`'s host and port right now
    (a connect, not a request: it tells a server that went away from a slow one)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def thread_failures(blocks: Any = None) -> Iterator[list[BaseException]]:
    """Exceptions that end threads while the block runs (a server thread that fails
    to start: gradio then reports "Cannot find empty port"), and those of `blocks`'
    start-up events (caching examples...: gradio's launch() runs them through an HTTP
    request and reports only "startup-events failed (code 500)"). If the block raises,
    they are the caller's to report; else they go on to the hook that was there."""
    seen: list[BaseException] = []
    held: list[Any] = []
    previous = threading.excepthook

    def hook(args: Any) -> None:
        if args.exc_value is not None:
            seen.append(args.exc_value)
        held.append(args)

    threading.excepthook = hook
    try:
        with _startup_failures(blocks, seen):
            yield seen
    except BaseException:
        raise
    else:
        for args in held:
            previous(args)
    finally:
        if threading.excepthook is hook:
            threading.excepthook = previous


# How long gradio's launch() may take to get an answer from its own server.
LOCALHOST_CHECK_SECONDS = 60.0
# gradio's own limit for its server thread to start (http_server.Server.run_in_thread).
SERVER_START_SECONDS = 5.0
_span_lock = threading.Lock()
_span_users = 0
_span_saved: list[tuple[Any, str, Any]] = []


@contextlib.contextmanager
def launch_spans() -> Iterator[None]:
    """While the plugin launches apps, two of gradio's start-up waits behave better;
    both are put back when the last launch in the process ends.

    - gradio's check that its server answers (`gradio.networking.url_ok`) asks again
      until it does, bounded by LOCALHOST_CHECK_SECONDS. Stock, the first HEAD that
      takes over 3 s ends the check, and launch() raises "When localhost is not
      accessible, a shareable link must be created": on a busy machine (load 20) a
      server that is up but slow to answer did that.
    - gradio's wait for its server thread (`Server.run_in_thread`) ends as soon as
      that thread has died. Stock, it waits out its 5 s whatever happened: a launch
      whose server fails at once (a missing ssl_keyfile, a bad app) reported it 5 s
      late, in every mode.
    """
    global _span_users
    import importlib

    networking: Any = importlib.import_module("gradio.networking")
    http_server: Any = importlib.import_module("gradio.http_server")
    with _span_lock:
        if _span_users == 0:
            stock_ok = networking.url_ok
            _span_saved.append((networking, "url_ok", stock_ok))
            networking.url_ok = _patient_url_ok(stock_ok)
            server = http_server.Server
            stock_run = server.__dict__["run_in_thread"]
            _span_saved.append((server, "run_in_thread", stock_run))
            server.run_in_thread = _prompt_run_in_thread(stock_run)
        _span_users += 1
    try:
        yield
    finally:
        with _span_lock:
            _span_users -= 1
            if _span_users == 0:
                while _span_saved:
                    owner, name, stock = _span_saved.pop()
                    setattr(owner, name, stock)


def _patient_url_ok(stock: Callable[[str], bool]) -> Callable[[str], bool]:
    def url_ok(url: str) -> bool:
        deadline = time.monotonic() + LOCALHOST_CHECK_SECONDS
        while not stock(url):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    return url_ok


def _prompt_run_in_thread(stock: Callable[[Any], None]) -> Callable[[Any], None]:
    """gradio's Server.run_in_thread (start `run` on a daemon thread, wait until the
    server has started, else ServerFailedToStartError after 5 s), which also stops
    waiting when that thread has ended: the same error, at once. The thread's own
    exception reaches threading.excepthook before the thread counts as ended, so
    `thread_failures` has it. A server with a reloader is left to gradio's own."""

    def run_in_thread(self: Any) -> None:
        if getattr(self, "reloader", None):
            return stock(self)
        from gradio.exceptions import ServerFailedToStartError

        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        limit = time.monotonic() + SERVER_START_SECONDS
        while not self.started:
            if not self.thread.is_alive() or time.monotonic() > limit:
                raise ServerFailedToStartError(
                    "Server failed to start. Please check that the port is available."
                )
            time.sleep(1e-3)
        return None

    return run_in_thread


def launch_on_free_port(
    launch: Callable[..., Any],
    blocks: Any,
    kwargs: Mapping[str, Any],
    spec: AppSpec,
    script_kwargs: Mapping[str, Any],
    plugin_kwargs: Mapping[str, Any],
) -> Any:
    """`launch(blocks, **kwargs)` on loopback and a free port, never sharing; what it
    returns. `script_kwargs` (the script's own launch() arguments) and `plugin_kwargs`
    (launch_kwargs given to the plugin) are what a failure's message names.

    A free port can be taken between choosing and binding it, and on a busy machine
    uvicorn can miss gradio's 5 s start-up limit with nothing wrong (gradio says
    "Cannot find empty port" for both, with no error on the server's thread): then it
    tries again, and only then. Any other failure is the app's and is raised at once
    (AppStartError).
    """
    kwargs = {**kwargs, "server_name": LOOPBACK, "share": False}
    for attempt in range(3):
        port = kwargs["server_port"] = free_port()
        with thread_failures(blocks) as failures, launch_spans():
            try:
                return launch(blocks, **kwargs)
            except Exception as exc:
                if attempt < 2 and isinstance(exc, OSError) and (port_taken(port) or not failures):
                    continue
                raise launch_error(spec, exc, failures, script_kwargs, plugin_kwargs) from None
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def _startup_failures(blocks: Any, seen: list[BaseException]) -> Iterator[None]:
    """Record what `blocks`' start-up events raise (they still raise), while the block
    runs. The server answers the failed request with a bare 500."""
    patched = []
    if blocks is not None:
        sync = getattr(blocks, "run_startup_events", None)
        extra = getattr(blocks, "run_extra_startup_events", None)
        if callable(sync):

            def run_startup_events(*args: Any, **kwargs: Any) -> Any:
                try:
                    return sync(*args, **kwargs)
                except Exception as exc:
                    seen.append(exc)
                    raise

            blocks.run_startup_events = run_startup_events
            patched.append("run_startup_events")
        if callable(extra):

            async def run_extra_startup_events(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await extra(*args, **kwargs)
                except Exception as exc:
                    seen.append(exc)
                    raise

            blocks.run_extra_startup_events = run_extra_startup_events
            patched.append("run_extra_startup_events")
    try:
        yield
    finally:
        for name in patched:
            with contextlib.suppress(AttributeError):
                delattr(blocks, name)


def launch_error(
    spec: AppSpec,
    exc: BaseException,
    failures: list[BaseException],
    script_kwargs: Mapping[str, Any],
    plugin_kwargs: Mapping[str, Any],
) -> AppStartError:
    """The error for a launch() that failed: the server's exception if there was one
    (gradio hides a server thread's behind "Cannot find empty port", a start-up
    event's behind "startup-events failed (code 500)"), else launch()'s own."""
    cause = failures[-1] if failures else exc
    where = " (on the server's thread)" if failures else ""
    sources = {
        **{key: "the script's launch()" for key in script_kwargs if key not in OWNED_LAUNCH_KWARGS},
        **{key: "launch_kwargs" for key in plugin_kwargs},
    }
    given = {**script_kwargs, **plugin_kwargs}
    missing = _missing_files({key: given[key] for key in sources}, sources)
    hint = f" Files it names that do not exist: {missing}." if missing else ""
    named = "; ".join(
        f"{', '.join(sorted(k for k in sources if sources[k] == source))} (from {source})"
        for source in dict.fromkeys(sources.values())
    )
    return AppStartError(
        f"gradio app {spec.describe()} failed in launch(): {type(cause).__name__}: "
        f"{cause}{where}.{hint} Check its launch arguments: {named or 'none'}."
    )


def _missing_files(given: Mapping[str, Any], sources: Mapping[str, str]) -> str:
    """`ssl_keyfile='/x/key.pem' (from launch_kwargs)`: the launch arguments naming
    files that do not exist (an SSL library's FileNotFoundError does not say which)."""
    found = []
    for key, value in sorted(given.items()):
        if not any(word in key for word in ("file", "path")):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, (str, os.PathLike)) and not os.path.exists(item):
                found.append(f"{key}={os.fspath(item)!r} (from {sources[key]})")
    return ", ".join(found)


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
        self._log = LogBuffer(maxlen=LOG_LINES)
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
        client.server_gone = self.why_gone
        client.gradio_app = self
        return client

    def _new_client(self, client_kwargs: Mapping[str, Any]) -> GradioClient:
        from ..client.recording import create_client  # gradio_client: only when needed

        kwargs = {**self.options.client_kwargs, **client_kwargs}
        kwargs.setdefault("transport", self.options.transport or "fast")
        session_temp = os.environ.get("GRADIO_TEMP_DIR")
        if session_temp:
            # Explicit, because gradio_client fixes its default download directory
            # when it is imported, which may be before the session set this.
            kwargs.setdefault("download_files", os.path.join(session_temp, "downloads"))
        if is_space(self.spec):
            kwargs.setdefault("token", self.options.token)
        else:
            # gradio_client would send HF_TOKEN (or the saved login) to any app; the
            # token is for the Hub and Spaces only.
            kwargs.setdefault("token", False)
        # The startup timeout bounds each request a new client makes to load the app.
        timeout = self.options.startup_timeout or DEFAULT_URL_STARTUP_TIMEOUT
        try:
            return create_client(self.url, kwargs, timeout=timeout, what=self.spec.describe())
        except ValueError as exc:  # e.g. json.JSONDecodeError: /info is not JSON
            if isinstance(exc, GradioTestError):
                raise
            raise NotAGradioAppError(
                f"could not create a gradio client of {self.spec.describe()} at {self.url}: "
                f"reading the app's config and API description (/config, /info) failed "
                f"with {type(exc).__name__}: {exc}. The server answered, but not as a "
                "Gradio app does: check the URL (and mount path), or a proxy in front of it."
            ) from None

    def is_alive(self) -> bool:
        return True

    def why_gone(self) -> tuple[str, str] | None:
        """Asked when a job's event stream broke: why the server went away (a
        sentence, and what it printed last), or None if this kind cannot tell or it
        still runs."""
        return None

    def close(self) -> None:
        """Stop the app if the plugin started it, and the clients' shared pool."""
        if self._template is not None:
            template, self._template = self._template, None
            template.close()


def is_space(spec: AppSpec) -> bool:
    if spec.kind == "space":
        return True
    if spec.kind != "url":
        return False
    from urllib.parse import urlsplit

    return (urlsplit(spec.target).hostname or "").endswith(".hf.space")


def wait_for_gradio(url: str, spec: AppSpec, timeout: float | None) -> dict[str, Any]:
    """Wait until `url` serves a Gradio config; return it. Bounded by `timeout`."""
    import httpx

    from ..client import tls

    budget = timeout if timeout is not None else DEFAULT_URL_STARTUP_TIMEOUT
    wait, cut = deadlines.bound(budget)
    deadline = time.monotonic() + (wait if wait is not None else budget)
    last = "no answer"
    delay = 0.05
    config_url = url + "config"
    while True:
        try:
            per_request = max(0.1, min(5.0, deadline - time.monotonic()))
            response = httpx.get(config_url, timeout=per_request, verify=tls.verify())
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__}: {exc or 'no details'}"
        else:
            if response.status_code in (429, 502, 503, 504):
                last = f"HTTP {response.status_code}"
            else:
                return gradio_config(response, url, spec)
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


def gradio_config(response: Any, url: str, spec: AppSpec) -> dict[str, Any]:
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


def tail(text: str, lines: int) -> str:
    """The last `lines` lines of `text`, or "(empty)"."""
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"
