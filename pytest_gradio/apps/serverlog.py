"""Server logs: a line buffer that can answer "what was logged since then", and the
capture of the tracebacks an in-process app prints.

Where an app's unhandled exception goes: Gradio catches it in its queue (or route)
and calls `traceback.print_exc()`, on the server's event-loop thread, to whatever
`sys.stderr` is at that moment. For an app in its own process that is its stderr,
which its log collects. For an app on a thread of the test process it is pytest's
capture of whichever test happens to run, so the plugin also sends it to the app's
own log: while an in-process server runs, `traceback.print_exc` writes what it prints
from that server's thread into that app's buffer instead (once in a report is enough).
Output is otherwise unchanged.

Warnings likewise: a warning an in-process server raises (on its event loop, or on
the worker threads that run the app's functions) goes to that app's log, as it would
go to its stderr in its own process, not to the warnings of whichever test runs (pytest
records every thread's warnings). See `capture_warnings`.

And `ast.parse`, on the CPython releases where two overlapping calls break one of them
(see `AST_RACE`): an in-process server formatting a traceback beside pytest formatting
a failure must not turn the test's failure into pytest's INTERNALERROR.
"""

from __future__ import annotations

import contextvars
import functools
import sys
import threading
import traceback
import warnings
from collections import deque
from collections.abc import Iterable
from typing import Any

from .. import patches

LOG_LINES = 2000


class LogBuffer(deque):  # type: ignore[type-arg]
    """The last `maxlen` lines of a server's output, counting every line ever added,
    so that `since(mark)` returns what arrived after `mark = buffer.total`.

    >>> log = LogBuffer(maxlen=3); mark = log.total; log.extend(["a", "b"])
    >>> log.since(mark)
    ['a', 'b']
    """

    def __init__(self, lines: Iterable[str] = (), maxlen: int = LOG_LINES) -> None:
        super().__init__(lines, maxlen)
        self.total = len(self)

    def append(self, line: str) -> None:
        super().append(line)
        self.total += 1

    def extend(self, lines: Iterable[str]) -> None:
        items = list(lines)
        super().extend(items)
        self.total += len(items)

    def since(self, mark: int) -> list[str]:
        """The lines added after `mark` (a past `total`) that are still held."""
        new = self.total - mark
        if new <= 0:
            return []
        return list(self)[-new:]


# Server thread -> the buffer its printed tracebacks go to. Keyed by ident and checked
# against the Thread object, because idents are reused once a thread ends.
_sinks: dict[int, tuple[threading.Thread, Any]] = {}
_lock = threading.Lock()
_original_print_exc = traceback.print_exc


def _print_exc(limit: int | None = None, file: Any = None, chain: bool = True) -> None:
    entry = _sinks.get(threading.get_ident())
    if entry is not None and entry[0] is threading.current_thread() and file is None:
        try:
            text = traceback.format_exc(limit=limit, chain=chain)
            entry[1].extend(text.rstrip("\n").splitlines())
            # Not printed as well: a failing test's report shows the app's log, and
            # pytest's capture of stderr would show the same traceback a second time.
            return
        except Exception:
            pass  # the log is a convenience; never break the server's error handling
    _original_print_exc(limit=limit, file=file, chain=chain)


def capture_tracebacks(thread: threading.Thread, sink: Any) -> None:
    """Copy tracebacks printed on `thread` (a server's event loop) into `sink`."""
    with _lock:
        for ident, (known, _) in list(_sinks.items()):
            if not known.is_alive():
                del _sinks[ident]
        if thread.ident is None:
            return
        _sinks[thread.ident] = (thread, sink)
        traceback.print_exc = _print_exc


def release_tracebacks(thread: threading.Thread | None) -> None:
    """Stop copying `thread`'s tracebacks; restore `print_exc` when none is left."""
    with _lock:
        if thread is not None and thread.ident is not None:
            entry = _sinks.get(thread.ident)
            if entry is not None and entry[0] is thread:
                del _sinks[thread.ident]
        if not _sinks and traceback.print_exc is _print_exc:
            traceback.print_exc = _original_print_exc


# CPython 3.11 before 3.11.8 and 3.12 before 3.12.2 count the depth of the AST that
# ast.parse builds in one place per interpreter, not per call (gh-106905; 3.10 has the
# same count where it checks it, and never got the fix: it is included). When Python
# code runs in the middle of one ast.parse (a garbage collector's finalizer, or a
# signal handler such as pytest-timeout's, run from it) and another ast.parse starts
# meanwhile, on another thread or on the same one, the first raises "SystemError: AST
# constructor recursion depth mismatch". Who parses: pytest formatting a failure (the
# source of each frame), an in-process server formatting a traceback (3.11's
# tracebacks parse each line for their ^^^ marks), pytest-timeout dumping stacks.
# pytest's error ends the run with INTERNALERROR instead of the test's failure. On
# those releases, from the plugin's first app in this process to the end of the
# session, an ast.parse that fails so is made again (a process-wide patch, patches.py
# "ast.parse"): parsing has no side effect, and the count starts anew with each call.
AST_RACE = sys.version_info < (3, 11, 8) or (3, 12) <= sys.version_info < (3, 12, 2)
AST_RACE_ERROR = "AST constructor recursion depth mismatch"
AST_TRIES = 5
AST_LOCK_WAIT = 1.0  # seconds


def parse_again_on_race(stock: Any) -> Any:
    """`stock` (ast.parse), one thread at a time, and made again when it fails with
    gh-106905's SystemError, up to AST_TRIES times. Tries alone were not enough:
    beside two CPU hogs, a parse raced 5 times in a row with another thread's. The
    lock takes away the race between threads. It is re-entrant (a finalizer may parse
    on the same thread, in the middle of a parse: the tries are for that), and a
    thread waits for it at most AST_LOCK_WAIT and then parses anyway (with the tries):
    a finalizer run during one thread's parse may wait for a lock that the other
    thread holds while it waits here (logging formats a traceback, which parses,
    inside its handler's lock), and that must not hang."""
    lock = threading.RLock()

    @functools.wraps(stock)
    def parse(*args: Any, **kwargs: Any) -> Any:
        locked = lock.acquire(timeout=AST_LOCK_WAIT)
        try:
            for _ in range(AST_TRIES - 1):
                try:
                    return stock(*args, **kwargs)
                except SystemError as exc:
                    if AST_RACE_ERROR not in str(exc):
                        raise
            return stock(*args, **kwargs)
        finally:
            if locked:
                lock.release()

    return parse


def guard_ast_parse() -> None:
    """Put the "ast.parse" patch in (see AST_RACE) when an app starts (apps.start_app);
    nothing on releases without the race. Not in a subprocess app's own process: no
    pytest runs there, and the app's process stays as it would be without the plugin."""
    if AST_RACE:
        patches.install("ast.parse", parse_again_on_race)


def log_since(app: Any, mark: int | None) -> list[str]:
    """An app's log lines after `mark` (from `app.log_mark()`); for an app whose
    `logs()` takes no mark, its whole log (the report shows the tail). Never raises."""
    try:
        if mark is not None:
            try:
                return str(app.logs(since=mark)).splitlines()
            except TypeError:
                pass
        return str(app.logs()).splitlines()
    except Exception as exc:
        return [f"(the app's log could not be read: {type(exc).__name__}: {exc})"]


# --- warnings raised by an in-process server ----------------------------------------------
#
# Why a context variable, not the thread: the app's functions run on worker threads
# (anyio's) that serve every app of the event loop, and asyncio tasks and anyio's
# workers carry the context of the code that started them. The plugin's uvicorn patch
# sets it first thing in each server's `serve()` (`mark_serving`), so everything that
# server runs carries it.

_SERVING: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "pytest_gradio_serving", default=None
)
# id(uvicorn server) -> (the server, the buffer its warnings go to).
_warning_sinks: dict[int, tuple[Any, Any]] = {}
_warning_originals: dict[str, Any] = {}


def mark_serving(server: Any) -> None:
    """Called in `server`'s serve(), on its event loop: what runs there from now on is
    this server's (see capture_warnings)."""
    _SERVING.set(server)


def _warning_sink() -> Any:
    server = _SERVING.get()
    if server is None:
        return None
    entry = _warning_sinks.get(id(server))
    return entry[1] if entry is not None and entry[0] is server else None


def _log_warning(sink: Any, message: Any, category: Any, filename: str, lineno: int) -> None:
    text = warnings.formatwarning(message, category, filename, lineno)
    sink.extend(text.rstrip("\n").splitlines())


def _show_warning(msg: Any) -> None:
    # warnings._showwarnmsg: every warning shown (not ignored, not an error) passes
    # here, from Python code or C, before pytest's record of the test's warnings.
    sink = _warning_sink()
    if sink is not None:
        try:
            _log_warning(sink, msg.message, msg.category, msg.filename, msg.lineno)
            return
        except Exception:
            pass  # the log is a convenience; never lose the warning
    _warning_originals["_showwarnmsg"](msg)


def _warn(
    message: Any, category: Any = None, stacklevel: int = 1, source: Any = None, **kw: Any
) -> None:
    # warnings.warn: a warning the filters make an error (pytest -W error) would raise
    # inside the server and fail the app's request; its own process would only print
    # it. On a server's context it is logged instead. The rest is the original's.
    original = _warning_originals["warn"]
    if _warning_sink() is None:
        return original(message, category, stacklevel + 1, source, **kw)  # type: ignore[no-any-return]
    try:
        original(message, category, stacklevel + 1, source, **kw)
    except Warning as exc:
        sink = _warning_sink()
        if sink is None:
            raise
        try:
            frame = sys._getframe(max(1, stacklevel))
            filename, lineno = frame.f_code.co_filename, frame.f_lineno
        except ValueError:
            filename, lineno = "sys", 1
        _log_warning(sink, exc, type(exc), filename, lineno)


def capture_warnings(server: Any, sink: Any) -> None:
    """Send the warnings raised on `server`'s context (its event loop, the worker
    threads it runs the app's functions on) to `sink` instead of the test's warnings."""
    with _lock:
        _warning_sinks[id(server)] = (server, sink)
        if not _warning_originals:
            _warning_originals["warn"] = warnings.warn
            _warning_originals["_showwarnmsg"] = warnings._showwarnmsg  # type: ignore[attr-defined]
            warnings.warn = functools.wraps(warnings.warn)(_warn)
            warnings._showwarnmsg = _show_warning  # type: ignore[attr-defined]


def release_warnings(server: Any) -> None:
    """Stop capturing `server`'s warnings; put `warnings` back when none is left."""
    with _lock:
        entry = _warning_sinks.get(id(server))
        if entry is not None and entry[0] is server:
            del _warning_sinks[id(server)]
        if _warning_sinks or not _warning_originals:
            return
        # Only what is still ours: a hook someone put on top of ours keeps calling it,
        # and ours keep passing everything on.
        ours_shown = warnings._showwarnmsg is _show_warning  # type: ignore[attr-defined]
        ours_warn = getattr(warnings.warn, "__wrapped__", None) is _warning_originals["warn"]
        if ours_shown and ours_warn:
            warnings._showwarnmsg = _warning_originals["_showwarnmsg"]  # type: ignore[attr-defined]
            warnings.warn = _warning_originals["warn"]
            _warning_originals.clear()
