"""The environment a test run gives gradio: no telemetry, and a temp dir of the run's own
that is removed when the run ends. Plain os: no gradio, no pytest.

Why as early as pytest allows (before conftests are loaded): gradio fixes where it
writes when it is imported (`gradio.route_utils.DEFAULT_TEMP_DIR`, from
GRADIO_TEMP_DIR), and building a Blocks already writes there (gradio 6.31 makes
`vibe_edit_history` in it). A conftest or a test module imports gradio and builds
Blocks before any fixture runs; a subprocess app inherits the variable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

try:  # POSIX; elsewhere a run's dir is removed only by the run itself
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# A test run sends no telemetry (and so reaches no server of gradio's or the Hub's):
# set unless the user set them, who then decides.
QUIET_ENVIRONMENT = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1"}
TEMP_DIR_VARIABLE = "GRADIO_TEMP_DIR"


@dataclass
class RunEnvironment:
    """What `prepare()` set: the run's temp dir for gradio, and what to put back."""

    temp_dir: Path
    saved: dict[str, str | None] = field(default_factory=dict)
    lock: IO[bytes] | None = None

    def restore(self) -> None:
        """The variables as they were; the temp dir and all gradio wrote there, gone."""
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        if self.lock is not None:
            self.lock.close()
            self.lock = None


# A run's dir is removed when the run ends. A run that cannot end itself (pytest-timeout's
# thread method ends the process with os._exit; SIGKILL; a power cut) leaves it, with
# whatever gradio cached there. So each run holds an exclusive flock on `<dir>/LOCK`
# while it lives (the kernel drops it when the process dies, however it dies), and each
# new run removes the dirs whose lock it can take. A dir without LOCK (an older
# version's, or one being made) is never touched.
TEMP_DIR_PREFIX = "pytest-gradio-run-"
LOCK_NAME = "LOCK"


def _hold_lock(temp_dir: Path) -> IO[bytes] | None:
    """Lock the run's dir for as long as the run lives. The file is locked before it
    gets its name, so no sweeper can ever take the lock of a run that is alive."""
    if fcntl is None:
        return None
    handle = tempfile.NamedTemporaryFile(dir=temp_dir, prefix=".lock-", delete=False)  # noqa: SIM115
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(handle.name, temp_dir / LOCK_NAME)
    except OSError:
        handle.close()
        return None
    return handle


def sweep_ended_runs(parent: Path) -> None:
    """Remove the dirs of ended runs under `parent` (see LOCK_NAME)."""
    if fcntl is None:
        return
    candidates: list[Path] = []  # stays empty if `parent` cannot be read
    with contextlib.suppress(OSError), os.scandir(parent) as entries:
        candidates = [Path(e.path) for e in entries if e.name.startswith(TEMP_DIR_PREFIX)]
    for candidate in candidates:
        try:
            handle = open(candidate / LOCK_NAME, "rb")  # noqa: SIM115
        except OSError:
            continue  # no lock: being made, or not ours to judge
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its run is alive
            shutil.rmtree(candidate, ignore_errors=True)


def prepare() -> RunEnvironment:
    """Telemetry off (unless set) and a new GRADIO_TEMP_DIR for this run (even if one
    was set: files of the run belong to the run). Dirs that ended runs left are removed."""
    sweep_ended_runs(Path(tempfile.gettempdir()))
    temp_dir = Path(tempfile.mkdtemp(prefix=TEMP_DIR_PREFIX))
    names = (*QUIET_ENVIRONMENT, TEMP_DIR_VARIABLE)
    saved = {name: os.environ.get(name) for name in names}
    prepared = RunEnvironment(temp_dir, saved, lock=_hold_lock(temp_dir))
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    os.environ[TEMP_DIR_VARIABLE] = str(temp_dir)
    return prepared
