"""The environment a test run gives gradio: no telemetry, and a temp dir of the run's own
that is removed when the run ends. Plain os: no gradio, no pytest.

Why as early as pytest allows (before conftests are loaded): gradio fixes where it
writes when it is imported (`gradio.route_utils.DEFAULT_TEMP_DIR`, from
GRADIO_TEMP_DIR), and building a Blocks already writes there (gradio 6.31 makes
`vibe_edit_history` in it). A conftest or a test module imports gradio and builds
Blocks before any fixture runs; a subprocess app inherits the variable.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# A test run sends no telemetry (and so reaches no server of gradio's or the Hub's):
# set unless the user set them, who then decides.
QUIET_ENVIRONMENT = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1"}
TEMP_DIR_VARIABLE = "GRADIO_TEMP_DIR"


@dataclass
class RunEnvironment:
    """What `prepare()` set: the run's temp dir for gradio, and what to put back."""

    temp_dir: Path
    saved: dict[str, str | None] = field(default_factory=dict)

    def restore(self) -> None:
        """The variables as they were; the temp dir and all gradio wrote there, gone."""
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def prepare() -> RunEnvironment:
    """Telemetry off (unless set) and a new GRADIO_TEMP_DIR for this run (even if one
    was set: files of the run belong to the run)."""
    temp_dir = Path(tempfile.mkdtemp(prefix="pytest-gradio-"))
    names = (*QUIET_ENVIRONMENT, TEMP_DIR_VARIABLE)
    prepared = RunEnvironment(temp_dir, {name: os.environ.get(name) for name in names})
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    os.environ[TEMP_DIR_VARIABLE] = str(temp_dir)
    return prepared
