"""What Gradio's queue messages mean: the one place that reads them.

A job joins the queue (`POST queue/join`, answered with its event id) and hears about
itself on its session's event stream (`GET queue/data`) in messages: `estimation`,
`process_starts`, `progress`, `log`, `process_generating` (outputs; on sse_v2 and
later, diffs against the previous ones after the first), `process_streaming` (a
`.stream()` event's output), `process_completed`, `unexpected_error`, and a bare
`{"message": ...}` when the server stops. Three readers hear them: the fast
transport (`transport.py`), the stock transport's tap (`recording.py`) and the page
recorder (`browser/recording.py`). Each reads a job's messages through one
`QueueReader`, which turns them into `Fact`s and records them on the job's
`Timeline`; the fast transport and the page then act on the same facts (outputs,
status, the end). A change of protocol is an edit here, and only here.

`Routes` holds messages that arrive before their job knows its event id (the server
can answer on the stream before `queue/join` returns), for all three readers.

The seam for other sources of job events: `Timeline.record(fact, arrived)` is the one
way into a timeline, and it takes facts, not queue messages; this module goes through
it like any other source. A source that is not Gradio's queue (an MCP tool call, say)
builds its facts itself and records them on a `Timeline` the same way, so every helper
that reads timelines (assert_job_*, snapshots, the reports) takes its jobs as they are::

    from gradio_client.utils import Status
    from pytest_gradio.timeline import Fact, ProgressStep, Timeline

    timeline = Timeline("add_numbers", (), {"a": 1, "b": 2})  # the call is sent now
    timeline.record(Fact(Status.PROCESSING))
    # a progress notification (progress=1, total=4, message="adding"):
    timeline.record(
        Fact(Status.PROGRESS, progress=(ProgressStep(index=1, length=4, desc="adding"),))
    )
    timeline.record(Fact(Status.LOG, log=("half way", "info")))  # a log message
    timeline.record(Fact(Status.FINISHED, success=True, data=[3]))  # the result
    # or the error: Fact(Status.FINISHED, success=False, error="the tool raised ...")

Pass `arrived=time.perf_counter()` taken when the notification was read, if it is
recorded later (on another thread); by default an event is timed when it is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from gradio_client.utils import Status, apply_diff

from ..timeline import Fact, ProgressStep, Timeline

# The status each queue message stands for, as gradio_client reports it.
STATUS = {
    "estimation": Status.IN_QUEUE,
    "process_starts": Status.PROCESSING,
    "progress": Status.PROGRESS,
    "log": Status.LOG,
    "process_generating": Status.ITERATING,
    "process_completed": Status.FINISHED,
    "send_hash": Status.JOINING_QUEUE,
    "send_data": Status.SENDING_DATA,
    "queue_full": Status.QUEUE_FULL,
}
# How a `.stream()` event (webcam, microphone) is read, on both transports and the
# page: each `process_streaming` output as a generator's (`process_generating`:
# ITERATING, in `job.outputs()`, diffs applied). The stock client raises KeyError on
# these, so its reader is handed them renamed (recording.py).
STREAMING_AS = "process_generating"
# The messages after which the server sends nothing more for an event.
FINAL = frozenset({"process_completed", "unexpected_error"})
# Everything the server may send that the client knows; anything else fails its job.
KNOWN = frozenset({*STATUS, "heartbeat", "close_stream", "unexpected_error", "process_streaming"})
# Protocols whose generator outputs after the first are diffs against the last.
DIFF_PROTOCOLS = ("sse_v2", "sse_v2.1", "sse_v3")


def unreadable(msg: Any) -> str | None:
    """Why the client cannot read `msg` (a parsed event's data), or None if it can."""
    if not isinstance(msg, dict):
        return "not a JSON object"
    name = msg.get("msg")
    if name not in KNOWN:
        return f"unknown message kind {name!r}"
    if name in ("process_generating", "process_completed") and not isinstance(
        msg.get("output", {}), dict
    ):
        return "its output is not a JSON object"
    return None


class QueueReader:
    """One job's queue messages, read into `Fact`s for its timeline.

    `protocol` is the endpoint's (`sse_v3`, ...): it says whether generator outputs
    come as diffs; None (not known) reads them as diffs. `strict`: an output diff that
    cannot be applied raises, as gradio_client does (the fast transport: the job fails
    as a stock one would); otherwise its raw value is kept (a recorder must not stop).

    >>> reader = QueueReader(timeline, protocol="sse_v3")
    >>> reader.record({"msg": "process_starts", "event_id": "e1"}, time.perf_counter())
    Fact(status=<Status.PROCESSING: 'PROCESSING'>, ...)
    """

    def __init__(
        self, timeline: Timeline, *, protocol: str | None = None, strict: bool = False
    ) -> None:
        self.timeline = timeline
        self._diffs = protocol is None or protocol in DIFF_PROTOCOLS
        self._strict = strict
        self._outputs: list[Any] | None = None  # the last outputs, what diffs apply to

    def record(self, msg: dict[str, Any], arrived: float) -> Fact | None:
        """Read `msg` and record it on the timeline; the fact, or None if `msg` says
        nothing of the job's story (unexpected_error: its end is recorded from the
        error the job fails with, so that the timeline says what the exception says)."""
        fact = self.read(msg)
        if fact is not None:
            self.timeline.record(fact, arrived)
        return fact

    def read(self, msg: dict[str, Any]) -> Fact | None:
        """What `msg` says, as a fact (not recorded); see `record`."""
        name = msg.get("msg")
        if name is None:  # the server stopping: a notice with only a "message"
            return Fact(Status.FINISHED, success=False, error=msg.get("message"))
        if name == "process_streaming":
            name = STREAMING_AS
        status = STATUS.get(name)
        if status is None:
            return None
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
            return Fact(status, progress=steps, **common)
        if name == "log":
            log = (str(msg.get("log", "")), str(msg.get("level", "info")).lower())
            return Fact(status, log=log, **common)
        if name == "process_generating":
            data = self._merge(list(msg.get("output", {}).get("data") or []))
            return Fact(status, data=data, **common)
        if name == "process_completed":
            output = msg.get("output") or {}
            success = bool(msg.get("success", True)) and "error" not in output
            common["success"] = success
            if success:
                return Fact(status, data=output.get("data"), **common)
            error = str(output.get("error") or msg.get("message") or "the app raised an error")
            # gradio's error_payload: a gr.Error comes with its title (and duration,
            # visible); any other exception with its text alone (show_error=True) or
            # with nothing (error None, the default show_error=False).
            title = output.get("title")
            return Fact(
                status, error=error, error_title=None if title is None else str(title), **common
            )
        return Fact(status, **common)

    def _merge(self, data: list[Any]) -> list[Any]:
        if not self._diffs:
            return data
        if self._outputs is None:
            self._outputs = list(data)
            return data
        merged = list(self._outputs)
        for i, value in enumerate(data):
            # An output can appear mid-stream (the app was reloaded while a generator
            # ran): the server diffed it against None, and so does this.
            if i >= len(merged):
                merged.append(None)
            try:
                merged[i] = apply_diff(merged[i], value)
            except Exception:
                if self._strict:
                    raise
                merged[i] = value
        self._outputs = merged
        return merged[: len(data)]


Item = TypeVar("Item")


class Routes(Generic[Item]):
    """Deliveries keyed by event id, for jobs that may learn their id late.

    The server can send an event's first messages before `queue/join` has returned its
    id to the job (and a page reads its join's answer after its stream's messages), so
    a delivery for an id nobody bound yet waits here, in order, until `bind` replays
    it. A final delivery ends the route: later ones for that id are not kept for it.

    >>> routes.deliver("e1", msg)          # the stream's reader
    >>> routes.bind("e1", inbox.put)       # the job, once it knows its id: replayed
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._sinks: dict[str, Callable[[Item], object]] = {}
        self._held: dict[str, list[tuple[Item, bool]]] = {}

    def deliver(self, event_id: str, item: Item, *, final: bool = False) -> None:
        with self._lock:
            sink = self._sinks.get(event_id)
            if sink is None:
                self._held.setdefault(event_id, []).append((item, final))
                return
            if final:
                del self._sinks[event_id]
            sink(item)

    def bind(self, event_id: str, sink: Callable[[Item], object]) -> None:
        """Send `event_id`'s deliveries to `sink`: those held first, in order."""
        with self._lock:
            for item, final in self._held.pop(event_id, []):
                sink(item)
                if final:
                    return
            self._sinks[event_id] = sink

    def unbind(self, event_id: str) -> None:
        """Forget `event_id`: its route and whatever waits for it."""
        with self._lock:
            self._sinks.pop(event_id, None)
            self._held.pop(event_id, None)
