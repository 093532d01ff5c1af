"""What the parent (subprocess.py) and the child (bootstrap.py) of subprocess mode
agree on: the environment variable that carries the child's orders, the lines it
announces, its exit code for a load error, and the signal that asks for its stack.

Why a module of its own: the parent must not import bootstrap.py. The child runs as
`python -m pytest_gradio.apps.bootstrap`; had the package already imported it, runpy
would warn in every app's output that the module is run twice.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

ENV_CONFIG = "PYTEST_GRADIO_BOOTSTRAP"
READY_MARKER = "__pytest_gradio_ready__"
ERROR_MARKER = "__pytest_gradio_error__"
EXIT_LOAD_ERROR = 3
STACK_SIGNAL = "SIGUSR1"


def encode_config(config: dict[str, Any]) -> str:
    """The child's orders as one environment-safe string."""
    return base64.b64encode(pickle.dumps(config)).decode("ascii")


def decode_config(text: str) -> dict[str, Any]:
    """The orders `encode_config` wrote (the parent is trusted: it wrote them)."""
    config: dict[str, Any] = pickle.loads(base64.b64decode(text))
    return config
