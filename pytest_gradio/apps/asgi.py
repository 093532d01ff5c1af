"""ASGI apps with Gradio mounted in them (`gr.mount_gradio_app`): where Gradio is
mounted, how uvicorn is told to serve them under the plugin's rules, and how a
script's own serving call is described in errors.

The plugin owns where an app listens: a socket it binds itself on 127.0.0.1 and a
port the system picks (so there is no race for the port), handed to uvicorn as
`Server.serve(sockets=[...])`. Everything else the script gives uvicorn is kept.

No gradio or uvicorn import at module level: thread mode and the subprocess child
import this only once an app is being loaded.
"""

from __future__ import annotations

import socket
from typing import Any

from ..errors import AppLoadError
from ..options import LOOPBACK
from ..specs import AppSpec

# uvicorn.run()'s arguments about where and how many times the app listens: the
# plugin owns them (one server, on its own loopback socket). The rest is kept.
OWNED_UVICORN_KWARGS = (
    "host",
    "port",
    "uds",
    "fd",
    "reload",
    "reload_dirs",
    "reload_includes",
    "reload_excludes",
    "reload_delay",
    "workers",
)
# Unwrapping middleware to reach the app that holds the routes: a bound, because an
# `.app` chain could loop.
_MAX_WRAPPERS = 20


def loopback_socket() -> socket.socket:
    """A TCP socket bound to 127.0.0.1 on a port the system picks, not yet listening
    (uvicorn listens on it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, 0))
    except BaseException:
        sock.close()
        raise
    return sock


def is_asgi_app(obj: object) -> bool:
    """True for a Starlette (FastAPI) application or router: something with routes
    that uvicorn can serve."""
    import sys

    starlette = sys.modules.get("starlette.applications")
    routing = sys.modules.get("starlette.routing")
    kinds = tuple(
        kind
        for kind in (
            getattr(starlette, "Starlette", None),
            getattr(routing, "Router", None),
        )
        if isinstance(kind, type)
    )
    return bool(kinds) and isinstance(obj, kinds)


def _is_gradio_app(obj: object) -> bool:
    # gradio.routes.App: the FastAPI app that serves one Blocks.
    return callable(getattr(obj, "get_blocks", None)) and type(obj).__module__.startswith("gradio.")


def unwrap(app: Any) -> Any:
    """The app under uvicorn's (and the user's) middleware wrappers."""
    for _ in range(_MAX_WRAPPERS):
        if getattr(app, "routes", None) is not None or _is_gradio_app(app):
            return app
        inner = getattr(app, "app", None)
        if inner is None:
            return app
        app = inner
    return app


def gradio_mounts(app: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    """Where Gradio apps are mounted in `app`: (path, Blocks) pairs, paths joined over
    nested mounts (an outer app mounting the inner one at /myapp gives /myapp/gradio).

    >>> gradio_mounts(gr.mount_gradio_app(FastAPI(), demo, path="/gradio"))
    [('/gradio', demo)]
    """
    app = unwrap(app)
    if _is_gradio_app(app):
        return [(prefix or "/", app.get_blocks())]
    if depth > _MAX_WRAPPERS:
        return []
    found: list[tuple[str, Any]] = []
    for route in getattr(app, "routes", None) or []:
        inner = getattr(route, "app", None)
        path = getattr(route, "path", None)
        # A Mount has a path and an app; a plain Route's `app` is its endpoint wrapper.
        if inner is None or not isinstance(path, str) or type(route).__name__ != "Mount":
            continue
        found.extend(gradio_mounts(inner, prefix + path.rstrip("/"), depth + 1))
    return found


def route_paths(app: Any) -> list[str]:
    """The paths of `app`'s top-level routes, for error messages."""
    return [str(getattr(route, "path", "?")) for route in getattr(unwrap(app), "routes", [])]


def choose_mount(app: Any, path: str | None, spec: AppSpec, doing: str) -> str:
    """The path under which the Gradio app of `app` is served: the `path` option if
    given, else the one Gradio mount found in `app`. `doing` says where `app` came
    from ("called uvicorn.run(host='0.0.0.0', port=8000) itself"), for the error."""
    if path is not None:
        return normalize_path(path)
    mounts = gradio_mounts(app)
    paths = sorted({mount for mount, _ in mounts})
    if len(paths) == 1:
        return paths[0]
    if not paths:
        raise AppLoadError(
            f"gradio app {spec.describe()} {doing}, but no Gradio app is mounted in the "
            f"ASGI app it serves (its routes: {', '.join(route_paths(app)) or 'none'}). Mount "
            "the Blocks with gr.mount_gradio_app(app, demo, path='/gradio'), or, if Gradio "
            "is served in a way the plugin cannot see, give its path with path='/gradio' "
            "(marker), --gradio-path or ini gradio_path."
        )
    raise AppLoadError(
        f"gradio app {spec.describe()} {doing}, and the ASGI app mounts several Gradio apps"
        f" ({', '.join(paths)}). Say which one the tests talk to with "
        f"path={paths[0]!r} (marker), --gradio-path or ini gradio_path."
    )


def normalize_path(path: str) -> str:
    """'gradio/' -> '/gradio'; '' and '/' -> '/'."""
    stripped = path.strip().strip("/")
    return "/" + stripped if stripped else "/"


def mount_url(port: int, mount: str, scheme: str = "http") -> str:
    """The URL of a Gradio app mounted at `mount` on the plugin's loopback server."""
    mount = normalize_path(mount)
    return f"{scheme}://{LOOPBACK}:{port}{'' if mount == '/' else mount}/"


def describe_call(name: str, kwargs: dict[str, Any]) -> str:
    """`called uvicorn.run(host='0.0.0.0', port=8000)`: the owned arguments the script
    gave, which is what the user needs to recognise the call."""
    owned = ", ".join(f"{key}={kwargs[key]!r}" for key in OWNED_UVICORN_KWARGS if key in kwargs)
    return f"called {name}({owned}) itself"


def config_call(config: Any) -> str:
    """`called uvicorn.Server(...).serve() with host='0.0.0.0', port=8000`."""
    if getattr(config, "uds", None):
        where = f"uds={config.uds!r}"
    else:
        where = f"host={getattr(config, 'host', None)!r}, port={getattr(config, 'port', None)!r}"
    return f"called uvicorn.Server(...).serve() itself, with {where}"
