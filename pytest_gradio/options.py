"""How an app is started and talked to: `AppOptions`, the defaults, the modes and
transports, and the launch arguments the plugin owns. Plain data: no gradio."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MODES = ("thread", "subprocess")
TRANSPORTS = ("fast", "stock")
DEFAULT_STARTUP_TIMEOUT = 60.0
DEFAULT_URL_STARTUP_TIMEOUT = 10.0
DEFAULT_JOB_TIMEOUT = 60.0

# The plugin owns where the server listens: always loopback, a free port chosen
# here, never a share link. Everything else the script passes to launch() is kept.
OWNED_LAUNCH_KWARGS = ("server_name", "server_port", "share")
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class AppOptions:
    """How to start and talk to an app. None means "the default for this kind of app"."""

    mode: str | None = None
    launch_kwargs: Mapping[str, Any] = field(default_factory=dict)
    client_kwargs: Mapping[str, Any] = field(default_factory=dict)
    startup_timeout: float | None = None
    job_timeout: float | None = None
    token: str | None = field(default=None, repr=False)
    transport: str | None = None
    # Where Gradio is mounted in an ASGI app the plugin serves ("/myapp/gradio"),
    # when it cannot be found from the app's routes.
    path: str | None = None

    def key(self) -> tuple[Any, ...]:
        # repr, not hash: kwargs values may be lists or dicts.
        return (
            self.mode,
            repr(sorted(self.launch_kwargs.items())),
            repr(sorted(self.client_kwargs.items())),
            self.startup_timeout,
            self.job_timeout,
            self.token,
            self.transport,
            self.path,
        )
