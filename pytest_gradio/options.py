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

# The environment's say in the same things: gradio reads these where a deployment
# (a Docker image, a Space) sets them, and the plugin is the deployment of its apps.
# Value None: not set for the app (gradio's default). Each says, for the README and
# the tests, what it would do to an app the plugin serves.
OWNED_ENVIRONMENT: dict[str, str | None] = {
    "GRADIO_SERVER_NAME": LOOPBACK,  # the address it listens on
    "GRADIO_SERVER_PORT": None,  # the port: the plugin picks a free one
    "GRADIO_NUM_PORTS": None,  # how many ports from GRADIO_SERVER_PORT on it tries
    "GRADIO_NODE_SERVER_PORT": None,  # SSR: the Node front's port would replace ours
    "GRADIO_SHARE": None,  # a public share link (the internet)
    "GRADIO_ROOT_PATH": None,  # a proxy's prefix: there is none, pages would call it
    "GRADIO_WATCH_DIRS": None,  # `gradio app.py` reloading: re-runs code on edits
    "GRADIO_DEBUG": None,  # launch() blocks: in thread mode, the test process
}


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
