"""An app's queue looks for work every 10 ms while no job has been sent to it lately.

gradio's queue loop (`Queue.start_processing`) sleeps `Queue.sleep_when_free` between
its looks for work: in gradio 6, 1 ms (50 ms on Windows), whether a job is running, a
job came a moment ago or none for an hour (gradio 5.x waits 50 ms, and is left as it
is). Each look costs a wake-up of the server's event loop: about 3 % of a core per app,
and a suite holds many apps (`gradio_app` keeps each app to the end of the run, or of
its module). Here, in apps the plugin starts, the queue keeps gradio's interval while
a job waits in it (behind busy workers or a concurrency limit) and for `QUIET_AFTER`
seconds after a job was sent to it, so that jobs sent one after another are taken as
stock takes them; otherwise (the app idle, or running one long job) it looks every
`IDLE_POLL` seconds. What a test can see: a job sent to an app that was sent nothing
in the last 50 ms starts up to `IDLE_POLL` later than stock would start it (gradio
5.x, and gradio 6 on Windows, wait up to 50 ms every time). Progress updates, the
other loop, are gradio's own.

How: the plugin's `Queue.start_processing` (a process-wide patch, patches.py "queue
loop") gives the queue, before gradio's loop starts, a subclass of its class whose
`sleep_when_free` is a property: gradio's loop reads it before each sleep. The value
gradio set stays in the instance and is what the property returns while busy. The
plugin's `Queue.push` ("queue push") notes when a job was sent.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any

# Seconds between looks for work once QUIET_AFTER seconds have gone by since a job was
# sent, and none waits (gradio's own interval when that is longer).
IDLE_POLL = 0.01
QUIET_AFTER = 0.05

_SENT_AT = "_pytest_gradio_sent_at"


class _QuietWhenIdle:
    """Mixed in before a queue's own class; reads and keeps gradio's attribute."""

    __dict__: dict[str, Any]

    @property
    def sleep_when_free(self) -> float:
        stock: float = self.__dict__.get("sleep_when_free", 0.001)
        if len(self):  # type: ignore[arg-type]
            return stock
        if time.monotonic() - self.__dict__.get(_SENT_AT, 0.0) < QUIET_AFTER:
            return stock
        return max(stock, IDLE_POLL)

    @sleep_when_free.setter
    def sleep_when_free(self, value: float) -> None:
        self.__dict__["sleep_when_free"] = value


_quiet_classes: dict[type, type] = {}


def quiet_when_idle(queue: Any) -> None:
    """Make `queue` (a gradio Queue) look for work every IDLE_POLL s once quiet."""
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
    queue.__class__ = quiet


def queue_loop_patch(
    stock: Callable[[Any], Coroutine[Any, Any, None]],
) -> Callable[[Any], Coroutine[Any, Any, None]]:
    """The replacement of `Queue.start_processing`: gradio's loop, on a queue that
    looks for work less often once quiet (see the module docstring)."""

    @functools.wraps(stock)
    async def start_processing(self: Any) -> None:
        quiet_when_idle(self)
        await stock(self)

    return start_processing


def queue_push_patch(
    stock: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The replacement of `Queue.push` (a job sent to the app): notes when, then
    gradio's own."""

    @functools.wraps(stock)
    async def push(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.__dict__[_SENT_AT] = time.monotonic()
        return await stock(self, *args, **kwargs)

    return push
