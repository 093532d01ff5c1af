"""The session's running apps: one per distinct spec and options, restarted if they
died."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ..options import AppOptions
from ..specs import AppSpec
from .base import GradioApp, tail


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
