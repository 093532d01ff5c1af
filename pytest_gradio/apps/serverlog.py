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
"""

from __future__ import annotations

import threading
import traceback
from collections import deque
from collections.abc import Iterable
from typing import Any

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
