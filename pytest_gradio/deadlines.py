"""The running test's pytest-timeout deadline, so that the plugin's waits give up first.

pytest-timeout ends a test that overruns with a dump of every thread's stack (signal
method) or by killing the process (thread method). Either way the user learns
nothing about the job that hung. So while a test runs under pytest-timeout, the
plugin records here the monotonic time by which its waits must have given up: the
test's timeout minus a margin, left for the failure to be reported and the test torn
down. Every bounded wait asks `bound()` for how long it may still wait.

This module imports nothing heavy: the plugin imports it at load.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

# How long before pytest-timeout fires the plugin's waits end: 10 % of the timeout,
# at least MIN_MARGIN and at most MAX_MARGIN, and never more than half the timeout.
# Why a floor: pytest-timeout's timer runs on until the test's teardown is done, so
# the margin must cover building the failure report (formatting the first traceback
# of a process that imported gradio takes 0.15 s, and over 0.5 s on a loaded
# machine) and the teardown (cancelling the test's jobs and closing its clients,
# ~0.1 s; more when the session's apps stop after the last test). Overrunning it is
# costly: the signal method adds a thread dump, the thread method kills the run.
# Why a cap: on a long timeout, 3 s is plenty.
MIN_MARGIN = 1.0
MAX_MARGIN = 3.0
MARGIN_FRACTION = 0.1


@dataclass(frozen=True)
class Deadline:
    """A test's deadline: `at` is when waits must give up (monotonic seconds),
    `timeout` the test's pytest-timeout, `expires` when pytest-timeout fires."""

    owner: object
    timeout: float
    at: float
    expires: float


def margin(timeout: float) -> float:
    """Seconds between the plugin's deadline and pytest-timeout's, for `timeout`.

    >>> margin(1.5), margin(2), margin(20), margin(300)
    (0.75, 1.0, 2.0, 3.0)
    """
    return min(MAX_MARGIN, max(MIN_MARGIN, MARGIN_FRACTION * timeout), timeout / 2)


# A stack, not one value: a test may run a whole pytest session in-process (pytester),
# whose tests set and clear their own deadlines inside the outer test's.
_stack: list[Deadline] = []
_lock = threading.Lock()


def start(owner: object, timeout: float) -> Deadline:
    """Record that `owner` (a test item) must end within `timeout` seconds from now."""
    now = time.monotonic()
    deadline = Deadline(owner, timeout, now + timeout - margin(timeout), now + timeout)
    with _lock:
        _stack.append(deadline)
    return deadline


def stop(owner: object) -> None:
    """Forget `owner`'s deadline (its timer was cancelled)."""
    with _lock:
        for i in range(len(_stack) - 1, -1, -1):
            if _stack[i].owner is owner:
                del _stack[i]
                return


def active() -> Deadline | None:
    """The innermost running test's deadline, if it has one."""
    with _lock:
        return _stack[-1] if _stack else None


def current() -> float | None:
    """The monotonic time by which waits must have given up, or None.

    >>> current() is None or current() > time.monotonic() - 3600
    True
    """
    deadline = active()
    return deadline.at if deadline is not None else None


def bound(seconds: float | None) -> tuple[float | None, bool]:
    """How long a wait of `seconds` (None: unbounded) may last under the deadline,
    and whether the deadline is what cut it.

    >>> bound(5.0) if active() is None else (5.0, False)
    (5.0, False)
    """
    deadline = active()
    if deadline is None:
        return seconds, False
    left = max(0.0, deadline.at - time.monotonic())
    if seconds is None or left < seconds:
        return left, True
    return seconds, False


def explain() -> str:
    """Why a wait cut by the deadline gave up, for error messages."""
    deadline = active()
    if deadline is None:
        return "the test's pytest-timeout deadline is near"
    left = max(0.0, deadline.expires - time.monotonic())
    return (
        f"the test's pytest-timeout of {deadline.timeout:g} s ends in {left:.1f} s; "
        "pytest-gradio stopped waiting first, to report what it waited for"
    )
