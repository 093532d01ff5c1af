"""A job's timeline: `Event`, `ProgressStep`, `Fact`, `Timeline` and its text form.

A `Timeline` keeps the updates of one job as events, in arrival order, and answers
questions about them (statuses, outputs, progress, logs, duration). It knows nothing
of where the updates come from: a source tells it `Fact`s through `Timeline.record`
(Gradio's queue messages are read into facts by `client/protocol.py`, for both
transports and the page; any other source of job events builds its facts itself).
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gradio_client.utils import Status

from .normalize import timeline_data


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


@dataclass(frozen=True)
class Fact:
    """What a source says happened to a job, before the timeline times and numbers it.

    The one way into a `Timeline` (`Timeline.record`), whatever the source: the queue
    protocol's messages (read by `client/protocol.py`), or anything else that runs a
    job and hears back from it. Which event a fact makes follows from its fields:
    `progress` makes a progress event, `log` a log event, `data` (outputs, not yet
    final) an output event, anything else a status event; `Status.FINISHED` ends the
    job, with `success`, its final `data` or its `error`.

    >>> timeline.record(Fact(Status.PROGRESS, progress=(ProgressStep(1, 4, desc="a"),)))
    """

    status: Status
    rank: int | None = None
    queue_size: int | None = None
    eta: float | None = None
    progress: tuple[ProgressStep, ...] | None = None
    log: tuple[str, str] | None = None
    success: bool | None = None
    data: Any = None
    error: str | None = None


class Timeline:
    """Every update of one job, in arrival order.

    >>> job = gradio_client.submit(3, api_name="/count")
    >>> job.result(); job.timeline.statuses()
    ['STARTING', 'IN_QUEUE', 'PROCESSING', 'ITERATING', 'FINISHED']
    """

    def __init__(
        self,
        endpoint: str,
        args: tuple[Any, ...] = (),
        kwargs: Any = None,
        *,
        started: float | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.args = args
        self.kwargs = dict(kwargs or {})
        self.event_id: str | None = None
        # When the job was submitted (`time.perf_counter()`; default now), the origin
        # of every event's time. A page job's is when the page sent its join.
        self._t0 = time.perf_counter() if started is None else started
        self._events: list[Event] = []
        self._changed = threading.Condition()
        self._outputs: list[Any] | None = None
        self._n_outputs = 0
        # The job this timeline belongs to (set by RecordedJob): snapshots wait on it,
        # because the client processes outputs after their messages are recorded.
        self.job: Any = None
        # Set when a test asserted the job's error (assert_job_error): the reports
        # count it apart from the errors nobody expected.
        self.error_expected = False
        self._events.append(Event("status", Status.STARTING, 0.0))

    # -- recording -------------------------------------------------------------------

    def _now(self, arrived: float | None = None) -> float:
        return (arrived if arrived is not None else time.perf_counter()) - self._t0

    def _add(self, event: Event) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    def record(self, fact: Fact, arrived: float | None = None) -> Event | None:
        """Add what `fact` says as an event, timed at `arrived` (`time.perf_counter()`
        when the source saw it; default now). Returns the event, or None when the job
        had already ended (a final fact after `cancel()` is dropped too: the job was
        cancelled, whatever the source answered to that). Thread-safe.

        Outputs are numbered in arrival order; a successful end with no output before
        it is the job's one output (a function that is not a generator)."""
        at = self._now(arrived)
        with self._changed:
            if self._events[-1].status is Status.FINISHED:
                # The job ended (a fault failed it on the client side): what the
                # source still says of it is not part of its story.
                return None
            final = fact.status is Status.FINISHED
            if final and any(e.status is Status.CANCELLED for e in self._events):
                return None
            kind, index = "status", None
            if fact.progress is not None:
                kind = "progress"
            elif fact.log is not None:
                kind = "log"
            elif final:
                index = 0 if fact.success and self._n_outputs == 0 else None
            elif fact.data:
                kind, index = "output", self._n_outputs
                self._n_outputs += 1
            event = Event(
                kind,
                fact.status,
                at,
                rank=fact.rank,
                queue_size=fact.queue_size,
                eta=fact.eta,
                progress=fact.progress,
                log=fact.log,
                success=fact.success,
                output_index=index,
                data=fact.data if kind == "output" or final else None,
                error=fact.error,
            )
            self._events.append(event)
            self._changed.notify_all()
        return event

    def record_cancel(self) -> None:
        # Never before the last event: sources time their own facts (`arrived`), and
        # one whose clock is not this process's could put them after its now. (The
        # page's are moved onto this clock so that none is: browser/recording.py.)
        with self._changed:
            at = max([self._now(), *(e.time for e in self._events[-1:])])
        self._add(Event("status", Status.CANCELLED, at))

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
    def started(self) -> float:
        """When the job was submitted (`time.perf_counter()`): event times count from it."""
        return self._t0

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
