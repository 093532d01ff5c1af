"""Jobs the page triggers, recorded in the browser and replayed into `Timeline`s.

How: an init script (`RECORDER_JS`) wraps the page's `fetch` before Gradio's frontend
loads. Gradio's JS client joins the queue with `POST .../queue/join` and reads every
message of the session from one streamed `GET .../queue/data` (fetch streaming, not
`EventSource`, in Gradio 5 and 6). The wrapper tees that stream, timestamps each
message with `performance.now()` when the page read it and posts it, numbered, to a
small HTTP collector on loopback run by this process. The collector puts the messages
back in order and reads them through the same `QueueReader` the API client uses
(client/protocol.py), so page jobs carry the same events as API jobs, for any target
(thread, subprocess, URL, Space).

Times: a page job's events are timed when the page saw them, on the page's clock,
moved onto this process's (`PageRecorder._moved`). Messages the server sent before
the page's stream was open (Gradio's page opens it after its join is answered) reach
the page together, so a quick job's statuses can share one time: that is when the
page learnt of them.

Why a collector and not `page.expose_binding`: Playwright's sync API delivers binding
calls only while the test is inside a Playwright call. A test blocked in
`assert_job_result(job, ...)` (which waits on the job's future) would never see the
job finish. The collector thread needs nobody to pump it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx
from gradio_client.client import Job
from gradio_client.exceptions import AppError
from gradio_client.utils import Communicator, JobStatus, Status

from ..client import registry, tls
from ..client.protocol import FINAL, QueueReader, Routes
from ..client.recording import RecordedJob, ended_status
from ..timeline import Timeline

if TYPE_CHECKING:
    from ..client.recording import GradioClient

# How the page's error for a message it could not post to the collector begins
# (RECORDER_JS's `send`): `GradioPage` stops waiting for a job when it sees one.
REPORT_FAILED = "pytest-gradio could not report a job message"

# The browser side. `%SINK%` becomes the collector URL for this page, `%FLAG%` the
# launch flag that lets a public page reach it.
RECORDER_JS = r"""
(() => {
  if (window.__pytestGradio) return;
  const SINK = "%SINK%";
  const state = { seq: 0, joins: 0, rendered: false, errors: [] };
  window.__pytestGradio = state;
  const realFetch = window.fetch.bind(window);
  // What `settled` waits for: POSTs in flight until their response is read whole
  // (joins, uploads, a queue=False event's /run call: a `.then()` chain goes on
  // after them), and a count of everything the page sent or received.
  let posts = 0;
  let activity = 0;
  const postsDone = [];
  const postEnded = () => {
    posts--; activity++;
    if (posts === 0) postsDone.splice(0).forEach((r) => r());
  };
  const untilPostsDone = () => new Promise((r) => postsDone.push(r));
  // An idle period: every task and frame the page had queued has run. Gradio sends
  // a chained event's request from the task that read its trigger's end (after
  // microtasks, a frame, or a POST above). A page that is never idle is taken as
  // idle after a second, so that it cannot keep `settled` waiting.
  const idle = () => new Promise((r) => requestIdleCallback(() => r(), { timeout: 1000 }));
  // The page's join count once nothing is in flight and two idle periods in a row
  // saw nothing sent or received; -1 when `budget` ms pass first.
  state.settled = async (budget) => {
    const end = performance.now() + budget;
    for (;;) {
      const mark = activity;
      const left = end - performance.now();
      if (left <= 0) return -1;
      if (posts > 0) {
        let timer;
        const late = new Promise((r) => { timer = setTimeout(r, left); });
        await Promise.race([untilPostsDone(), late]);
        clearTimeout(timer);
        if (posts > 0) return -1;
      }
      await idle();
      await idle();
      if (posts === 0 && activity === mark) return state.joins;
    }
  };
  // One report in flight at a time, carrying every message queued since the last:
  // a request per message (a stream yielding every 20 ms) piled up in a busy page
  // until Chromium refused them (net::ERR_INSUFFICIENT_RESOURCES) and the page
  // stopped answering. Each message keeps its own time (t) and order (seq).
  const queued = [];
  let inFlight = false;
  const flush = () => {
    if (inFlight || queued.length === 0) return;
    inFlight = true;
    const batch = queued.splice(0, queued.length);
    realFetch(SINK, { method: "POST", mode: "no-cors", body: JSON.stringify(batch) })
      .catch((e) => {
        state.errors.push("pytest-gradio could not report a job message to its "
          + "recorder at " + SINK + " (" + e + "): a browser without pytest-gradio's "
          + "launch flags blocks a public page's requests to 127.0.0.1; add %FLAG% to "
          + "its arguments");
      })
      .finally(() => { inFlight = false; flush(); });
  };
  const send = (m) => {
    m.seq = state.seq++;
    if (m.t === undefined) m.t = performance.now();
    queued.push(m);
    flush();
  };
  document.addEventListener("render", () => { state.rendered = true; }, true);
  window.addEventListener("error", (e) => {
    state.errors.push(String(e.message || e.error));
  });
  window.addEventListener("unhandledrejection", (e) => {
    state.errors.push("unhandled rejection: " + String(e.reason && (e.reason.stack || e.reason)));
  });
  const isJoin = (url) => /\/queue\/join(\?|$)/.test(url);
  const isData = (url) => /\/queue\/data(\?|$)/.test(url);
  async function readStream(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const t = performance.now();
        buffer += decoder.decode(value, { stream: true });
        const parts = buffer.split(/\r?\n\r?\n/);
        buffer = parts.pop();
        activity++;
        for (const part of parts) {
          const data = part.split(/\r?\n/).filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).replace(/^ /, "")).join("\n");
          if (!data) continue;
          let msg;
          try { msg = JSON.parse(data); } catch (e) { continue; }
          send({ kind: "msg", t, msg });
        }
      }
    } catch (e) {
      if (!(e && e.name === "AbortError")) send({ kind: "stream_failed", error: String(e) });
    }
  }
  window.fetch = async function (input, init) {
    const url = typeof input === "string" ? input : (input instanceof URL ? input.href : input.url);
    const method = ((init && init.method)
      || (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (method !== "POST") return realFetch(input, init).then((response) => {
      if (isData(url) && response.body) {
        const [mine, theirs] = response.body.tee();
        readStream(mine);
        return new Response(theirs, { status: response.status,
          statusText: response.statusText, headers: response.headers });
      }
      return response;
    });
    posts++; activity++;
    let response;
    try {
      response = await post(url, input, init);
    } catch (e) {
      postEnded();
      throw e;
    }
    response.clone().arrayBuffer().then(postEnded, postEnded);
    return response;
  };
  async function post(url, input, init) {
    if (isJoin(url)) {
      const local = ++state.joins;
      const t = performance.now();
      let body = null;
      try {
        const text = init && typeof init.body === "string" ? init.body
          : (input instanceof Request ? await input.clone().text() : null);
        body = text ? JSON.parse(text) : null;
      } catch (e) { body = null; }
      send({ kind: "join", local, t, fn_index: body && body.fn_index,
             data: body && body.data, session_hash: body && body.session_hash,
             url: new URL(url, location.href).href });
      let response;
      try {
        response = await realFetch(input, init);
      } catch (e) {
        send({ kind: "join_failed", local, error: String(e) });
        throw e;
      }
      response.clone().json().then(
        (j) => send({ kind: "joined", local, status: response.status,
                      event_id: j && j.event_id, detail: j && (j.detail || j.error) }),
        (e) => send({ kind: "join_failed", local, status: response.status, error: String(e) }));
      return response;
    }
    return realFetch(input, init);
  }
})();
"""

# How long `PageJob.cancel()` waits for the server to take the cancel.
CANCEL_TIMEOUT = 5.0


class Collector:
    """A loopback HTTP endpoint that receives the pages' messages (one per session).

    >>> collector = Collector.start(); url = collector.register(recorder.receive)
    """

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._routes: dict[str, Callable[[dict[str, Any]], None]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="gradio-page-collector",
            daemon=True,
        )

    @classmethod
    def start(cls) -> Collector:
        collector: Collector

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                collector._deliver(self.path.strip("/"), body)

            def log_message(self, format: str, *args: Any) -> None:
                return  # not on the test's stderr

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        collector = cls(server)
        collector._thread.start()
        return collector

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def register(self, receive: Callable[[dict[str, Any]], None]) -> str:
        """Route messages to `receive`; returns the URL a page posts them to."""
        token = secrets.token_hex(8)
        with self._lock:
            self._routes[token] = receive
        return f"{self.url}/{token}"

    def unregister(self, sink: str) -> None:
        with self._lock:
            self._routes.pop(sink.rsplit("/", 1)[-1], None)

    def _deliver(self, token: str, body: bytes) -> None:
        with self._lock:
            receive = self._routes.get(token)
        if receive is None:
            return
        try:
            batch = json.loads(body)
        except ValueError:
            return
        # The page sends its messages in batches (see RECORDER_JS), oldest first.
        if isinstance(batch, list):
            for message in batch:
                if isinstance(message, dict):
                    receive(message)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)


class PageJob(RecordedJob):
    """A job the page triggered: a `RecordedJob` (so every `assert_job_*` helper and
    the snapshot extension take it), whose messages came from the browser.

    `result()` is the value as `gradio_client` returns it (files downloaded).
    `cancel()` does what the stock `Job.cancel()` does: it asks the server to cancel
    the event (`POST .../cancel`, for the page's session), and the job ends at once,
    CANCELLED, its `result()` raising `CancelledError`. As for the stock client, a
    function already running on the server runs to its end (a generator stops at its
    next yield); the page sees the job end.
    """

    def __init__(self, timeline: Timeline, fn_index: int, *, job_timeout: float | None) -> None:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_running_or_notify_cancel()
        communicator = Communicator(threading.Lock(), JobStatus(), lambda *data: data, reset_url="")
        super().__init__(Job(future, communicator=communicator), timeline, job_timeout=job_timeout)
        self.fn_index = fn_index
        self.session_hash: str | None = None  # the page's Gradio session
        self.cancel_url: str | None = None  # the app's `.../cancel`, beside queue/join
        self.headers: dict[str, str] = {}  # the recorder's client's (a Space's token)
        # Held while the job's end is decided: by the recorder, or by cancel().
        self.end_lock = threading.RLock()
        # Set once the page read the server's answer to its join (the event id).
        self.joined = threading.Event()

    def cancel(self) -> bool:
        if self.cancel_requested:
            return True
        self._cancel_requested = True
        with self.end_lock:
            if self.done() or self.timeline.final is not None:
                return True  # as stock: it ended (or is ending), its result stays
            # Ended here first, so that the server's answer to the cancel (an empty
            # process_completed) is not taken for the job's result.
            self.timeline.record_cancel()
            with self.communicator.lock:
                self.communicator.should_cancel = True  # status() says CANCELLED, as stock
                self.communicator.job.latest_status = ended_status(Status.CANCELLED, success=False)
            self.future.set_exception(concurrent.futures.CancelledError())
        # The server knows the job by its event id, which the page may not have
        # passed on yet (its messages to the recorder can lag behind the app).
        self.joined.wait(CANCEL_TIMEOUT)
        event_id = self.timeline.event_id
        if self.cancel_url and self.session_hash and event_id:
            body = {"session_hash": self.session_hash, "fn_index": self.fn_index}
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(
                    self.cancel_url,
                    json={**body, "event_id": event_id},
                    headers=self.headers,
                    timeout=CANCEL_TIMEOUT,
                    verify=tls.verify(),
                )
        return True

    def __repr__(self) -> str:
        return f"<PageJob {self.timeline.endpoint} {' > '.join(self.timeline.statuses())}>"


class PageRecorder:
    """The jobs of one page, built from its numbered messages.

    `client` (made on first need) names endpoints and turns outputs into the values
    `gradio_client` returns; it is closed by `close()`.
    """

    def __init__(
        self, client_factory: Callable[[], GradioClient], *, job_timeout: float | None
    ) -> None:
        self._client_factory = client_factory
        self._client: GradioClient | None = None
        self._client_error: Exception | None = None
        self._job_timeout = job_timeout
        self._lock = threading.Condition()
        self._next = 0
        self._held: dict[int, dict[str, Any]] = {}
        self._by_local: dict[int, PageJob] = {}
        self._routes: Routes[dict[str, Any]] = Routes()
        # This process's clock minus the page's, in seconds, as small as seen so far:
        # each sample is that plus the delivery's latency (see _moved).
        self._offset: float | None = None
        self.jobs: list[PageJob] = []

    # -- receiving (collector thread) ------------------------------------------------------

    def receive(self, message: dict[str, Any]) -> None:
        received = time.perf_counter()
        with self._lock:
            seq = message.get("seq")
            if not isinstance(seq, int):
                return
            page_time = message.get("t")
            if isinstance(page_time, (int, float)):
                sample = received - page_time / 1000
                if self._offset is None or sample < self._offset:
                    self._offset = sample
            self._held[seq] = message
            while self._next in self._held:
                self._handle(self._held.pop(self._next))
                self._next += 1
            self._lock.notify_all()

    def _handle(self, m: dict[str, Any]) -> None:
        kind = m.get("kind")
        try:
            if kind == "join":
                self._joining(m)
            elif kind == "joined":
                self._joined(m)
            elif kind == "join_failed":
                job = self._by_local.get(int(m.get("local") or 0))
                if job is not None:
                    job.joined.set()
                    self._fail(job, f"joining the queue failed: {m.get('error')}")
            elif kind == "msg":
                self._message(m)
            elif kind == "stream_failed":
                for job in self.jobs:
                    if not job.done():
                        self._fail(job, f"the page's queue stream failed: {m.get('error')}")
        except Exception as exc:  # a bug here must not kill the collector thread
            for job in self.jobs:
                if not job.done():
                    self._fail(job, f"pytest-gradio could not record the page's job: {exc!r}")

    def _processor(self) -> GradioClient | None:
        # The client only names endpoints and processes outputs: without one (it could
        # not be made), jobs are still recorded, named by fn_index, with raw outputs.
        if self._client is None and self._client_error is None:
            try:
                self._client = self._client_factory()
            except Exception as exc:
                self._client_error = exc
        return self._client

    def _endpoint(self, fn_index: int) -> Any:
        client = self._processor()
        return client.endpoints.get(fn_index) if client is not None else None

    def _moved(self, m: dict[str, Any]) -> float:
        """When the page saw message `m`, on this process's clock (`perf_counter`).

        Why the smallest offset seen: each message's arrival here minus its page time
        is the clocks' offset plus that delivery's latency, so the smallest sample is
        the best estimate; and it makes no message's time later than its arrival
        here, so page events are never in this process's future (where a cancel or a
        client-side failure, timed by this process, would land before them)."""
        received = time.perf_counter()
        page_time = m.get("t")
        if self._offset is None or not isinstance(page_time, (int, float)):
            return received
        return min(received, page_time / 1000 + self._offset)

    def _joining(self, m: dict[str, Any]) -> None:
        started = self._moved(m)  # before the client is made: that can take a while
        fn_index = int(m.get("fn_index") or 0)
        endpoint = self._endpoint(fn_index)
        name = getattr(endpoint, "api_name", None) or f"fn_index={fn_index}"
        data = m.get("data")
        args = tuple(data) if isinstance(data, list) else ()
        timeline = Timeline(str(name), args, started=started)
        job = PageJob(timeline, fn_index, job_timeout=self._job_timeout)
        if isinstance(m.get("session_hash"), str):
            job.session_hash = m["session_hash"]
        join_url = str(m.get("url") or "")
        if "/queue/join" in join_url:
            job.cancel_url = join_url.split("?")[0].replace("/queue/join", "/cancel")
        self._by_local[int(m.get("local") or 0)] = job
        self.jobs.append(job)
        client = self._processor()
        if client is not None:
            job.headers = dict(client.headers)
            registry.job_submitted(client, job)

    def _joined(self, m: dict[str, Any]) -> None:
        job = self._by_local.get(int(m.get("local") or 0))
        if job is None:
            return
        status = m.get("status")
        event_id = m.get("event_id")
        if isinstance(event_id, str):
            job.timeline.event_id = event_id
        job.joined.set()
        if status != 200 or not isinstance(event_id, str):
            detail = m.get("detail")
            why = "the queue is full" if status == 503 else f"HTTP {status}"
            self._fail(job, f"joining the queue failed: {why}{f': {detail}' if detail else ''}")
            return
        endpoint = self._endpoint(job.fn_index)
        reader = QueueReader(job.timeline, protocol=getattr(endpoint, "protocol", None))
        # Messages that came before the page read the join's answer are replayed now.
        self._routes.bind(event_id, lambda m: self._record(job, reader, m))

    def _message(self, m: dict[str, Any]) -> None:
        msg = m.get("msg")
        if not isinstance(msg, dict):
            return
        event_id = msg.get("event_id")
        if not isinstance(event_id, str):
            return  # heartbeats and close_stream
        m["at"] = self._moved(m)  # now: it may wait in the routes
        self._routes.deliver(event_id, m)

    def _record(self, job: PageJob, reader: QueueReader, m: dict[str, Any]) -> None:
        with job.end_lock:
            if not job.done():
                self._record_open(job, reader, m)

    def _record_open(self, job: PageJob, reader: QueueReader, m: dict[str, Any]) -> None:
        msg: dict[str, Any] = m["msg"]
        timeline = job.timeline
        # Never before the job's last event: the offset's estimate may have shrunk.
        at = max(m["at"], timeline.started + timeline.events[-1].time)
        if _cancelled(msg):
            self._cancelled(job, at)
            return
        fact = reader.read(msg)
        event = timeline.record(fact, at) if fact else None
        endpoint = self._endpoint(job.fn_index)
        if event is not None and event.kind == "output":
            value = _process(endpoint, event.data)
            with job.communicator.lock:
                job.communicator.job.outputs.append(value)
        if msg.get("msg") in FINAL:
            self._finish(job, fact.data if fact is not None else None, endpoint)

    def _finish(self, job: PageJob, data: Any, endpoint: Any) -> None:
        final = job.timeline.final
        success = final is not None and bool(final.success)
        value: Any = None
        failed: Exception | None = None
        if not success:
            message = (final.error if final is not None else None) or "the app raised an error"
            failed = AppError(message=message)
        else:
            # As the stock job: an output the client cannot process (a file it cannot
            # download) makes result() raise that error, and leaves no final output.
            try:
                value = _final(endpoint, list(data or []))
            except Exception as exc:
                failed = exc
        with job.communicator.lock:
            job.communicator.job.latest_status = ended_status(
                Status.FINISHED, success=failed is None
            )
            if failed is None and not job.communicator.job.outputs:
                job.communicator.job.outputs.append(value)
        if failed is not None:
            job.future.set_exception(failed)
        else:
            job.future.set_result(value)

    def _cancelled(self, job: PageJob, at: float) -> None:
        """Another event cancelled the job (`cancels=[...]`, a chat's stop button): it
        ends CANCELLED and `result()` raises CancelledError, as a cancelled API job."""
        job.timeline.record_cancel(at)
        with job.communicator.lock:
            job.communicator.should_cancel = True
            job.communicator.job.latest_status = ended_status(Status.CANCELLED, success=False)
        job.future.set_exception(concurrent.futures.CancelledError())

    def _fail(self, job: PageJob, why: str) -> None:
        with job.end_lock:
            if job.done():
                return
            exc = ConnectionError(why)
            job.timeline.record_client_failure(exc)
            job.future.set_exception(exc)

    # -- reading (test thread) -------------------------------------------------------------

    def pending(self) -> list[PageJob]:
        with self._lock:
            return [job for job in self.jobs if not job.done()]

    def wait_for_count(self, count: int, timeout: float) -> bool:
        """Until `count` joins have been recorded (they arrive by the collector)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.jobs) >= count, timeout)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _cancelled(msg: dict[str, Any]) -> bool:
    """Whether `msg` is the server's answer to a cancel: the page asked `/cancel` for
    a running event (another event's `cancels=`), and gradio ends that event's stream
    with a successful `process_completed` carrying no data (`output={}`)."""
    if msg.get("msg") != "process_completed" or not msg.get("success", True):
        return False
    output = msg.get("output")
    return isinstance(output, dict) and "data" not in output and "error" not in output


def _final(endpoint: Any, data: list[Any]) -> Any:
    """The value `gradio_client` returns for a job's final data; raises what it raises."""
    if endpoint is None:
        return data[0] if len(data) == 1 else tuple(data)
    return endpoint.process_predictions(*data)


def _process(endpoint: Any, data: list[Any]) -> Any:
    """A streamed output as `gradio_client` keeps it in `job.outputs()`."""
    try:
        return _final(endpoint, data)
    except Exception as exc:
        return [exc]  # as gradio_client: a failed download becomes the output
