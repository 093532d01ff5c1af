"""Where an app the plugin serves listens is the plugin's to say, whatever the
environment says: the variables in `options.OWNED_ENVIRONMENT` (GRADIO_SERVER_NAME,
GRADIO_SERVER_PORT, ...) are set or cleared for the app, and only for the app.

- Subprocess mode: the app's process gets them in its environment (`child_environment`).
- Thread mode: the app shares the test process's environment, which is the tests'.
  They are set only while the plugin loads and launches an app
  (`owned_environment()`), and put back as they were afterwards. gradio also reads
  some of them once, when it is imported (`gradio.http_server.LOCALHOST_NAME`: the
  address its port probe binds); those module values are set for the same span.

Every other variable (GRADIO_SSR_MODE, GRADIO_ALLOWED_PATHS, ...) is the app's own
configuration and is left as it is.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from ..options import LOOPBACK, OWNED_ENVIRONMENT

# What gradio fixes from the owned variables when it is imported: (module, name, value
# for the plugin's apps). Checked with getattr, so a gradio without one is fine.
_IMPORT_TIME_VALUES: tuple[tuple[str, str, Any], ...] = (
    ("gradio.http_server", "LOCALHOST_NAME", LOOPBACK),  # GRADIO_SERVER_NAME
    ("gradio.http_server", "GRADIO_WATCH_DIRS", []),  # GRADIO_WATCH_DIRS
    ("gradio.node_server", "LOCALHOST_NAME", LOOPBACK),  # GRADIO_SERVER_NAME (SSR)
)

_lock = threading.Lock()
_depth = 0
_saved_environ: dict[str, str | None] = {}
_saved_values: list[tuple[Any, str, Any]] = []


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with the owned variables set as the plugin's apps need them."""
    env = dict(environ)
    for name, value in OWNED_ENVIRONMENT.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@contextlib.contextmanager
def owned_environment() -> Iterator[None]:
    """The owned variables (and gradio's import-time copies of them) as the plugin's
    apps need them, for the span of the block; re-entrant and thread-safe (the
    first to enter sets them, the last to leave puts them back)."""
    global _depth
    with _lock:
        if _depth == 0:
            _apply()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _restore()


def _apply() -> None:
    # gradio's modules first, with the environment still the user's: one imported
    # inside the span would keep the plugin's values for good.
    modules = {}
    for module_name in dict.fromkeys(name for name, _, _ in _IMPORT_TIME_VALUES):
        with contextlib.suppress(ImportError):
            modules[module_name] = importlib.import_module(module_name)
    _saved_environ.clear()
    for name, value in OWNED_ENVIRONMENT.items():
        _saved_environ[name] = os.environ.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_values.clear()
    for module_name, attr, value in _IMPORT_TIME_VALUES:
        module = modules.get(module_name)
        if module is not None and hasattr(module, attr):
            _saved_values.append((module, attr, getattr(module, attr)))
            setattr(module, attr, value)


def _restore() -> None:
    for name, value in _saved_environ.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_environ.clear()
    for module, attr, value in reversed(_saved_values):
        setattr(module, attr, value)
    _saved_values.clear()
