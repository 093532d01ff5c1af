"""Clients whose jobs record every update as a timeline.

How recording works without polling: the stock client's stream reader appends each
message it receives to a per-event deque in `Client.pending_messages_per_event`.
`GradioClient` replaces that dict with one whose deques report every append, so a
message is timestamped on the reader thread the moment it is parsed, and routed to
the job's `Timeline`. The job itself is a stock `Job`: results, iteration, status
and cancel behave exactly as in gradio_client.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from gradio_client import Client
from gradio_client.client import Endpoint, Job
from gradio_client.utils import Status, apply_diff

from . import deadlines as _deadlines
from . import lifecycle
from .errors import EndpointNotFoundError
from .targets import TRANSPORTS
from .transport import (
    FAST_PROTOCOLS,
    MESSAGE_STATUS,
    SessionStream,
    cut,
    new_pool,
    run_job,
    stream_socket,
)

# Which timeline a submission belongs to. Why a context variable: the stock client
# runs the submission on an executor thread under `copy_context()` taken inside
# `submit()`, so the value set around `super().submit()` is visible to the
# `send_data()` call that learns the server's event id.
_SUBMITTING: contextvars.ContextVar[Timeline | None] = contextvars.ContextVar(
    "pytest_gradio_submitting", default=None
)

_MESSAGE_STATUS = {
    **MESSAGE_STATUS,
    "process_streaming": Status.ITERATING,
    "unexpected_error": Status.FINISHED,
}


@dataclass(frozen=True)
class ProgressStep:
    """One progress bar's state in a progress update (gr.Progress / tqdm)."""

    index: int | None = None
    length: int | None = None
    unit: str | None = None
    progress: float | None = None
    desc: str | None = None

    @property
    def fraction(self) -> float | None:
        """How far along, 0..1: `progress` if the app gave one, else index/length."""
        if self.progress is not None:
            return float(self.progress)
        if self.index is not None and self.length:
            return self.index / self.length
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "length": self.length,
            "unit": self.unit,
            "progress": self.progress,
            "desc": self.desc,
        }

    def __str__(self) -> str:
        parts = []
        if self.index is not None and self.length is not None:
            parts.append(f"{self.index}/{self.length}")
        elif self.index is not None:
            parts.append(str(self.index))
        if self.progress is not None:
            parts.append(f"{self.progress:.0%}")
        if self.unit and self.unit != "steps":
            parts.append(self.unit)
        if self.desc:
            parts.append(repr(self.desc))
        return " ".join(parts) or "(empty)"


@dataclass(frozen=True)
class Event:
    """One update of a job, as the client received it.

    `time` is seconds since `submit()`, taken when the message arrived. `data` is
    the raw output data the server sent (generator diffs applied); use
    `Timeline.value(event)` for the value as the client returns it.
    """

    kind: str
    status: Status
    time: float
    rank: int | None = None
    queue_size: int | None = None
    eta: float | None = None
    progress: tuple[ProgressStep, ...] | None = None
    log: tuple[str, str] | None = None
    success: bool | None = None
    output_index: int | None = None
    data: Any = None
    error: str | None = None

    @property
    def code(self) -> str:
        return str(self.status.name)


class Timeline:
    """Every update of one job, in arrival order.

    >>> job = gradio_client.submit(3, api_name="/count")
    >>> job.result(); job.timeline.statuses()
    ['STARTING', 'IN_QUEUE', 'PROCESSING', 'ITERATING', 'FINISHED']
    """

    def __init__(self, endpoint: str, args: tuple[Any, ...] = (), kwargs: Any = None) -> None:
        self.endpoint = endpoint
        self.args = args
        self.kwargs = dict(kwargs or {})
        self.event_id: str | None = None
        self._t0 = time.perf_counter()
        self._events: list[Event] = []
        self._changed = threading.Condition()
        self._outputs: list[Any] | None = None
        self._diff_base: list[Any] | None = None
        self._n_outputs = 0
        # The job this timeline belongs to (set by RecordedJob): snapshots wait on it,
        # because the client processes outputs after their messages are recorded.
        self.job: RecordedJob | None = None
        self._events.append(Event("status", Status.STARTING, 0.0))

    # -- recording -------------------------------------------------------------------

    def _now(self, arrived: float | None = None) -> float:
        return (arrived if arrived is not None else time.perf_counter()) - self._t0

    def _add(self, event: Event) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    def record_message(self, msg: dict[str, Any], arrived: float) -> None:
        """Turn one server message into an event. Called on the stream reader thread."""
        name = msg.get("msg")
        at = self._now(arrived)
        if name is None:  # a server_stopped notice carries only "message"
            self._add(Event("status", Status.FINISHED, at, success=False, error=msg.get("message")))
            return
        status = _MESSAGE_STATUS.get(name)
        if status is None:
            return
        common: dict[str, Any] = {
            "rank": msg.get("rank"),
            "queue_size": msg.get("queue_size"),
            "eta": msg.get("rank_eta"),
            "success": msg.get("success"),
        }
        if name == "progress":
            steps = tuple(
                ProgressStep(
                    index=p.get("index"),
                    length=p.get("length"),
                    unit=p.get("unit"),
                    progress=p.get("progress"),
                    desc=p.get("desc"),
                )
                for p in msg.get("progress_data") or ()
            )
            self._add(Event("progress", status, at, progress=steps, **common))
        elif name == "log":
            log = (str(msg.get("log", "")), str(msg.get("level", "info")).lower())
            self._add(Event("log", status, at, log=log, **common))
        elif name in ("process_generating", "process_streaming"):
            data = self._apply_diff(msg.get("output", {}).get("data", []))
            if not data:
                self._add(Event("status", status, at, **common))
                return
            index = self._n_outputs
            self._n_outputs += 1
            self._add(Event("output", status, at, output_index=index, data=data, **common))
        elif name == "process_completed" or name == "unexpected_error":
            if self._cancelled():
                # After cancel() the server closes the event with an empty "success";
                # the job was cancelled, and its timeline ends with CANCELLED.
                return
            output = msg.get("output") or {}
            success = (
                bool(msg.get("success", name == "process_completed")) and "error" not in output
            )
            error = None
            if not success:
                error = str(output.get("error") or msg.get("message") or "the app raised an error")
            # Non-generators: the final value is the job's only output.
            final_index = 0 if success and self._n_outputs == 0 else None
            common["success"] = success
            self._add(
                Event(
                    "status",
                    status,
                    at,
                    output_index=final_index,
                    data=output.get("data") if success else None,
                    error=error,
                    **common,
                )
            )
        else:
            self._add(Event("status", status, at, **common))

    def _apply_diff(self, data: list[Any]) -> list[Any]:
        # sse_v2+ sends generator outputs after the first as diffs against the last.
        if self._diff_base is None:
            self._diff_base = list(data)
            return list(data)
        merged = []
        for i, value in enumerate(data):
            previous = self._diff_base[i] if i < len(self._diff_base) else None
            try:
                merged.append(apply_diff(previous, value))
            except Exception:
                merged.append(value)
        self._diff_base = merged
        return list(merged)

    def _cancelled(self) -> bool:
        with self._changed:
            return any(e.status is Status.CANCELLED for e in self._events)

    def record_cancel(self) -> None:
        self._add(Event("status", Status.CANCELLED, self._now()))

    def record_client_failure(self, exc: BaseException) -> None:
        """The job ended on the client side without a final message from the server."""
        with self._changed:
            if self._events and self._events[-1].status in (Status.FINISHED, Status.CANCELLED):
                return
        if isinstance(exc, concurrent.futures.CancelledError):
            self.record_cancel()
            return
        self._add(
            Event(
                "status",
                Status.FINISHED,
                self._now(),
                success=False,
                error=f"{type(exc).__name__}: {exc}",
            )
        )

    def _bind_job(self, outputs: list[Any]) -> None:
        self._outputs = outputs

    # -- reading ---------------------------------------------------------------------

    @property
    def events(self) -> list[Event]:
        """A copy of the events so far, in arrival order."""
        with self._changed:
            return list(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        with self._changed:
            return len(self._events)

    def wait_for(self, predicate: Callable[[list[Event]], bool], timeout: float) -> bool:
        """Block until predicate(events) holds or timeout passes; no polling."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self._events), timeout)

    def statuses(self) -> list[str]:
        """Status code names in order, consecutive repeats collapsed."""
        names: list[str] = []
        for event in self.events:
            if not names or names[-1] != event.code:
                names.append(event.code)
        return names

    def outputs(self) -> list[Any]:
        """The job's outputs as the client returns them (`job.outputs()` semantics)."""
        if self._outputs is not None:
            return list(self._outputs)
        return [e.data for e in self.events if e.kind == "output"]

    def value(self, event: Event) -> Any:
        """The value of an output event as the client returns it (downloaded files
        as local paths), or the raw data if the client has not processed it yet."""
        if event.output_index is not None and self._outputs is not None:
            outputs = list(self._outputs)
            if event.output_index < len(outputs):
                return outputs[event.output_index]
        return event.data

    def progress(self) -> list[ProgressStep]:
        """The outermost progress bar of each progress update that arrived."""
        return [e.progress[0] for e in self.events if e.kind == "progress" and e.progress]

    def logs(self) -> list[tuple[str, str]]:
        """(message, level) of each gr.Info / gr.Warning / log message, in order."""
        return [e.log for e in self.events if e.kind == "log" and e.log is not None]

    @property
    def final(self) -> Event | None:
        """The terminal event (FINISHED or CANCELLED), if the job has ended."""
        for event in reversed(self.events):
            if event.status in (Status.FINISHED, Status.CANCELLED):
                return event
        return None

    @property
    def error(self) -> str | None:
        final = self.final
        return final.error if final is not None else None

    @property
    def duration(self) -> float | None:
        """Seconds from submit to the final event; None while running."""
        final = self.final
        return final.time if final is not None else None

    @property
    def queue_wait(self) -> float | None:
        """Seconds from submit until processing started (None if it has not)."""
        for event in self.events:
            if event.status in (Status.PROCESSING, Status.ITERATING, Status.PROGRESS, Status.LOG):
                return event.time
            if event.status is Status.FINISHED:
                return event.time
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain data, normalized for snapshots: what `gradio_snapshot` writes for this
        timeline (recorded so far), as dicts and lists. No times, etas, ids or ranks;
        progress as its distinct bars; files as name, size and sha256. What is kept
        and dropped, and why: see `pytest_gradio.snapshot`."""
        from .snapshot import timeline_data

        return timeline_data(self)

    def __str__(self) -> str:
        return format_timeline(self)

    def __repr__(self) -> str:
        return f"<Timeline {self.endpoint} {' > '.join(self.statuses())}>"


def format_timeline(timeline: Timeline, *, max_events: int = 40, width: int = 70) -> str:
    """The timeline as a short aligned table, for failure messages."""
    events = timeline.events
    lines = [f"timeline of {timeline.endpoint}{_args_summary(timeline)}:"]
    shown = events
    if len(events) > max_events:
        head = max_events // 2
        shown = events[:head] + events[-(max_events - head) :]
    for i, event in enumerate(shown):
        if len(events) > max_events and i == max_events // 2:
            lines.append(f"  {'':>8}  ... {len(events) - max_events} events not shown ...")
        row = f"  {event.time * 1000:>7.1f}ms  {event.code:<12} {_detail(timeline, event, width)}"
        lines.append(row.rstrip())
    return "\n".join(lines)


def _args_summary(timeline: Timeline) -> str:
    parts = [_short(a, 30) for a in timeline.args]
    parts += [f"{k}={_short(v, 30)}" for k, v in timeline.kwargs.items()]
    return f"({', '.join(parts)})"


def _detail(timeline: Timeline, event: Event, width: int) -> str:
    if event.kind == "progress" and event.progress:
        return "progress " + "; ".join(str(step) for step in event.progress)
    if event.kind == "log" and event.log:
        return f"{event.log[1]}: {_short(event.log[0], width)}"
    if event.error is not None:
        return "error: " + _short(event.error, width)
    if event.output_index is not None:
        return "output " + _short(timeline.value(event), width)
    if event.status is Status.IN_QUEUE:
        bits = []
        if event.rank is not None:
            bits.append(f"rank {event.rank}")
        if event.queue_size is not None:
            bits.append(f"queue size {event.queue_size}")
        if event.eta is not None:
            bits.append(f"eta {event.eta:.2f}s")
        return ", ".join(bits)
    if event.status is Status.FINISHED and event.success:
        return "success"
    return ""


def _short(value: Any, width: int) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


class RecordedJob(Job):  # type: ignore[misc]
    """A stock `gradio_client.Job` that also keeps `timeline`, every update it got."""

    def __init__(self, job: Job, timeline: Timeline, *, job_timeout: float | None = None) -> None:
        super().__init__(
            job.future,
            communicator=job.communicator,
            verbose=job.verbose,
            space_id=job.space_id,
            _cancel_fn=job.cancel_fn,
        )
        self.timeline = timeline
        timeline.job = self
        self.job_timeout = job_timeout
        self._cancel_requested = False
        outputs = job.communicator.job.outputs if job.communicator else []
        timeline._bind_job(outputs)
        job.future.add_done_callback(self._on_done)

    def _on_done(self, future: concurrent.futures.Future[Any]) -> None:
        if future.cancelled():
            self.timeline.record_client_failure(concurrent.futures.CancelledError())
            return
        exc = future.exception()
        if exc is not None:
            self.timeline.record_client_failure(exc)

    def __next__(self) -> Any:
        # As stock `Job.__next__`, but it sleeps with the lock released: the stock one
        # holds the communicator's lock through its 1 ms sleep, which delays the job
        # thread that appends the very outputs it waits for.
        if not self.communicator:
            raise StopIteration()
        while True:
            with self.communicator.lock:
                outputs = self.communicator.job.outputs
                if len(outputs) > self._counter:
                    self._counter += 1
                    return outputs[self._counter - 1]
                if (
                    self.communicator.job.latest_status.code == Status.FINISHED
                    and self._counter >= len(outputs)
                ):
                    raise StopIteration()
            time.sleep(0.001)

    @property
    def cancel_requested(self) -> bool:
        """True once `cancel()` was called (by the test, or by the plugin's teardown)."""
        return self._cancel_requested

    def cancel(self) -> bool:
        if self._cancel_requested:
            # The server was asked once; asking again (teardown after the test did)
            # only waits on it once more.
            return True
        self._cancel_requested = True
        if not self.done():
            self.timeline.record_cancel()
        return bool(super().cancel())

    def result(self, timeout: float | None = None) -> Any:
        """As `Job.result`; but under pytest-timeout a wait that would outlast the
        test's deadline ends just before it, with a JobTimeoutError and the timeline."""
        __tracebackhide__ = True
        left, cut = _deadlines.bound(timeout)
        if cut and not self.done():
            from .assertions import wait_for_job

            wait_for_job(self, left, helper="result()")
        return super().result(timeout=timeout)

    def __repr__(self) -> str:
        return f"<RecordedJob {self.timeline.endpoint} {' > '.join(self.timeline.statuses())}>"


class _TappedDeque(deque):  # type: ignore[type-arg]
    """A message queue that reports each message the reader appends."""

    def __init__(self, items: Iterable[Any], event_id: str, tap: Callable[[str, Any], None]):
        super().__init__(items)
        self._event_id = event_id
        self._tap = tap
        for item in self:
            tap(event_id, item)

    def append(self, item: Any) -> None:
        self._tap(self._event_id, item)
        super().append(item)


class _TappedQueues(dict):  # type: ignore[type-arg]
    """`Client.pending_messages_per_event` whose queues report every append."""

    def __init__(self, tap: Callable[[str, Any], None]) -> None:
        super().__init__()
        self._tap = tap

    def __setitem__(self, event_id: str, queue: Any) -> None:
        if not isinstance(queue, _TappedDeque):
            queue = _TappedDeque(queue, event_id, self._tap)
        super().__setitem__(event_id, queue)

    def setdefault(self, event_id: str, default: Any = None) -> Any:
        if event_id not in self:
            self[event_id] = default if default is not None else deque()
        return self[event_id]


class _Heartbeat:
    """The session's keep-alive stream, closable at once.

    Why not the stock one: its thread only notices `close()` when the next heartbeat
    line arrives (every 15 s), so `Client.close()` waits a full second in `join`.
    Closing the HTTP connection from here ends the read immediately; the server then
    sees the session end, as it does when a browser tab closes (unload events run).
    """

    def __init__(self, client: GradioClient) -> None:
        self._url = client.heartbeat_url.format(session_hash=client.session_hash)
        self._headers = dict(client.headers)
        self._http = client._http
        self._stopped = threading.Event()
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name="gradio-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._http.stream(
                "GET",
                self._url,
                headers=self._headers,
                timeout=httpx.Timeout(10.0, read=None),
            ) as response:
                self._socket = stream_socket(response)
                if self._stopped.is_set():
                    return
                for _ in response.iter_lines():
                    if self._stopped.is_set():
                        return
        except Exception:
            return  # the server went away or close() cut the connection: both end it

    def close(self) -> None:
        self._stopped.set()
        cut(self._socket)
        self._thread.join(timeout=1)


class GradioClient(Client):  # type: ignore[misc]
    """A `gradio_client.Client` whose `submit()` returns a `RecordedJob`.

    `transport="fast"` (default) speaks the queue protocol over a keep-alive pool with
    event-driven delivery (see `transport.py`); `"stock"` uses gradio_client's own
    code unchanged. Both record the same timelines.

    >>> client = GradioClient("http://127.0.0.1:7860/")
    >>> job = client.submit(1, 2, api_name="/add"); job.result()
    3.0
    >>> job.timeline.statuses()[-1]
    'FINISHED'
    """

    _wants_heartbeat: bool = True
    _http: Any = None

    def __init__(
        self,
        src: str,
        *args: Any,
        transport: str = "fast",
        _template: GradioClient | None = None,
        **kwargs: Any,
    ) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(
                f"GradioClient transport {transport!r} is not one of {', '.join(TRANSPORTS)}."
            )
        kwargs.setdefault("verbose", False)
        kwargs.setdefault("analytics_enabled", False)
        self._template = _template
        super().__init__(src, *args, **kwargs)
        self._template = None
        self.transport = transport
        self.jobs: list[RecordedJob] = []
        self.job_timeout: float | None = None
        self._routes_lock = threading.Lock()
        self._routes: dict[str, Timeline] = {}
        self._unrouted: dict[str, list[tuple[float, Any]]] = {}
        self.pending_messages_per_event = _TappedQueues(self._tapped)
        self._owns_pool = _template is None
        self._http = _template._http if _template is not None else self._new_pool()
        self._stream: SessionStream | None = None
        self._heartbeat = _Heartbeat(self) if self._wants_heartbeat else None
        lifecycle.client_created(self)

    def __repr__(self) -> str:
        # The stock repr is the whole API description, which pytest would print for
        # every failing test that uses the gradio_client fixture.
        return f"<GradioClient {self.src} session {self.session_hash[:8]}, {len(self.jobs)} jobs>"

    def _new_pool(self) -> Any:
        options = {k: v for k, v in self.httpx_kwargs.items() if k != "timeout"}
        return new_pool(self.ssl_verify, cookies=dict(self.cookies), **options)

    # Why these two overrides: a client made from a template (another client of the
    # same app) reuses its config and API info instead of fetching them again; only
    # the session is new. That makes a per-test client cost a few milliseconds.
    def _get_config(self) -> dict[str, Any]:
        if self._template is not None:
            self.cookies.update(self._template.cookies)
            self._wants_heartbeat = self._template._wants_heartbeat
            return dict(self._template.config)
        config: dict[str, Any] = super()._get_config()
        # The stock heartbeat thread is started from __init__ when the config asks
        # for it; we run our own (see _Heartbeat), so hide the request from it.
        self._wants_heartbeat = bool(config.get("connect_heartbeat", True))
        config["connect_heartbeat"] = False
        return config

    def _get_api_info(self) -> dict[str, Any]:
        if self._template is not None:
            return self._template._info  # type: ignore[no-any-return]
        return super()._get_api_info()  # type: ignore[no-any-return]

    def clone(self) -> GradioClient:
        """A new client of the same app with its own session, made without asking the
        server for its config again."""
        return GradioClient(
            self.src,
            transport=self.transport,
            _template=self,
            token=self.token,
            headers=dict(self.headers),
            download_files=self.download_files,
            ssl_verify=self.ssl_verify,
            httpx_kwargs=dict(self.httpx_kwargs),
        )

    # -- recording plumbing ------------------------------------------------------------

    def _tapped(self, event_id: str, msg: Any) -> None:
        if msg is not None:  # None is the stock reader's "stream closed" sentinel
            self._message_arrived(event_id, msg, time.perf_counter())

    def _message_arrived(self, event_id: str, msg: dict[str, Any], arrived: float) -> None:
        with self._routes_lock:
            timeline = self._routes.get(event_id)
            if timeline is None:
                # Arrived before the job learnt its event id: keep it, with its
                # arrival time, until the job is bound.
                self._unrouted.setdefault(event_id, []).append((arrived, msg))
                return
            timeline.record_message(msg, arrived)
            if msg.get("msg") in ("process_completed", "unexpected_error"):
                del self._routes[event_id]

    def _bind(self, event_id: str, timeline: Timeline) -> None:
        timeline.event_id = event_id
        with self._routes_lock:
            completed = False
            for arrived, msg in self._unrouted.pop(event_id, []):
                timeline.record_message(msg, arrived)
                completed = completed or msg.get("msg") in ("process_completed", "unexpected_error")
            if not completed:
                self._routes[event_id] = timeline

    def send_data(self, data: Any, hash_data: Any, protocol: Any, request_headers: Any) -> str:
        # Stock transport only: the fast one never calls this.
        event_id: str = super().send_data(data, hash_data, protocol, request_headers)
        timeline = _SUBMITTING.get()
        if timeline is not None:
            self._bind(event_id, timeline)
        return event_id

    def _session_stream(self) -> SessionStream:
        if self._stream is None:
            self._stream = SessionStream(
                self._http,
                self.sse_url,
                self.session_hash,
                self.headers,
                self._message_arrived,
            )
        return self._stream

    # -- public API --------------------------------------------------------------------

    def submit(
        self,
        *args: Any,
        api_name: str | None = None,
        fn_index: int | None = None,
        headers: dict[str, str] | None = None,
        result_callbacks: Any = None,
        **kwargs: Any,
    ) -> RecordedJob:
        """Submit like `Client.submit`; the returned job records its timeline."""
        index, name = self._endpoint(api_name, fn_index)
        timeline = Timeline(name, args, kwargs)
        endpoint = self.endpoints[index]
        if self.transport == "fast" and getattr(endpoint, "protocol", None) in FAST_PROTOCOLS:
            job = self._submit_fast(index, endpoint, timeline, args, kwargs, headers)
        else:
            token = _SUBMITTING.set(timeline)
            try:
                job = super().submit(*args, fn_index=index, headers=headers, **kwargs)
            finally:
                _SUBMITTING.reset(token)
        recorded = RecordedJob(job, timeline, job_timeout=self.job_timeout)
        if result_callbacks:
            callbacks = (
                result_callbacks if isinstance(result_callbacks, list) else [result_callbacks]
            )
            for callback in callbacks:
                recorded.add_done_callback(_result_callback(callback))
        self.jobs.append(recorded)
        lifecycle.job_submitted(self, recorded)
        return recorded

    def _submit_fast(
        self,
        index: int,
        endpoint: Any,
        timeline: Timeline,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        headers: dict[str, str] | None,
    ) -> Job:
        from gradio_client import utils

        if isinstance(endpoint, Endpoint):
            args = tuple(utils.construct_args(endpoint.parameters_info, args, kwargs))
        request_headers = {**(headers or {}), "x-gradio-user": "api"}
        helper = self.new_helper(index, headers=request_headers)
        stock_cancel = endpoint.make_cancel(helper)
        stream = self._session_stream()

        def cancel() -> None:
            stream.cancel(helper.event_id)
            if stock_cancel is not None:
                stock_cancel()

        future = self.executor.submit(
            contextvars.copy_context().run,
            run_job,
            self,
            endpoint,
            helper,
            args,
            {},
            lambda event_id: self._bind(event_id, timeline),
        )
        return Job(
            future,
            communicator=helper,
            verbose=self.verbose,
            space_id=self.space_id,
            _cancel_fn=cancel,
        )

    def _endpoint(self, api_name: str | None, fn_index: int | None) -> tuple[int, str]:
        try:
            index = self._infer_fn_index(api_name, fn_index)
        except ValueError as exc:
            names = sorted(e.api_name for e in self.endpoints.values() if e.api_name and e.is_valid)
            asked = api_name if api_name is not None else f"fn_index={fn_index}"
            raise EndpointNotFoundError(
                f"the app at {self.src} has no endpoint {asked!r} ({exc}). "
                f"Its API endpoints: {', '.join(names) or 'none'}. "
                "Use one of those as api_name=..."
            ) from None
        endpoint = self.endpoints[index]
        return index, str(endpoint.api_name or f"fn_index={index}")

    def cancel_pending(self) -> list[RecordedJob]:
        """Cancel every job of this client that has not finished; return them."""
        pending = [job for job in self.jobs if not job.done()]
        for job in pending:
            job.cancel()
        return pending

    def close(self) -> None:
        """Cancel unfinished jobs and stop the client's threads and connections."""
        self.cancel_pending()
        super().close()
        if self._stream is not None:
            self._stream.close()
        if self._heartbeat is not None:
            self._heartbeat.close()
        for executor in (self.executor, self.helper_executor, self.stream_executor):
            executor.shutdown(wait=False, cancel_futures=True)
        if self._owns_pool:
            self._http.close()


def _result_callback(callback: Callable[..., Any]) -> Callable[[Any], None]:
    # As stock: a tuple result is spread over the callback's parameters.
    def call(future: Any) -> None:
        result = future.result()
        if isinstance(result, tuple):
            callback(*result)
        else:
            callback(result)

    return call
