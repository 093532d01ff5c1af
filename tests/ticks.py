"""For the cancel tests' apps, which append a tick to a file while they run: how many
ticks there are, and a bounded wait for a condition that lets the page run meanwhile."""

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
