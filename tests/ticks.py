"""For the cancel tests' apps, which append a tick to a file while they run: how many
ticks there are, a bounded wait for a condition that lets the page run meanwhile, and
whether the ticking stopped."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def ticks(path: Path) -> int:
    return len(path.read_text()) if path.exists() else 0


def until(page: Any, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `condition` (bounded), letting the page run meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(20)


def stops(path: Path, pause: Callable[[float], None] = time.sleep, within: float = 15.0) -> bool:
    """The generator behind the ticks stopped: within `within` seconds, 0.5 s (ten of
    its 0.05 s steps) pass without a new tick. A generator still running ticks all
    the time, 30 s in all. Not "at most one more tick in the 0.5 s after the cancel":
    on a busy machine the cancel reached the generator later than that (CI, gradio
    6.0 row at -n 3). `pause(seconds)` waits (a page's wait lets the page run)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        before = ticks(path)
        pause(0.5)
        if ticks(path) == before:
            return True
    return False
