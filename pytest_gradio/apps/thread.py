"""Thread mode: the app's Blocks launched in this process, on a server thread."""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Mapping
from typing import Any

from ..errors import AppStartError
from ..options import LOOPBACK, AppOptions
from ..specs import AppSpec
from .base import GradioApp, free_port
from .loading import load_blocks
from .serverlog import capture_tracebacks, release_tracebacks

# Launch arguments thread mode forces: the server must not block the test process,
# print, or open a browser.
FORCED_LAUNCH_KWARGS: dict[str, Any] = {
    "prevent_thread_lock": True,
    "inbrowser": False,
    "inline": False,
    "debug": False,
    "quiet": True,
}


class ThreadApp(GradioApp):
    """A Blocks launched in this process, on a server thread."""

    def __init__(self, spec: AppSpec, options: AppOptions, blocks: Any) -> None:
        self.blocks = blocks
        super().__init__(spec, options, url="", mode="thread")
        self._handler = _ListHandler(self._log)

    def start(self, script_launch_kwargs: Mapping[str, Any]) -> None:
        kwargs = {**script_launch_kwargs, **self.options.launch_kwargs, **FORCED_LAUNCH_KWARGS}
        kwargs["share"] = False
        kwargs["server_name"] = LOOPBACK
        for logger in _server_loggers():
            logger.addHandler(self._handler)
        last_error: BaseException | None = None
        # A free port can be taken between choosing and binding it: try a few.
        for _ in range(3):
            kwargs["server_port"] = free_port()
            try:
                self.blocks.launch(**kwargs)
            except OSError as exc:
                last_error = exc
                continue
            except Exception as exc:
                self._detach_logs()
                raise AppStartError(
                    f"gradio app {self.spec.describe()} failed in launch(): "
                    f"{type(exc).__name__}: {exc}. Check the launch arguments "
                    f"(script's own: {sorted(script_launch_kwargs)}, "
                    f"launch_kwargs: {sorted(self.options.launch_kwargs)})."
                ) from exc
            self.url = str(self.blocks.local_url)
            capture_tracebacks(self.blocks.server.thread, self._log)
            return
        self._detach_logs()
        raise AppStartError(
            f"gradio app {self.spec.describe()} could not bind a free port on "
            f"{LOOPBACK}: {last_error}. Another process may be racing for ports; rerun."
        )

    def is_alive(self) -> bool:
        server = getattr(self.blocks, "server", None)
        thread = getattr(server, "thread", None)
        return bool(self.blocks.is_running and thread is not None and thread.is_alive())

    def close(self) -> None:
        super().close()
        with contextlib.redirect_stdout(None):
            self.blocks.close(verbose=False)
        self._detach_logs()

    def _detach_logs(self) -> None:
        for logger in _server_loggers():
            logger.removeHandler(self._handler)
        server = getattr(self.blocks, "server", None)
        release_tracebacks(getattr(server, "thread", None))


def start_thread_app(spec: AppSpec, options: AppOptions) -> ThreadApp:
    """Load the app's Blocks in this process and launch it on loopback."""
    blocks, script_kwargs = load_blocks(spec)
    app = ThreadApp(spec, options, blocks)
    app.start(script_kwargs)
    return app


class _ListHandler(logging.Handler):
    def __init__(self, sink: deque[str]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.sink.extend(self.format(record).splitlines())


def _server_loggers() -> list[logging.Logger]:
    return [logging.getLogger(name) for name in ("gradio", "uvicorn.error")]
