"""The suite's own harness: what tests/conftest.py changes in pytester."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from _pytest.pytester import SysModulesSnapshot


def test_in_process_runs_restore_sys_modules_without_a_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread never finds a module missing from `sys.modules` while an
    in-process pytester run restores it (pytester's own restore empties it first),
    and what the run imported is removed."""
    import json  # noqa: F401 (the module watched)

    (tmp_path / "imported_by_the_run.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    gaps = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal gaps
        while not stop.is_set():
            if "json" not in sys.modules:
                gaps += 1

    watcher = threading.Thread(target=watch)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as it can
    watcher.start()
    try:
        for _ in range(2000):
            snapshot = SysModulesSnapshot()
            import imported_by_the_run  # noqa: F401

            snapshot.restore()
            assert "imported_by_the_run" not in sys.modules
    finally:
        stop.set()
        watcher.join()
        sys.setswitchinterval(interval)
    assert gaps == 0
