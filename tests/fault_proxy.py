"""A small HTTP proxy on loopback that puts protocol faults between a client and a
real Gradio app: it forwards every request unchanged, except the session event
stream (`GET .../queue/data`), which it can answer or alter as a broken server or
proxy would.

Faults (`proxy.fault = ...`, changeable between requests):
- None: pass everything through;
- "non_sse": answer the stream request 200 with an HTML page;
- "status_500": answer it 500;
- "cut_once": forward the stream, but close the connection right after the first
  generator output (only the first stream so cut; later ones pass through);
- "garble_once": forward the stream, but cut the JSON of the first generator output
  in half (its event id kept), once.

- "slow_join": answer `POST .../queue/join` after 3 s.
- "hold_join": forward `POST .../queue/join` at once (the app takes the job), but hold
  its answer (the event id) until `proxy.release_joins.set()`: a client that learns its
  job's event id late, as on a busy machine.

`proxy.stream_requests` counts the stream requests the proxy answered; `proxy.seen`
holds (method, path, headers) of every request.
"""

from __future__ import annotations

import http.server
import threading
import time
from typing import Any

import httpx

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class FaultProxy:
    """`FaultProxy(upstream_url).start()`; `url`; `stop()`. See the module docstring."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.fault: str | None = None
        self.stream_requests = 0
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self._spent: set[str] = set()
        self.release_joins = threading.Event()
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=httpx.Timeout(30.0, read=None))
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                proxy._handle(self, "GET")

            def do_POST(self) -> None:
                proxy._handle(self, "POST")

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._http.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _once(self, fault: str) -> bool:
        """True the first time `fault` applies, False after."""
        with self._lock:
            if fault in self._spent:
                return False
            self._spent.add(fault)
            return True

    def _handle(self, handler: http.server.BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path
        is_stream = method == "GET" and "/queue/data" in path
        fault = self.fault if is_stream else None
        with self._lock:
            self.seen.append((method, path, dict(handler.headers.items())))
            if is_stream:
                self.stream_requests += 1
        if self.fault == "slow_join" and method == "POST" and "/queue/join" in path:
            time.sleep(3)
        if fault == "non_sse":
            return self._answer(handler, 200, "text/html", b"<html><body>Welcome</body></html>")
        if fault == "status_500":
            return self._answer(handler, 500, "text/plain", b"Internal Server Error")
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP}
        request = self._http.build_request(
            method, self.upstream + path, headers=headers, content=body
        )
        response = self._http.send(request, stream=True)
        if self.fault == "hold_join" and method == "POST" and "/queue/join" in path:
            self.release_joins.wait(30)
        try:
            handler.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in _HOP:
                    handler.send_header(key, value)
            handler.send_header("Connection", "close")
            handler.end_headers()
            if fault in ("cut_once", "garble_once") and self._once(fault):
                self._alter(handler, response, fault)
            else:
                for chunk in response.iter_raw():
                    handler.wfile.write(chunk)
                    handler.wfile.flush()
        except (OSError, httpx.HTTPError):
            pass  # the client or the app went away
        finally:
            response.close()

    def _alter(self, handler: Any, response: httpx.Response, fault: str) -> None:
        buffer = b""
        for chunk in response.iter_raw():
            buffer += chunk
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                if b'"process_generating"' in event and fault == "cut_once":
                    handler.wfile.write(event + b"\n\n")
                    handler.wfile.flush()
                    return  # closes the connection mid-job
                if b'"process_generating"' in event and fault == "garble_once":
                    # The message cut in half: its event id (near the start) is kept.
                    event = event[: len(event) // 2]
                    fault = ""  # only the first
                handler.wfile.write(event + b"\n\n")
                handler.wfile.flush()

    @staticmethod
    def _answer(handler: Any, status: int, kind: str, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
