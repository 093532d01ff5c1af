"""Which app this suite tests: app.py, unless the command line or the environment
names another target (the staging Space in CI).

A module-level `pytest.mark.gradio_app("app.py")` would win over --gradio-app (the
marker comes first in the plugin's precedence), so the marker is added here, and only
when neither --gradio-app nor PYTEST_GRADIO_APP is given.
"""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    if config.getoption("gradio_app") or os.environ.get("PYTEST_GRADIO_APP"):
        return
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.gradio_app("app.py"))
