"""The fast transport: Gradio's queue protocol over pooled connections, event-driven.

Why not the stock client's: it opens a new HTTP connection (and TLS context) for
each request and each stream, and hands messages to the waiting job through a deque
it polls every 50 ms. Here one keep-alive pool serves every request of an app, one
reader thread per session parses the `queue/data` stream and puts each message into
the waiting job's queue, and the job thread blocks on that queue: a message is acted
on the moment it arrives.

The job thread reads each message once (`protocol.QueueReader`: the fact it states,
recorded on the job's timeline) and acts on that fact as gradio_client's own handling
does (`utils.stream_sse_v1plus`, `Endpoint.make_predict`), so `Job.outputs()`,
`status()`, iteration, async iteration, files, state, errors and cancel behave as stock.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import queue
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, cast

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
)

from ..errors import JobStreamError
from ..timeline import Timeline
from . import compat, tls
from .protocol import FINAL, QueueReader, Routes, unreadable

FAST_PROTOCOLS = ("sse_v1", "sse_v2", "sse_v2.1", "sse_v3")
_CANCEL = {"msg": "__pytest_gradio_cancel__"}
# What a job's inbox holds: a message and when it arrived (time.perf_counter()).
Delivery = tuple[dict[str, Any], float]


def new_pool(
    ssl_verify: bool = True, cookies: dict[str, str] | None = None, **httpx_kwargs: Any
) -> httpx.Client:
    """The keep-alive pool one app's clients share, built from the same `httpx_kwargs`
    the stock client passes to each of its requests (timeout, auth, proxy, headers,
    transport, ...), so every option it honours is honoured here.

    The app's cookies (session affinity, login) live on the pool, not on each request:
    httpx deprecates per-request cookies, and a warning per job would break suites
    that run with `-W error`.

    Why no connection limit by default: every client holds one connection for its
    heartbeat as long as it lives, and a suite may hold a hundred clients of one app;
    a bounded pool would make their jobs wait for a free connection (PoolTimeout).
    """
    httpx_kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
    httpx_kwargs.setdefault(
        "limits", httpx.Limits(max_connections=None, max_keepalive_connections=20)
    )
    verify = tls.verify(ssl_verify, trust_env=httpx_kwargs.get("trust_env", True))
    return httpx.Client(verify=verify, cookies=cookies, **httpx_kwargs)


# Requests: connecting and answering are bounded; a stream may stay quiet while a
# job runs. A `timeout` in `httpx_kwargs` replaces both, as it does for stock.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, read=None)


def cut_text(text: str, limit: int = 200) -> str:
    """`text` cut to about `limit` characters, for quoting a message in an error."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


class SSEParser:
    """Server-sent events, framed as the spec says and nowhere else.

    Lines end with CRLF, CR or LF only (never at U+2028, U+2029, U+0085 or any other
    character `str.splitlines()` breaks at: text of an app may hold those); an event
    ends at a blank line; its `data` lines are joined with LF. Bytes are split before
    decoding, so a multi-byte character cut between two chunks is kept whole.

    >>> list(SSEParser().feed(b'data: {"msg": "a\\u2028b"}\r\n\r\n'))
    ['{"msg": "a\\u2028b"}']
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        # The previous chunk ended with CR: a LF that starts this one ends the same line.
        self._skip_lf = False

    def feed(self, chunk: bytes) -> Iterator[str]:
        """The data of each event that `chunk` completes."""
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._skip_lf = False
        buffer = self._buffer + chunk
        start = 0
        while True:
            cr = buffer.find(b"\r", start)
            lf = buffer.find(b"\n", start)
            if cr < 0 and lf < 0:
                break
            end = lf if cr < 0 or (0 <= lf < cr) else cr
            line = buffer[start:end]
            start = end + 1
            if buffer[end : end + 1] == b"\r":
                if start < len(buffer):
                    if buffer[start : start + 1] == b"\n":
                        start += 1
                else:
                    self._skip_lf = True
            event = self._line(line)
            if event is not None:
                yield event
        self._buffer = buffer[start:]

    def _line(self, raw: bytes) -> str | None:
        if not raw:
            if not self._data:
                return None
            data, self._data = "\n".join(self._data), []
            return data
        line = raw.decode("utf-8", errors="replace")
        if line.startswith(":"):
            return None  # a comment
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        return None  # event, id and retry fields: Gradio sends none that matter here


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


# The internal message that fails one job: the stream broke, or carried something
# for it that the client cannot read. Never recorded as a server message.
FAULT = "__pytest_gradio_fault__"
# Reopening a stream the server closed while a job was joining: at most this many
# times in a row without a message in between, each after a growing pause.
REOPEN_LIMIT = 5
REOPEN_PAUSE = 0.02


class SessionStream:
    """One session's `queue/data` stream, read on its own thread.

    The server keeps the stream open while the session has events in flight and
    closes it (`close_stream`) when none is left; a job joining later opens it
    again. Messages are delivered, with their arrival time, to per-event inboxes; one
    that arrives before its job registered (the server can answer before `queue/join`
    returns) waits (`protocol.Routes`) until the job registers.

    Faults end the jobs they concern, at once, with what was seen: an answer that is
    not an event stream (status, content type, first bytes), a stream that ends
    without `close_stream` (Gradio cancels a session's events when its stream drops,
    so there is nothing to resume), a message that cannot be read (only its own job,
    when the message names it). Reopening after `close_stream` is bounded
    (`REOPEN_LIMIT` tries in a row, with backoff), so a server that closes every
    stream at once costs a handful of requests, not thousands a second.
    """

    def __init__(
        self,
        http: httpx.Client,
        url: str,
        session_hash: str,
        headers: dict[str, str],
        timeout: Any = None,
    ) -> None:
        self._http = http
        self._url = url
        self.session_hash = session_hash
        self._params = {"session_hash": session_hash}
        self._headers = headers
        self._timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self._lock = threading.Lock()
        self._routes: Routes[Delivery] = Routes()
        self._in_flight: set[str] = set()
        # Events whose final message arrived before their job registered.
        self._finished: set[str] = set()
        self._failed: set[str] = set()
        self._reader: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._closed = False

    def register(self, event_id: str) -> queue.SimpleQueue[Delivery]:
        """The inbox of a job that just joined the queue; makes sure a reader runs."""
        with self._lock:
            inbox: queue.SimpleQueue[Delivery] = queue.SimpleQueue()
            self._routes.bind(event_id, inbox.put)
            if self._closed:
                # The client was closed while this job was joining: nothing will
                # read its messages, so it ends as cancelled instead of waiting.
                inbox.put((_CANCEL, 0.0))
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
            self._routes.unbind(event_id)
            self._in_flight.discard(event_id)
            self._finished.discard(event_id)
            # Kept in _failed (ids are unique): the server may still send for it.

    def cancel(self, event_id: str | None) -> None:
        """Wake the job waiting on `event_id` so that it can stop."""
        if event_id is None:
            return
        with self._lock:
            self._routes.deliver(event_id, (_CANCEL, 0.0))

    @property
    def idle(self) -> bool:
        """No job of this session is waiting on the stream."""
        with self._lock:
            return not self._in_flight

    def _deliver(self, msg: dict[str, Any], arrived: float) -> None:
        event_id = msg.get("event_id")
        with self._lock:
            # No event id: a notice for the whole session (the server stopping),
            # which every job in flight gets.
            targets = list(self._in_flight) if event_id is None else [event_id]
            # A job failed by a fault has ended: what the server still sends for it
            # is not its.
            targets = [t for t in targets if t not in self._failed]
            if msg.get("msg") in FINAL:
                for target in targets:
                    self._in_flight.discard(target)
                    self._finished.add(target)
            for target in targets:
                self._routes.deliver(target, (msg, arrived))

    def _fail(self, detail: str, event_ids: list[str] | None = None) -> None:
        """End `event_ids` (default: every job in flight) with `detail`."""
        with self._lock:
            targets = list(self._in_flight) if event_ids is None else event_ids
            for target in targets:
                self._in_flight.discard(target)
                self._finished.add(target)
                self._failed.add(target)
                fault = {"msg": FAULT, "event_id": target, "message": detail}
                self._routes.deliver(target, (fault, time.perf_counter()))

    def _read(self) -> None:
        reopened = 0
        while True:
            try:
                delivered = self._read_once()
            except Exception as exc:
                with self._lock:
                    closed = self._closed
                if not closed:
                    self._fail(
                        exc.args[0]
                        if isinstance(exc, StreamFault)
                        else f"the event stream broke ({type(exc).__name__}: {exc})"
                    )
                delivered = None
            with self._lock:
                if delivered is None or self._closed or not self._in_flight:
                    self._reader = None
                    return
            # The server closed the stream (close_stream) while a job was joining:
            # reopen, but not forever, and not at once when nothing came through.
            reopened = 0 if delivered else reopened + 1
            if reopened > REOPEN_LIMIT:
                self._fail(
                    f"the server closed the event stream {reopened} times in a row "
                    "before sending this job a message"
                )
                with self._lock:
                    self._reader = None
                return
            if reopened:
                time.sleep(REOPEN_PAUSE * 2 ** (reopened - 1))

    def _read_once(self) -> bool:
        """Read one stream to its end; True if it brought a job a message.

        Raises StreamFault when the stream is not one, or ends without close_stream.
        """
        delivered = False
        with self._http.stream(
            "GET",
            self._url,
            params=self._params,
            headers=self._headers,
            timeout=self._timeout,
        ) as response:
            kind = response.headers.get("content-type", "")
            if response.status_code != 200 or not kind.startswith("text/event-stream"):
                first = b""
                with contextlib.suppress(httpx.HTTPError):
                    for chunk in response.iter_raw():
                        first += chunk
                        if len(first) >= 200:
                            break
                raise StreamFault(
                    f"the server answered the event stream request (GET {self._url}) "
                    f"with HTTP {response.status_code}, content type {kind or 'none'!r}, "
                    f"not an event stream; it began {first!r}"
                )
            self._socket = stream_socket(response)
            parser = SSEParser()
            for chunk in response.iter_raw():
                for data in parser.feed(chunk):
                    arrived = time.perf_counter()
                    msg = self._parse(data)
                    if msg is None:
                        continue
                    name = msg.get("msg")
                    if name == ServerMessage.heartbeat:
                        continue
                    if name == ServerMessage.close_stream:
                        return delivered
                    self._deliver(msg, arrived)
                    delivered = True
                    if self._closed:
                        return delivered
        if self._closed:
            return delivered
        raise StreamFault("the event stream ended without close_stream (the connection was cut)")

    def _parse(self, data: str) -> dict[str, Any] | None:
        """The message in one event's data; None if it was not one (its job, if named,
        is failed with the message quoted; other jobs go on)."""
        try:
            msg = json.loads(data)
        except ValueError as exc:
            problem = f"{type(exc).__name__}: {exc}"
            msg = None
        else:
            problem = unreadable(msg) or ""
        if not problem:
            return cast("dict[str, Any]", msg)
        detail = f"the server sent a message the client cannot read ({problem}): {cut_text(data)!r}"
        event_id = msg.get("event_id") if isinstance(msg, dict) else None
        if not isinstance(event_id, str):
            found = _EVENT_ID.search(data)
            event_id = found.group(1) if found else None
        # Nothing says whose it is: every job that waits may be the one.
        self._fail(detail, [event_id] if event_id is not None else None)
        return None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            reader = self._reader
            for event_id in list(self._in_flight):
                self._routes.deliver(event_id, (_CANCEL, 0.0))
        cut(self._socket)
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=1)


class StreamFault(Exception):
    """The session's event stream cannot go on; the argument says why."""


_EVENT_ID = re.compile(r'"event_id"\s*:\s*"([^"]+)"')


def server_ended(msg: dict[str, Any]) -> str:
    """What an `unexpected_error` message from the server says, for a JobStreamError."""
    return f"the server ended the job with unexpected_error {cut_text(str(msg.get('message')))!r}"


def stream_error(endpoint: Any, detail: str, helper: Any) -> JobStreamError:
    """The one error both transports raise when a job's stream fails it (see
    `JobStreamError`); the job's timeline ends with the same text."""
    with helper.lock:
        outputs = len(helper.job.outputs)
    name = endpoint.api_name or f"fn_index={endpoint.fn_index}"
    # The app's handle may know why its server went away (GradioClient.server_gone).
    probe = getattr(getattr(endpoint, "client", None), "server_gone", None)
    gone = probe() if probe is not None and "unexpected_error" not in detail else None
    if gone is not None:
        death, last_output = gone
        return JobStreamError(
            f"{name}: {death} during the job, after {outputs} output(s) of the job; it "
            f"ended without its result ({detail}). {last_output}"
        )
    if "cannot read" in detail:
        why = "The app's server, or something between it and the tests (a proxy?), sent it."
    elif "unexpected_error" in detail:
        why = "See the app's server log (gradio_app.logs())."
    else:
        why = (
            "Gradio cancels a session's jobs when their stream drops, so the job cannot "
            "be resumed: see the app's server log (gradio_app.logs()), and any proxy "
            "between the app and the tests."
        )
    return JobStreamError(
        f"{name}: {detail}, after {outputs} output(s) of the job; it ended without its "
        f"result. {why}"
    )


def run_job(
    client: Any,
    endpoint: Any,
    helper: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    timeline: Timeline,
    stream: SessionStream,
    joined: Callable[[str], bool],
) -> Any:
    """What the stock `Endpoint.make_end_to_end_fn` does, over the fast transport, on
    `stream` (the session's when the job was submitted), recording on `timeline`.
    `joined(event_id)` notes the job's event id once its join is answered, and says
    whether `cancel()` came first (then it has asked the server to cancel)."""
    if not endpoint.is_valid:
        raise utils.InvalidAPIEndpointError()
    data = args
    if client._skip_components:
        data = endpoint.insert_empty_state(*data)
    data = endpoint.process_input_files(*data)
    result = _predict(client, endpoint, helper, data, kwargs, timeline, stream, joined)
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
    timeline: Timeline,
    stream: SessionStream,
    joined: Callable[[str], bool],
) -> tuple[Any, ...]:
    payload = {
        "data": list(data),
        "fn_index": endpoint.fn_index,
        **kwargs,
        **compat.oauth_payload(endpoint),
        "session_hash": kwargs.get("session_hash", stream.session_hash),
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
    cancelled = joined(event_id)
    timeline.event_id = event_id
    inbox = stream.register(event_id)
    try:
        if cancelled:
            stream.cancel(event_id)
        reader = QueueReader(timeline, protocol=endpoint.protocol, strict=True)
        result = _consume(client, endpoint, helper, inbox, event_id, reader)
    finally:
        stream.forget(event_id)
    return _unpack(result)


def _consume(
    client: Any,
    endpoint: Any,
    helper: Any,
    inbox: queue.SimpleQueue[Delivery],
    event_id: str,
    reader: QueueReader,
) -> dict[str, Any]:
    """Act on the job's messages as gradio_client's `stream_sse_v1plus` does, each read
    once (`reader`: recorded on the timeline, then acted on), until its end."""
    while True:
        msg, arrived = inbox.get()
        if msg is _CANCEL:
            with contextlib.suppress(httpx.HTTPError):
                client._http.post(
                    client.reset_url,
                    json={"event_id": event_id},
                    headers=client.headers,
                )
            raise concurrent.futures.CancelledError()
        kind = msg.get("msg")
        if kind == FAULT:
            raise stream_error(endpoint, str(msg["message"]), helper)
        if kind == ServerMessage.unexpected_error:
            raise stream_error(endpoint, server_ended(msg), helper)
        fact = reader.record(msg, arrived)
        if fact is None or kind is None:
            # Nothing the job acts on; a server-stopped notice (no "msg") ends the
            # timeline, and the job ends with the stream it came on.
            continue
        with helper.lock:
            update = StatusUpdate(
                code=fact.status,
                queue_size=fact.queue_size,
                rank=fact.rank,
                success=fact.success,
                time=datetime.now(),
                eta=fact.eta,
                progress_data=[
                    ProgressUnit(
                        index=step.index,
                        length=step.length,
                        unit=step.unit,
                        progress=step.progress,
                        desc=step.desc,
                    )
                    for step in fact.progress
                ]
                if fact.progress is not None
                else None,
                # As stock: a log message without text is no log.
                log=fact.log if fact.log and fact.log[0] else None,
            )
            if fact.data and fact.status is not Status.FINISHED:
                try:
                    value = helper.prediction_processor(*fact.data)
                except Exception as exc:
                    value = [exc]
                helper.job.outputs.append(value)
                helper.updates.put_nowait(
                    OutputUpdate(outputs=value, success=msg.get("success", True))
                )
            helper.job.latest_status = update
            helper.updates.put_nowait(update)
        if fact.status is Status.FINISHED:
            # The raw output dict, as stock hands it on: an error's fields (title,
            # duration, ...) become the AppError's (_unpack).
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
