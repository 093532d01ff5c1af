"""An app's queue looks for work less often once it has been idle for a second.

gradio's queue loop (`Queue.start_processing`) sleeps `Queue.sleep_when_free` between
its looks for work: in gradio 6, 1 ms (50 ms on Windows), whether a job came a moment
ago or an hour ago (gradio 5.x waits 50 ms, and is left as it is). Each look costs a
wake-up of the server's event loop, so an idle app costs about 3 % of a core, and a
suite holds many idle apps (`gradio_app` keeps each app to the end of the run, or of
its module). Here, in apps the plugin starts, the queue keeps gradio's interval while
a job is queued or running and for `IDLE_AFTER` seconds after, and looks every
`IDLE_POLL` seconds only after that. What a test can see: the first job sent to an app
idle for over a second starts up to `IDLE_POLL` later than stock (gradio 5.x, and
gradio 6 on Windows, wait up to 50 ms every time). Progress updates, the other loop,
are gradio's own.

How: the plugin's `Queue.start_processing` (a process-wide patch, patches.py "queue
loop") gives the queue, before gradio's loop starts, a subclass of its class whose
`sleep_when_free` is a property: gradio's loop reads it before each sleep. The value
gradio set stays in the instance and is what the property returns while the queue is
busy.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any

# Seconds without a job queued or running before the queue looks less often.
IDLE_AFTER = 1.0
# Seconds between an idle queue's looks for work (gradio's own when that is longer).
IDLE_POLL = 0.01

_BUSY_AT = "_pytest_gradio_busy_at"


class _QuietWhenIdle:
    """Mixed in before a queue's own class; reads and keeps gradio's attributes."""

    __dict__: dict[str, Any]

    @property
    def sleep_when_free(self) -> float:
        stock: float = self.__dict__.get("sleep_when_free", 0.001)
        now = time.monotonic()
        if len(self) or any(job is not None for job in self.__dict__.get("active_jobs", ())):  # type: ignore[arg-type]
            self.__dict__[_BUSY_AT] = now
            return stock
        if now - self.__dict__.get(_BUSY_AT, now) < IDLE_AFTER:
            return stock
        return max(stock, IDLE_POLL)

    @sleep_when_free.setter
    def sleep_when_free(self, value: float) -> None:
        self.__dict__["sleep_when_free"] = value


_quiet_classes: dict[type, type] = {}


def quiet_when_idle(queue: Any) -> None:
    """Make `queue` (a gradio Queue) look for work every IDLE_POLL s once idle."""
    cls = type(queue)
    if issubclass(cls, _QuietWhenIdle):
        return
    quiet = _quiet_classes.get(cls)
    if quiet is None:
        quiet = type(
            cls.__name__,
            (_QuietWhenIdle, cls),
            {"__module__": cls.__module__, "__qualname__": cls.__qualname__},
        )
        _quiet_classes[cls] = quiet
    queue.__dict__[_BUSY_AT] = time.monotonic()
    queue.__class__ = quiet


def queue_loop_patch(
    stock: Callable[[Any], Coroutine[Any, Any, None]],
) -> Callable[[Any], Coroutine[Any, Any, None]]:
    """The replacement of `Queue.start_processing`: gradio's loop, on a queue made
    quiet when idle (see the module docstring)."""

    @functools.wraps(stock)
    async def start_processing(self: Any) -> None:
        quiet_when_idle(self)
        await stock(self)

    return start_processing
