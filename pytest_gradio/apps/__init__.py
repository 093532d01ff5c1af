"""The apps layer: every kind of app the tests talk to, and `start_app`, the one
dispatcher from a spec to a running app.

- base.py: `GradioApp`, what every kind is; HTTP readiness and config checks.
- loading.py: running a script or module with its launch()/uvicorn calls taken over,
  and picking what it serves (thread mode and the subprocess child).
- asgi.py: ASGI apps with Gradio mounted: where Gradio is, how uvicorn serves them.
- thread.py, subprocess.py (+ bootstrap.py, the child), url.py, space.py: the kinds.
- pool.py: the session's apps; serverlog.py: what an in-process server logs.

A new kind of app is a `GradioApp` subclass in its own module here, and one branch in
`start_app`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import AppSpecError
from ..options import MODES, AppOptions
from ..specs import AppSpec
from .base import GradioApp
from .pool import AppPool
from .serverlog import guard_ast_parse
from .space import start_space
from .subprocess import start_subprocess_app
from .thread import start_thread_app
from .url import UrlApp

__all__ = [
    "AppPool",
    "GradioApp",
    "start_app",
]


def start_app(
    spec: AppSpec, options: AppOptions, *, progress: Callable[[str], None] | None = None
) -> GradioApp:
    """Start (or reach) the app of `spec` and return its handle, ready for clients.

    `progress` receives a line now and then during long waits (a Space building).
    """
    guard_ast_parse()
    if options.mode is not None and options.mode not in MODES:
        raise AppSpecError(
            f"gradio mode {options.mode!r} for {spec.describe()} is not one of {MODES}."
        )
    if spec.kind == "url":
        url_app = UrlApp(spec, options)
        url_app.wait_ready()
        return url_app
    if spec.kind == "space":
        return start_space(spec, options, progress=progress)
    if options.mode == "subprocess":
        return start_subprocess_app(spec, options)
    return start_thread_app(spec, options)
