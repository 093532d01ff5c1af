"""MCP tool calls as jobs: `ToolCall` (a `RecordedJob`), the adapter that records what
an MCP server says about a call into its `Timeline`, and the values a call returns.

A tool call is recorded as an API job is, so that every `assert_job_*` helper,
`gradio_snapshot` and the reports take it: its timeline starts at the request
(STARTING), holds one event per progress notification and log message, with the time
it arrived, and ends with the result (FINISHED, success) or the error.

What Gradio's MCP server sends while a tool runs: when the client asks for progress
(a progressToken, which `gradio_mcp` always sends), one progress notification per
status update of the queued job behind the tool, its `progress` a counter and its
`message` the update in words: "In queue. Position 0 out of 1.", "Processing",
"Progress counting: Step 1 of 3", and no message for the others (logs, the end).
`McpRecorder` reads those words back into the statuses and progress steps an API
job records; any other message (another server, a later Gradio) is kept as a
progress step of `progress` of `total` with the message as its desc. Every
notification is also kept as it came in `ToolCall.notifications`.
"""

from __future__ import annotations

import ast
import base64
import concurrent.futures
import hashlib
import io
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gradio_client.client import Job
from gradio_client.utils import Communicator, JobStatus, Status

from ..client.recording import RecordedJob, ended_status
from ..normalize import Record
from ..timeline import Fact, ProgressStep, Timeline

# The words of Gradio's progress notifications (gradio/mcp.py, 5.28 and later).
_JOINED = "Joined server queue."
_IN_QUEUE = re.compile(
    r"^In queue\. Position (?P<rank>\d+) out of (?P<size>\d+)\."
    r"(?: Estimated time remaining: (?P<eta>[\d.eE+-]+) seconds\.)?$"
)
_PROCESSING = "Processing"
_STEP = re.compile(r"^Progress(?: (?P<desc>.*?))?: Step (?P<index>\d+)(?: of (?P<length>\d+))?$")
# Gradio sends an image output as image content followed by this text.
_IMAGE_URL = re.compile(r"^(?:SVG )?Image URL: (?P<url>\S+)$")


@dataclass(frozen=True)
class Notification:
    """One progress notification as it came: seconds since the call, and its fields."""

    time: float
    progress: float
    total: float | None
    message: str | None


class McpRecorder:
    """The one place MCP facts become timeline events (the seam for tool calls).

    Each method takes a fact about the call (a status, a progress step, a log line,
    the result or the error) with the time it arrived and records it through the
    timeline's one entry for facts from any source (`Timeline.record`), as the queue
    protocol's reader does for API and page jobs.
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.notifications: list[Notification] = []

    def status(self, status: Status, arrived: float, **fields: Any) -> None:
        self.timeline.record(Fact(status, **fields), arrived)

    def progress(self, steps: tuple[ProgressStep, ...], arrived: float) -> None:
        self.timeline.record(Fact(Status.PROGRESS, progress=steps), arrived)

    def log(self, message: str, level: str, arrived: float) -> None:
        self.timeline.record(Fact(Status.LOG, log=(message, level)), arrived)

    def result(self, value: Any, arrived: float) -> None:
        # As a non-generator API job: the result is the call's only output (the
        # timeline numbers a successful end with no output before it as output 0).
        self.timeline.record(Fact(Status.FINISHED, success=True, data=value), arrived)

    def error(self, message: str, arrived: float) -> None:
        self.timeline.record(Fact(Status.FINISHED, success=False, error=message), arrived)

    def notification(
        self, progress: float, total: float | None, message: str | None, arrived: float
    ) -> None:
        """A progress notification: kept as it came, and read as the status or the
        progress step Gradio put into words (see the module's docstring)."""
        self.notifications.append(
            Notification(arrived - self.timeline.started, progress, total, message)
        )
        if self.timeline.final is not None:
            return  # a notification that lost the race with the result
        if message is None:
            # Gradio has no words for a log line, a step without an index or the job's
            # end: which one this is cannot be known. So it is an event without a step
            # (never a step to match) that keeps the status it came in (no status is
            # made up): in the timeline, with its time, changing nothing it says.
            last = self.timeline.events[-1].status
            self.timeline.record(Fact(last, progress=()), arrived)
        elif message == _JOINED:
            self.status(Status.JOINING_QUEUE, arrived)
        elif message == _PROCESSING:
            self.status(Status.PROCESSING, arrived)
        elif (queued := _IN_QUEUE.match(message)) is not None:
            eta = queued.group("eta")
            self.status(
                Status.IN_QUEUE,
                arrived,
                rank=int(queued.group("rank")),
                queue_size=int(queued.group("size")),
                eta=float(eta) if eta is not None else None,
            )
        elif (step := _STEP.match(message)) is not None:
            length = step.group("length")
            self.progress(
                (
                    ProgressStep(
                        index=int(step.group("index")),
                        length=int(length) if length is not None else None,
                        desc=step.group("desc"),
                    ),
                ),
                arrived,
            )
        else:
            index = int(progress) if float(progress).is_integer() else None
            fraction = progress / total if total else None
            length = int(total) if total is not None and float(total).is_integer() else None
            self.progress(
                (ProgressStep(index=index, length=length, progress=fraction, desc=message),),
                arrived,
            )


class McpImage(Record):
    """An image a tool returned: `data` (bytes as sent), `mime_type`, `width`, `height`,
    `url` (where the app serves it, if it said). Snapshots write it without the bytes:
    mime type, size, sha256 and dimensions.

    >>> image = gradio_mcp.call_tool("red_square", {"size": 8}).result()
    >>> image.size
    (8, 8)
    """

    data: bytes = b""

    @classmethod
    def from_content(cls, data: bytes, mime_type: str, url: str | None) -> McpImage:
        image = cls(mime_type=mime_type, bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
        image.data = data
        dimensions = _dimensions(data)
        if dimensions is not None:
            image["width"], image["height"] = dimensions
        if url is not None:
            image["url"] = url
        return image

    @property
    def mime_type(self) -> str:
        return str(self["mime_type"])

    @property
    def width(self) -> int | None:
        return self.get("width")

    @property
    def height(self) -> int | None:
        return self.get("height")

    @property
    def size(self) -> tuple[int | None, int | None]:
        return self.width, self.height

    @property
    def url(self) -> str | None:
        return self.get("url")

    def open(self) -> Any:
        """The image as a PIL image (Pillow comes with gradio)."""
        from PIL import Image

        return Image.open(io.BytesIO(self.data))


def _dimensions(data: bytes) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:
        return None
    return int(width), int(height)


def content_values(content: Sequence[Any]) -> list[Any]:
    """MCP content as the user thinks of it: text as `str`, each image (with the URL
    text Gradio sends after it) as one `McpImage`, anything else as it came."""
    values: list[Any] = []
    items = list(content)
    i = 0
    while i < len(items):
        item = items[i]
        kind = getattr(item, "type", None)
        if kind == "text":
            values.append(str(item.text))
        elif kind == "image":
            url = None
            following = items[i + 1] if i + 1 < len(items) else None
            if following is not None and getattr(following, "type", None) == "text":
                found = _IMAGE_URL.match(str(following.text))
                if found is not None:
                    url = found.group("url")
                    i += 1
            values.append(
                McpImage.from_content(base64.b64decode(item.data), str(item.mimeType), url)
            )
        else:
            values.append(item)
        i += 1
    return values


def tool_value(content: Sequence[Any]) -> Any:
    """A tool's result as `call.result()` gives it: None for no content, the one value,
    or a tuple of values (as gradio_client returns several outputs)."""
    values = content_values(content)
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


def error_text(content: Sequence[Any]) -> str:
    texts = [str(item.text) for item in content if getattr(item, "type", None) == "text"]
    return "\n".join(texts) or "the tool returned an error without a message"


class ToolError(Exception):
    """The tool ended with an error (`isError`): the app raised, or the server refused
    the call. The message is the server's text."""


class ToolCall(RecordedJob):
    """A tool call through `gradio_mcp`: a `RecordedJob` whose timeline holds the
    request, every progress notification, log message, and the result or error.

    `result()` is the value as the user thinks of it (see `content_values`); the raw
    MCP answer is `raw` (a `CallToolResult`), its content `content`.

    >>> call = gradio_mcp.call_tool("greet", {"name": "Ada"})
    >>> assert_job_result(call, "Hello, Ada!")
    """

    def __init__(self, tool: str, arguments: dict[str, Any], *, job_timeout: float | None) -> None:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_running_or_notify_cancel()
        # A stock Job over our own future, as browser/recording.py's PageJob: the
        # communicator is what Job.status() and outputs() read.
        communicator = Communicator(threading.Lock(), JobStatus(), lambda *data: data, reset_url="")
        timeline = Timeline(f"mcp:{tool}", (), arguments)
        super().__init__(Job(future, communicator=communicator), timeline, job_timeout=job_timeout)
        self.tool = tool
        self.arguments = dict(arguments)
        self.recorder = McpRecorder(timeline)
        self.raw: Any = None
        self._end_lock = threading.Lock()
        self._cancel_request: Callable[[], object] | None = None

    # -- what the session reports (its event loop thread) -----------------------------------

    def progressed(self, progress: float, total: float | None, message: str | None) -> None:
        arrived = time.perf_counter()
        with self._end_lock:
            if not self.done():
                self.recorder.notification(progress, total, message, arrived)

    def logged(self, message: str, level: str) -> None:
        arrived = time.perf_counter()
        with self._end_lock:
            if not self.done():
                self.recorder.log(message, level, arrived)

    def answered(self, raw: Any) -> None:
        arrived = time.perf_counter()
        with self._end_lock:
            if self.done():
                return
            self.raw = raw
            content = list(getattr(raw, "content", None) or [])
            if getattr(raw, "isError", False):
                message = error_text(content)
                self.recorder.error(message, arrived)
                self._end(Status.FINISHED, success=False)
                self.future.set_exception(ToolError(message))
                return
            value = tool_value(content)
            with self.communicator.lock:
                self.communicator.job.outputs.append(value)
            self.recorder.result(value, arrived)
            self._end(Status.FINISHED, success=True)
            self.future.set_result(value)

    def failed(self, exc: BaseException) -> None:
        """The call ended without an answer (the connection broke, a timeout)."""
        with self._end_lock:
            if self.done():
                return
            self.timeline.record_client_failure(exc)
            self._end(Status.FINISHED, success=False)
            self.future.set_exception(exc)

    def _end(self, code: Status, *, success: bool) -> None:
        with self.communicator.lock:
            self.communicator.job.latest_status = ended_status(code, success=success)

    # -- reading --------------------------------------------------------------------------

    @property
    def notifications(self) -> list[Notification]:
        """Every progress notification as it came (progress, total, message, time)."""
        return list(self.recorder.notifications)

    @property
    def content(self) -> list[Any]:
        """The raw MCP content of the answer (waits for it, bounded as `result()`)."""
        self._wait_quietly()
        return list(getattr(self.raw, "content", None) or [])

    @property
    def text(self) -> str:
        """The text content of the answer, joined by newlines."""
        return "\n".join(
            str(item.text) for item in self.content if getattr(item, "type", None) == "text"
        )

    @property
    def images(self) -> list[McpImage]:
        return [value for value in content_values(self.content) if isinstance(value, McpImage)]

    @property
    def structured(self) -> Any:
        """The answer's structuredContent (tools declared with structured output)."""
        self._wait_quietly()
        return getattr(self.raw, "structuredContent", None)

    def json(self) -> Any:
        """The text content parsed: as JSON, else as the Python literal Gradio wrote
        (it sends a dict or list output as `str(value)`).

        >>> gradio_mcp.call_tool("stats", {"text": "a b"}).json()
        {'words': 2}
        """
        text = self.text
        try:
            return json.loads(text)
        except ValueError:
            pass
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ValueError(
                f"the text of tool call {self.tool!r} is neither JSON nor a Python literal: "
                f"{text[:200]!r}. Read it as call.text."
            ) from None

    def _wait_quietly(self) -> None:
        if not self.done():
            from ..client.waiting import wait_for_job

            wait_for_job(self, helper=f"reading tool call {self.tool!r}")

    # -- cancelling -----------------------------------------------------------------------

    def cancel(self) -> bool:
        if self._cancel_requested:
            return True
        self._cancel_requested = True
        with self._end_lock:
            if self.done():
                return True
            self.timeline.record_cancel()
            self._end(Status.CANCELLED, success=False)
            self.future.set_exception(concurrent.futures.CancelledError())
        if self._cancel_request is not None:
            # Cancels the request's task in the session: the MCP library then tells
            # the server (notifications/cancelled) where it supports it.
            self._cancel_request()
        return True

    def __repr__(self) -> str:
        return f"<ToolCall {self.tool} {' > '.join(self.timeline.statuses())}>"
