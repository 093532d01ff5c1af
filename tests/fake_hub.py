"""A local stand-in for the Hugging Face Hub, so the Space paths are tested offline.

`FakeHub` serves the two Hub API routes the plugin uses, `GET /api/spaces/{id}` and
`GET /api/spaces/{id}/runtime`, with auth checked as the Hub does. Each `FakeSpace`
has a "host": a real Gradio app served by uvicorn on loopback, behind a gate that acts
like the Spaces proxy (503 while the Space is not running, a request wakes a sleeping
Space, private Spaces need the token). Point `HF_ENDPOINT` at `hub.url`.

Stages are scripted per Space: each runtime request answers the current stage and then
moves to the next one (the last one stays). SLEEPING only moves on once the host got a
request, as a real Space wakes up.

    hub.add_space("org/app", demo, stages=["BUILDING", "APP_STARTING", "RUNNING"])
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Stages in which the Spaces proxy passes requests to the app.
SERVING_STAGES = ("RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING")


@dataclass
class Request:
    """One request the fake saw: where, and whether it carried the right token."""

    path: str
    status: int
    authorized: bool
    had_token: bool


class _Uvicorn:
    """An ASGI app served by uvicorn on a loopback socket, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", interface="asgi3"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake hub's server did not start")
            time.sleep(0.005)

    def request_stop(self) -> None:
        # force_exit: do not wait for the clients' keep-alive and streaming
        # connections (the heartbeat) to close on their own.
        self.server.should_exit = self.server.force_exit = True

    def stop(self) -> None:
        self.request_stop()
        self.thread.join(timeout=10)
        self.sock.close()


async def _respond(send: Any, status: int, body: dict[str, Any]) -> None:
    import json

    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _auth_header(scope: dict[str, Any], *names: bytes) -> str | None:
    headers = dict(scope.get("headers") or [])
    for name in names:
        if name in headers:
            return str(headers[name].decode("latin-1"))
    return None


@dataclass
class FakeSpace:
    """One Space: its stages, its privacy, its host, and what it was asked."""

    space_id: str
    hub: FakeHub
    stages: deque[str]
    private: bool = False
    error_message: str | None = None
    host_errors: deque[int] = field(default_factory=deque)
    # Requests whose path ends with a key answer its status, always (a broken route).
    path_errors: dict[str, int] = field(default_factory=dict)
    woken: bool = False
    runtime_requests: int = 0
    host_requests: list[Request] = field(default_factory=list)
    server: _Uvicorn | None = None

    @property
    def stage(self) -> str:
        return self.stages[0]

    @property
    def host(self) -> str:
        assert self.server is not None
        return self.server.url

    def advance(self) -> None:
        if len(self.stages) > 1 and (self.stage != "SLEEPING" or self.woken):
            self.stages.popleft()

    def runtime(self) -> dict[str, Any]:
        runtime: dict[str, Any] = {
            "stage": self.stage,
            "hardware": {"current": "cpu-basic", "requested": "cpu-basic"},
            "storage": None,
            "gcTimeout": 172800,
        }
        if self.error_message is not None:
            runtime["errorMessage"] = self.error_message
        return runtime

    def info(self) -> dict[str, Any]:
        owner, name = self.space_id.split("/")
        return {
            "id": self.space_id,
            "author": owner,
            "private": self.private,
            "sdk": "gradio",
            "host": self.host,
            "subdomain": f"{owner}-{name}".lower(),
            "runtime": self.runtime(),
        }

    async def gate(self, app: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The Spaces proxy in front of the app."""
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        given = _auth_header(scope, b"x-hf-authorization", b"authorization")
        authorized = given == f"Bearer {self.hub.token}"

        def log(status: int) -> None:
            self.host_requests.append(Request(scope["path"], status, authorized, given is not None))

        if self.private and not authorized:
            log(401)
            await _respond(send, 401, {"error": "Sorry, you need a token for this Space."})
            return
        if self.stage == "SLEEPING":
            self.woken = True
        if self.host_errors:
            status = self.host_errors.popleft()
            log(status)
            await _respond(send, status, {"error": "The Space is starting."})
            return
        for suffix, status in self.path_errors.items():
            if scope["path"].endswith(suffix):
                log(status)
                await _respond(send, status, {"error": f"{suffix} is broken here."})
                return
        if self.stage not in SERVING_STAGES:
            log(503)
            await _respond(send, 503, {"error": f"The Space is {self.stage}."})
            return
        log(200)
        await app(scope, receive, send)


class FakeHub:
    """The Hub's Space API on loopback. `token` is the one token it accepts."""

    def __init__(self, token: str = "hf_fake_token") -> None:
        self.token = token
        self.spaces: dict[str, FakeSpace] = {}
        self.requests: list[Request] = []
        self.hub_errors: deque[int] = deque()
        self._server: _Uvicorn | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.url

    def start(self) -> FakeHub:
        self._server = _Uvicorn(self._asgi)
        return self

    def stop(self) -> None:
        servers = [space.server for space in self.spaces.values() if space.server is not None]
        if self._server is not None:
            servers.append(self._server)
        for server in servers:  # all at once: each takes up to 0.1 s to notice
            server.request_stop()
        for server in servers:
            server.stop()

    def fail_next(self, *statuses: int) -> None:
        """The next Hub API requests answer these HTTP statuses, one each."""
        self.hub_errors.extend(statuses)

    def add_space(
        self,
        space_id: str,
        blocks: Any,
        *,
        stages: Iterable[str] = ("RUNNING",),
        private: bool = False,
        error_message: str | None = None,
        host_errors: Iterable[int] = (),
        path_errors: dict[str, int] | None = None,
    ) -> FakeSpace:
        """A Space whose host serves `blocks` (a gr.Blocks, not launched)."""
        import gradio as gr
        from fastapi import FastAPI

        space = FakeSpace(
            space_id,
            self,
            deque(stages),
            private=private,
            error_message=error_message,
            host_errors=deque(host_errors),
            path_errors=dict(path_errors or {}),
        )
        app = gr.mount_gradio_app(FastAPI(), blocks, path="")

        async def gated(scope: dict[str, Any], receive: Any, send: Any) -> None:
            await space.gate(app, scope, receive, send)

        space.server = _Uvicorn(gated)
        self.spaces[space_id] = space
        return space

    async def _asgi(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path: str = scope["path"]
        given = _auth_header(scope, b"authorization")
        authorized = given == f"Bearer {self.token}"
        status, body = self._answer(path, given, authorized)
        self.requests.append(Request(path, status, authorized, given is not None))
        await _respond(send, status, body)

    def _answer(self, path: str, given: str | None, authorized: bool) -> tuple[int, Any]:
        if self.hub_errors:
            return self.hub_errors.popleft(), {"error": "The Hub is busy, try again."}
        parts = path.strip("/").split("/")
        if len(parts) not in (4, 5) or parts[:2] != ["api", "spaces"]:
            return 404, {"error": "Not found"}
        if len(parts) == 5 and parts[4] != "runtime":
            return 404, {"error": "Not found"}
        if given is not None and not authorized:
            return 401, {"error": "Invalid credentials in Authorization header"}
        space = self.spaces.get(f"{parts[2]}/{parts[3]}")
        if space is None:
            return 404, {"error": "Repository not found"}
        if space.private and not authorized:
            return 401, {"error": "Repository not found or private: authentication required"}
        if len(parts) == 4:
            return 200, space.info()
        space.runtime_requests += 1
        runtime = space.runtime()
        space.advance()
        return 200, runtime
