"""The session's running apps (one per distinct spec and options, restarted if they
died) and the environment the plugin sets for them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..options import AppOptions
from ..specs import AppSpec
from .base import GradioApp, tail


def prepare_environment(temp_dir: Path) -> dict[str, str | None]:
    """Environment for apps and clients started by the plugin; returns what to restore.

    Why before gradio is imported: gradio reads GRADIO_TEMP_DIR at import time, and
    its client starts a telemetry thread (reaching the internet) unless analytics
    are disabled through the environment.
    """
    wanted = {
        "GRADIO_ANALYTICS_ENABLED": "False",
        "GRADIO_TEMP_DIR": str(temp_dir),
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    return saved


def restore_environment(saved: Mapping[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


class AppPool:
    """Apps started for the session: one per distinct spec and options."""

    def __init__(self, starter: Callable[[AppSpec, AppOptions], GradioApp]) -> None:
        self._apps: dict[tuple[Any, ...], GradioApp] = {}
        self._start = starter

    def get(self, spec: AppSpec, options: AppOptions) -> tuple[GradioApp, str | None]:
        """The running app for spec+options, started if needed; and a note if it was
        restarted because it had died."""
        key = (spec.key, options.key())
        app = self._apps.get(key)
        note = None
        if app is not None and not app.is_alive():
            note = (
                f"pytest-gradio: the app {spec.describe()} had stopped (was at {app.url}); "
                "restarted it for this test. Its log before the restart:\n" + tail(app.logs(), 20)
            )
            restarts = app.restarts + 1
            self._forget(key)
            app = None
        else:
            restarts = 0
        if app is None:
            self._evict_same_blocks(spec)
            app = self._start(spec, options)
            app.restarts = restarts
            self._apps[key] = app
        return app, note

    def _evict_same_blocks(self, spec: AppSpec) -> None:
        # One Blocks object can serve one server at a time: a second option set for
        # the same in-process Blocks replaces the first.
        if spec.kind not in ("blocks", "module"):
            return
        for key, app in list(self._apps.items()):
            if key[0] == spec.key and app.mode == "thread":
                self._forget(key)

    def _forget(self, key: tuple[Any, ...]) -> None:
        app = self._apps.pop(key)
        with contextlib.suppress(Exception):
            app.close()

    def close_all(self) -> None:
        for key in list(self._apps):
            self._forget(key)
