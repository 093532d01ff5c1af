"""The fast transport: Gradio's queue protocol over pooled connections, event-driven.

Why not the stock client's: it opens a new HTTP connection (and TLS context) for
each request and each stream, and hands messages to the waiting job through a deque
it polls every 50 ms. Here one keep-alive pool serves every request of an app, one
reader thread per session parses the `queue/data` stream and puts each message into
the waiting job's queue, and the job thread blocks on that queue: a message is acted
on the moment it arrives.

What the job thread does with each message mirrors gradio_client's own handling
(`utils.stream_sse_v1plus`, `Endpoint.make_predict`), so `Job.outputs()`, `status()`,
iteration, async iteration, files, state, errors and cancel behave as stock.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import queue
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from gradio_client import utils
from gradio_client.exceptions import AppError, ValidationError
from gradio_client.utils import (
    OutputUpdate,
    ProgressUnit,
    QueueError,
    ServerMessage,
    Status,
    StatusUpdate,
    apply_diff,
)

from ..timeline import MESSAGE_STATUS

FAST_PROTOCOLS = ("sse_v1", "sse_v2", "sse_v2.1", "sse_v3")
_DIFF_PROTOCOLS = ("sse_v2", "sse_v2.1", "sse_v3")
_CANCEL = {"msg": "__pytest_gradio_cancel__"}
MessageTap = Callable[[str, dict[str, Any], float], None]


def new_pool(
    ssl_verify: bool = True, cookies: dict[str, str] | None = None, **httpx_kwargs: Any
) -> httpx.Client:
    """The keep-alive pool one app's clients share.

    The app's cookies (session affinity, login) live on the pool, not on each request:
    httpx deprecates per-request cookies, and a warning per job would break suites
    that run with `-W error`.
    """
    httpx_kwargs.setdefault("timeout", httpx.Timeout(30.0, read=None))
    return httpx.Client(verify=ssl_verify, cookies=cookies, **httpx_kwargs)


def stream_socket(response: httpx.Response) -> socket.socket | None:
    """The socket under a streaming response, so that another thread can cut it."""
    stream = response.extensions.get("network_stream")
    return stream.get_extra_info("socket") if stream is not None else None


def cut(sock: socket.socket | None) -> None:
    """End a blocking read on `sock` from another thread.

    Why not `httpx.Client.close()`: it does not wake a thread blocked in recv();
    shutting the socket down does, at once.
    """
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class SessionStream:
    """One session's `queue/data` stream, read on its own thread.

    The server keeps the stream open while the session has events in flight and
    closes it (`close_stream`) when none is left; a job joining later opens it
    again. Messages are delivered to per-event inboxes; one that arrives before its
    job registered (the server can answer before `queue/join` returns) waits in the
    inbox until the job picks it up.
    """

    def __init__(
        self,
        http: httpx.Client,
        url: str,
        session_hash: str,
        headers: dict[str, str],
        tap: MessageTap,
    ) -> None:
        self._http = http
        self._url = url
        self._params = {"session_hash": session_hash}
        self._headers = headers
        self._tap = tap
        self._lock = threading.Lock()
        self._inboxes: dict[str, queue.SimpleQueue[dict[str, Any]]] = {}
        self._in_flight: set[str] = set()
        # Events whose final message arrived before their job registered.
        self._finished: set[str] = set()
        self._reader: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._closed = False

    def _inbox(self, event_id: str) -> queue.SimpleQueue[dict[str, Any]]:
        inbox = self._inboxes.get(event_id)
        if inbox is None:
            inbox = self._inboxes[event_id] = queue.SimpleQueue()
        return inbox

    def register(self, event_id: str) -> queue.SimpleQueue[dict[str, Any]]:
        """The inbox of a job that just joined the queue; makes sure a reader runs."""
        with self._lock:
            inbox = self._inbox(event_id)
            if self._closed:
                # The client was closed while this job was joining: nothing will
                # read its messages, so it ends as cancelled instead of waiting.
                inbox.put(_CANCEL)
            elif event_id not in self._finished:
                self._in_flight.add(event_id)
            if self._reader is None and self._in_flight and not self._closed:
                self._reader = threading.Thread(
                    target=self._read, name="gradio-queue-stream", daemon=True
                )
                self._reader.start()
            return inbox

    def forget(self, event_id: str) -> None:
        with self._lock:
            self._inboxes.pop(event_id, None)
            self._in_flight.discard(event_id)
            self._finished.discard(event_id)

    def cancel(self, event_id: str | None) -> None:
        """Wake the job waiting on `event_id` so that it can stop."""
        if event_id is None:
            return
        with self._lock:
            self._inbox(event_id).put(_CANCEL)

    def _deliver(self, msg: dict[str, Any], arrived: float) -> None:
        event_id = msg.get("event_id")
        with self._lock:
            if event_id is None:
                # A notice for the whole session (the server stopping): every job
                # in flight gets it.
                targets = list(self._in_flight)
            else:
                targets = [event_id]
                if msg.get("msg") == ServerMessage.process_completed:
                    self._in_flight.discard(event_id)
                    self._finished.add(event_id)
            for target in targets:
                self._tap(target, msg, arrived)
                self._inbox(target).put(msg)

    def _read(self) -> None:
        failure: str | None = None
        while True:
            try:
                self._read_once()
                failure = None
            except Exception as exc:
                failure = f"{type(exc).__name__}: {exc}"
            with self._lock:
                if self._closed or not self._in_flight:
                    self._reader = None
                    return
                if failure is not None:
                    # The stream broke with jobs in flight: the server is gone.
                    stranded = list(self._in_flight)
                    self._reader = None
            if failure is None:
                continue  # closed by the server while a job was joining: reopen
            notice = {
                "msg": "unexpected_error",
                "message": f"Server stopped unexpectedly ({failure}).",
                "success": False,
            }
            arrived = time.perf_counter()
            for event_id in stranded:
                self._deliver({**notice, "event_id": event_id}, arrived)
            return

    def _read_once(self) -> None:
        with self._http.stream(
            "GET",
            self._url,
            params=self._params,
            headers=self._headers,
            timeout=httpx.Timeout(30.0, read=None),
        ) as response:
            if response.status_code != 200:
                raise ConnectionError(f"HTTP {response.status_code} from {self._url}")
            self._socket = stream_socket(response)
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                arrived = time.perf_counter()
                msg = json.loads(line[5:])
                kind = msg.get("msg")
                if kind == ServerMessage.heartbeat:
                    continue
                if kind == ServerMessage.close_stream:
                    return
                self._deliver(msg, arrived)
                if self._closed:
                    return

    def close(self) -> None:
        with self._lock:
            self._closed = True
            reader = self._reader
            for event_id in list(self._in_flight):
                self._inbox(event_id).put(_CANCEL)
        cut(self._socket)
        if reader is not None:
            reader.join(timeout=1)


def run_job(
    client: Any,
    endpoint: Any,
    helper: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    on_event_id: Callable[[str], None],
) -> Any:
    """What the stock `Endpoint.make_end_to_end_fn` does, over the fast transport."""
    if not endpoint.is_valid:
        raise utils.InvalidAPIEndpointError()
    data = args
    if client._skip_components:
        data = endpoint.insert_empty_state(*data)
    data = endpoint.process_input_files(*data)
    result = _predict(client, endpoint, helper, data, kwargs, on_event_id)
    predictions = endpoint.process_predictions(*result)
    with helper.lock:
        if not helper.job.outputs:
            helper.job.outputs.append(predictions)
    return predictions


def _predict(
    client: Any,
    endpoint: Any,
    helper: Any,
    data: tuple[Any, ...],
    kwargs: dict[str, Any],
    on_event_id: Callable[[str], None],
) -> tuple[Any, ...]:
    payload = {
        "data": list(data),
        "fn_index": endpoint.fn_index,
        **kwargs,
        **endpoint.oauth_token_payload(),
        "session_hash": kwargs.get("session_hash", client.session_hash),
    }
    headers = client.add_zero_gpu_headers(client.headers)
    if helper.request_headers is not None:
        headers = {**helper.request_headers, **headers}
    response = client._http.post(client.sse_data_url, json=payload, headers=headers)
    if response.status_code == 503:
        raise QueueError("Queue is full! Please try again.")
    validation = utils.extract_validation_message(response)
    if validation is not None:
        raise ValidationError(validation)
    response.raise_for_status()
    event_id = response.json()["event_id"]
    helper.event_id = event_id
    on_event_id(event_id)
    stream: SessionStream = client._session_stream()
    inbox = stream.register(event_id)
    try:
        with helper.lock:
            cancelled = helper.should_cancel
        if cancelled:
            stream.cancel(event_id)
        result = _consume(client, endpoint, helper, inbox, event_id)
    finally:
        stream.forget(event_id)
    return _unpack(result)


def _consume(
    client: Any,
    endpoint: Any,
    helper: Any,
    inbox: queue.SimpleQueue[dict[str, Any]],
    event_id: str,
) -> dict[str, Any]:
    previous: list[Any] | None = None
    while True:
        msg = inbox.get()
        if msg is _CANCEL:
            with contextlib.suppress(httpx.HTTPError):
                client._http.post(
                    client.reset_url,
                    json={"event_id": event_id},
                    headers=client.headers,
                )
            raise concurrent.futures.CancelledError()
        kind = msg.get("msg")
        if kind == "unexpected_error":
            raise ValueError(msg.get("message") or "Server stopped.")
        status = MESSAGE_STATUS.get(str(kind))
        if status is None:
            continue
        with helper.lock:
            log = None
            if kind == ServerMessage.log and msg.get("log") and msg.get("level"):
                log = (msg["log"], msg["level"])
            update = StatusUpdate(
                code=status,
                queue_size=msg.get("queue_size"),
                rank=msg.get("rank"),
                success=msg.get("success"),
                time=datetime.now(),
                eta=msg.get("rank_eta"),
                progress_data=ProgressUnit.from_msg(msg["progress_data"])
                if "progress_data" in msg
                else None,
                log=log,
            )
            output = list(msg.get("output", {}).get("data", []) or [])
            if kind == ServerMessage.process_generating and endpoint.protocol in _DIFF_PROTOCOLS:
                if previous is None:
                    previous = list(output)
                else:
                    for i, value in enumerate(output):
                        if i >= len(previous):
                            previous.append(None)
                        previous[i] = apply_diff(previous[i], value)
                        output[i] = previous[i]
            if output and status is not Status.FINISHED:
                try:
                    value = helper.prediction_processor(*output)
                except Exception as exc:
                    value = [exc]
                helper.job.outputs.append(value)
                helper.updates.put_nowait(
                    OutputUpdate(outputs=value, success=msg.get("success", True))
                )
            helper.job.latest_status = update
            helper.updates.put_nowait(update)
        if kind == ServerMessage.process_completed:
            final = msg.get("output") or {}
            helper.updates.put_nowait(
                OutputUpdate(
                    outputs=dict(final.items()) if not msg.get("success", True) else final,
                    final=True,
                    success=msg.get("success", True),
                )
            )
            return dict(final)


def _unpack(result: dict[str, Any]) -> tuple[Any, ...]:
    # As gradio_client's make_predict: an error dict becomes AppError.
    if "error" in result:
        if result["error"] is None:
            raise AppError(
                "The upstream Gradio app has raised an exception but has not enabled "
                "verbose error reporting. To enable, set show_error=True in launch()."
            )
        message = result.pop("error")
        known = {k: v for k, v in result.items() if k in _APP_ERROR_FIELDS}
        raise AppError(message=message, **known)
    try:
        return tuple(result["data"])
    except KeyError:
        raise KeyError(
            f"Could not find 'data' key in response. Response received: {result}"
        ) from None


_APP_ERROR_FIELDS = ("duration", "visible", "title", "print_exception")
