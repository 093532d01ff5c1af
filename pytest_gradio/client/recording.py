"""`GradioClient` and `RecordedJob`: a stock client whose jobs record every update.

How recording works without polling. Over the fast transport, the job's thread reads
each message into its timeline as it acts on it (transport.py). Over the stock one,
the stock client's stream reader appends each message it receives to a per-event
deque in `Client.pending_messages_per_event`; `GradioClient` replaces that dict with
one whose deques report every append, so a message is timestamped on the reader
thread the moment it is parsed, and read into the job's `Timeline` (protocol.py).
The job itself is a stock `Job`: results, iteration, status and cancel behave
exactly as in gradio_client.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import inspect
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
from gradio_client import Client, utils
from gradio_client.client import Endpoint, Job
from gradio_client.utils import Status, StatusUpdate

from .. import deadlines
from ..errors import (
    AppLoginError,
    AppStartError,
    AppUnreachableError,
    EndpointArgumentsError,
    EndpointNotFoundError,
    GradioTestError,
)
from ..options import TRANSPORTS
from ..timeline import Timeline
from . import compat, downloads, registry, tls
from .protocol import FINAL, STREAMING_AS, QueueReader, Routes
from .transport import (
    DEFAULT_TIMEOUT,
    FAST_PROTOCOLS,
    SessionStream,
    cut,
    cut_text,
    new_pool,
    run_job,
    server_ended,
    stream_error,
    stream_socket,
)
from .waiting import wait_for_job


class ServerCancel:
    """Asks the server to cancel a job, which it knows by the event id its join was
    answered with; a `cancel()` that comes before that answer is read is sent when it is.

    Why: stock `Job.cancel()` posts `/cancel` at once, with `event_id` None when the
    join's answer has not been read yet (the app already runs the job: on a busy
    machine, a generator can tick for a while before its client reads the answer). The
    server refuses that request (422) and the job runs to its end. Here the cancel is
    held and sent, with the id, by `joined()`. `Job.cancel()` calls this under the job's
    lock, and `joined()` notes the id under it, so the server is asked exactly once.
    """

    def __init__(self, helper: Any, post: Callable[[], None] | None) -> None:
        self._helper = helper
        self._post = post  # the stock cancel request (`Endpoint.make_cancel`)

    def __call__(self) -> None:
        if self._post is not None and self._helper.event_id is not None:
            self._post()

    def joined(self, event_id: str) -> bool:
        """Note the job's event id; ask the server now if `cancel()` came before it.
        True if it did."""
        with self._helper.lock:
            self._helper.event_id = event_id
            cancelled = bool(self._helper.should_cancel)
        if cancelled and self._post is not None:
            self._post()
        return cancelled


# Which job's reader (and timeline) and server cancel a stock submission belongs to
# (its join's answer goes to both). Why a context
# variable: the stock client runs the submission on an executor thread under
# `copy_context()` taken inside `submit()`, so the value set around it is visible to
# the `send_data()` call that learns the server's event id.
_SUBMITTING: contextvars.ContextVar[tuple[QueueReader, ServerCancel] | None] = (
    contextvars.ContextVar("pytest_gradio_submitting", default=None)
)


class RecordedJob(Job):  # type: ignore[misc]
    """A stock `gradio_client.Job` that also keeps `timeline`, every update it got."""

    # The endpoint's fn_index (dependency id): coverage matches jobs by it, so that
    # unnamed events count. Set by submit() and by page jobs; a tool call has none.
    fn_index: int

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
        # Bounded as result() is: by the job timeout, and the test's deadline.
        left, _ = deadlines.bound(self.job_timeout)
        give_up = None if left is None else time.monotonic() + left
        while True:
            if give_up is not None and time.monotonic() > give_up and not self.done():
                wait_for_job(self, 0.0, helper="iterating the job")
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
        """As `Job.result`, but never unbounded: without `timeout`, the wait ends after
        the job timeout (`job_timeout`, when the client has one, as the plugin's
        clients do), and under pytest-timeout just before the test's deadline, each
        with a JobTimeoutError and the timeline. `predict()` waits through this."""
        __tracebackhide__ = True
        left, capped = deadlines.bound(timeout if timeout is not None else self.job_timeout)
        if left is not None and (capped or timeout is None) and not self.done():
            wait_for_job(self, left, helper="result()")
        try:
            return super().result(timeout=timeout)
        except GradioTestError as exc:
            # Raised on the job's thread, by the plugin, with a message that says it
            # all: the frames it went through there (the plugin's, gradio_client's and
            # concurrent.futures') would only push that message down the report.
            raise exc.with_traceback(None) from exc.__cause__

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
        if isinstance(item, dict) and item.get("msg") == "process_streaming":
            # The stock reader knows no `.stream()` output (KeyError): it gets it as a
            # generator's, as the fast transport handles it (transport.STREAMING_AS).
            item = {**item, "msg": STREAMING_AS}
        super().append(item)

    def pop(self, *index: int) -> Any:
        # compat.DEQUE_QUEUES: before gradio_client 2.3 the reader takes pop(0).
        return self.popleft() if index == (0,) else super().pop(*index)


class _TappedQueues(dict):  # type: ignore[type-arg]
    """`Client.pending_messages_per_event` whose queues report every append."""

    def __init__(self, tap: Callable[[str, Any], None]) -> None:
        super().__init__()
        self._tap = tap

    def __setitem__(self, event_id: str, queue: Any) -> None:
        if not queue and event_id in self:
            return  # compat.EVENTS_REGISTERED_UNDER_LOCK: keep messages that came first
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
                # Raw bytes: nothing here reads the lines, so nothing splits them.
                for _ in response.iter_raw():
                    if self._stopped.is_set():
                        return
        except Exception:
            return  # the server went away or close() cut the connection: both end it

    def close(self) -> None:
        self._stopped.set()
        cut(self._socket)
        self._thread.join(timeout=1)


_STOCK_INIT = inspect.signature(Client.__init__)
# The stock code the fast transport replaces. Patched or overridden, it is honoured:
# the job goes the stock way (see GradioClient._fast_path).
_CLIENT_HOOKS = ("send_data", "stream_messages")
_ENDPOINT_HOOKS = {
    name: getattr(Endpoint, name)
    for name in ("make_end_to_end_fn", "make_predict", "_sse_fn_v1plus")
}
_HTTPX_HOOKS = {name: getattr(httpx, name) for name in ("post", "stream")}


@compat.quiet_stock_heartbeat
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
    # Set by the app handle that made the client: when a job's stream breaks, says
    # why the server went away ("the app process (pid 12) died (signal 9)", and its
    # last output), or None while it runs. Read by transport.stream_error.
    server_gone: Callable[[], tuple[str, str] | None] | None = None

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
        # Bound as the stock signature binds them (positional order included), then
        # passed by name, so that our two defaults never collide with a positional.
        # `token` is translated first: gradio_client 1.x spells it `hf_token` (compat).
        arguments = _STOCK_INIT.bind(self, src, *args, **compat.client_kwargs(kwargs)).arguments
        del arguments["self"]
        arguments.setdefault("verbose", False)
        arguments.setdefault("analytics_enabled", False)
        # One TLS context for all of the client's requests (see tls.py): stock builds a
        # new one, 16 ms of CPU, for each. `ssl_verify=True` becomes that context, which
        # verifies exactly as True does; False, or a context of the caller's, is kept.
        arguments["ssl_verify"] = tls.verify(
            arguments.get("ssl_verify", True),
            trust_env=(arguments.get("httpx_kwargs") or {}).get("trust_env", True),
        )
        self._template = _template
        compat.init_client(super().__init__, **arguments)
        self._template = None
        self.transport = transport
        self.jobs: list[RecordedJob] = []
        self.job_timeout: float | None = None
        # What the plugin calls the app in its messages (its spec, and where that came
        # from); set for the clients it makes (create_client), kept by clone().
        self.app_label: str | None = _template.app_label if _template is not None else None
        # The plugin's GradioApp this client talks to (set by GradioApp.client()), whose
        # server log fuzz_endpoint reads for the app's traceback; None otherwise.
        self.gradio_app: Any = None
        # The stock transport's messages, with their arrival times, by event id.
        self._routes: Routes[tuple[dict[str, Any], float]] = Routes()
        self.pending_messages_per_event = _TappedQueues(self._tapped)
        compat.register_events_safely(self)
        downloads.stage_downloads(self.endpoints.values(), Path(self.output_dir) / ".staging")
        self._owns_pool = _template is None
        self._http = _template._http if _template is not None else self._new_pool()
        self._stream: SessionStream | None = None
        self._old_streams: list[SessionStream] = []
        # What ended the stock transport's stream, per session (see stream_messages).
        self._stock_faults: dict[str | None, str] = {}
        self._server_ended: dict[str | None, dict[str, Any]] = {}
        self._heartbeat = _Heartbeat(self) if self._wants_heartbeat else None
        registry.client_created(self)

    def __repr__(self) -> str:
        # The stock repr is the whole API description, which pytest would print for
        # every failing test that uses the gradio_client fixture.
        return f"<GradioClient {self.src} session {self.session_hash[:8]}, {len(self.jobs)} jobs>"

    def _new_pool(self) -> Any:
        # The same httpx_kwargs stock passes to each request it makes, timeout included.
        return new_pool(self.ssl_verify, cookies=dict(self.cookies), **self.httpx_kwargs)

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
        clone = GradioClient(
            self.src,
            transport=self.transport,
            _template=self,
            token=compat.client_token(self),
            headers=dict(self.headers),
            download_files=self.download_files,
            ssl_verify=self.ssl_verify,
            httpx_kwargs=dict(self.httpx_kwargs),
        )
        clone.server_gone = self.server_gone
        return clone

    # -- recording plumbing ------------------------------------------------------------

    def _tapped(self, event_id: str, msg: Any) -> None:
        # Stock transport only: the fast one reads its messages on the job's thread.
        if msg is not None:  # None is the stock reader's "stream closed" sentinel
            arrived = time.perf_counter()
            if isinstance(msg, dict) and msg.get("msg") == "unexpected_error":
                self._server_ended[msg.get("event_id") or None] = msg
            self._routes.deliver(event_id, (msg, arrived), final=msg.get("msg") in FINAL)

    def send_data(self, data: Any, hash_data: Any, protocol: Any, request_headers: Any) -> str:
        # Stock transport only: the fast one never calls this.
        event_id: str = super().send_data(data, hash_data, protocol, request_headers)
        submitting = _SUBMITTING.get()
        if submitting is not None:
            reader, server_cancel = submitting
            reader.timeline.event_id = event_id
            self._routes.bind(event_id, lambda delivery: reader.record(*delivery))
            server_cancel.joined(event_id)
        return event_id

    def _session_stream(self) -> SessionStream:
        """The event stream of the current session (a new one after reset_session();
        the old one ends when its last job does)."""
        stream = self._stream
        if stream is None or stream.session_hash != self.session_hash:
            if stream is not None:
                self._old_streams = [s for s in self._old_streams if not s.idle]
                self._old_streams.append(stream)
            stream = self._stream = SessionStream(
                self._http,
                self.sse_url,
                self.session_hash,
                self.headers,
                timeout=self.httpx_kwargs.get("timeout"),
            )
        return stream

    def reset_session(self) -> None:
        """As stock: a new session hash. Its event stream, heartbeat and cookies move
        together: the old session's heartbeat ends at once (the server runs its unload
        events and frees its state, as when a browser tab closes) and a new one starts."""
        super().reset_session()
        if self._heartbeat is not None:
            self._heartbeat.close()
            self._heartbeat = _Heartbeat(self)

    def stream_messages(self, protocol: Any, session_hash: str) -> None:
        # Stock transport only: remember why its stream ended, so that a job it
        # strands fails with that (JobStreamError) rather than as cancelled.
        self._stock_faults.pop(session_hash, None)
        try:
            super().stream_messages(protocol, session_hash)
        except BaseException as exc:
            self._stock_faults[session_hash] = (
                f"the event stream broke ({type(exc).__name__}: {cut_text(str(exc))})"
            )
            raise
        else:
            self._stock_faults.setdefault(
                session_hash, "the event stream ended before the job's final message"
            )

    # -- public API --------------------------------------------------------------------

    def predict(
        self,
        *args: Any,
        api_name: str | None = None,
        fn_index: int | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """As `Client.predict`: `submit(...)`, then the job's `result()` (bounded by the
        job timeout, see `RecordedJob.result`).

        Why not the stock one: it is the same two calls, but a failure raised through
        it (a misspelt api_name, too many arguments, the job's error) showed the stock
        method's source, some 35 lines of docstring, before the message that says
        what to fix. Raised from here, pytest shows the test's line and the message.
        """
        __tracebackhide__ = True
        return self.submit(
            *args, api_name=api_name, fn_index=fn_index, headers=headers, **kwargs
        ).result()

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
        __tracebackhide__ = True
        index, name = self._endpoint(api_name, fn_index)
        timeline = Timeline(name, args, kwargs)
        endpoint = self.endpoints[index]
        if isinstance(endpoint, Endpoint):
            self._check_arguments(endpoint, name, args, kwargs)
            args = tuple(utils.construct_args(endpoint.parameters_info, args, kwargs))
        if endpoint.protocol not in ("sse", *FAST_PROTOCOLS):
            raise ValueError("Unknown protocol: " + endpoint.protocol)
        request_headers = {**(headers or {}), "x-gradio-user": "api"}
        helper = self.new_helper(index, headers=request_headers)
        if self._fast_path(endpoint):
            job = self._submit_fast(endpoint, helper, timeline, args)
        else:
            job = self._submit_stock(endpoint, helper, timeline, args)
        recorded = RecordedJob(job, timeline, job_timeout=self.job_timeout)
        recorded.fn_index = index
        if result_callbacks:
            # As stock: one callable, or any sequence of them.
            callbacks = [result_callbacks] if callable(result_callbacks) else result_callbacks
            for callback in callbacks:
                recorded.add_done_callback(_result_callback(callback))
        self.jobs.append(recorded)
        registry.job_submitted(self, recorded)
        return recorded

    def _fast_path(self, endpoint: Any) -> bool:
        """Whether the fast transport serves `endpoint`: asked for, a protocol it speaks,
        and none of the stock code it replaces patched or overridden (gradio_client's
        own tests, and some users, patch these; then the stock path runs them)."""
        if self.transport != "fast" or endpoint.protocol not in FAST_PROTOCOLS:
            return False
        cls = type(self)
        return (
            all(getattr(cls, name) is getattr(GradioClient, name) for name in _CLIENT_HOOKS)
            and all(
                getattr(type(endpoint), name) is original and name not in vars(endpoint)
                for name, original in _ENDPOINT_HOOKS.items()
            )
            and all(getattr(httpx, name) is original for name, original in _HTTPX_HOOKS.items())
        )

    def _submit_stock(
        self, endpoint: Any, helper: Any, timeline: Timeline, args: tuple[Any, ...]
    ) -> Job:
        # What stock `Client.submit` does, with one change: a job that its stream
        # strands, or that the server ends with unexpected_error, fails with
        # JobStreamError instead of CancelledError / KeyError (the same error as the
        # fast transport's for the same fault).
        end_to_end = endpoint.make_end_to_end_fn(helper)

        def run(*data: Any) -> Any:
            try:
                return end_to_end(*data)
            except (concurrent.futures.CancelledError, KeyError) as exc:
                detail = self._stock_fault(exc, helper)
                if detail is None:
                    raise
                raise stream_error(endpoint, detail, helper) from None
            except UNREACHABLE as exc:
                _raise_if_cancelled(helper)
                raise self._unreachable(endpoint, exc) from None
            except Exception:
                _raise_if_cancelled(helper)
                raise

        server_cancel = ServerCancel(helper, endpoint.make_cancel(helper))
        token = _SUBMITTING.set((QueueReader(timeline, protocol=endpoint.protocol), server_cancel))
        try:
            future = self.executor.submit(contextvars.copy_context().run, run, *args)
        finally:
            _SUBMITTING.reset(token)
        return Job(
            future,
            communicator=helper,
            verbose=self.verbose,
            space_id=self.space_id,
            _cancel_fn=server_cancel,
        )

    def _stock_fault(self, exc: BaseException, helper: Any) -> str | None:
        """Why a stock job ended with `exc`, if a fault rather than the user's cancel."""
        _raise_if_cancelled(helper)
        event_id = helper.event_id
        if isinstance(exc, KeyError):
            if exc.args != ("unexpected_error",):
                return None
            msg = self._server_ended.get(event_id) or self._server_ended.get(None) or {}
            return server_ended(msg)
        if event_id in self._server_ended:
            return server_ended(self._server_ended[event_id])
        return self._stock_faults.get(self.session_hash) or (
            "the event stream ended before the job's final message"
        )

    def _submit_fast(
        self, endpoint: Any, helper: Any, timeline: Timeline, args: tuple[Any, ...]
    ) -> Job:
        server_cancel = ServerCancel(helper, endpoint.make_cancel(helper))
        # The job's session stream, taken now: a reset_session() before the job joins
        # must not move it (nor its cancel) to the new session.
        stream = self._session_stream()

        def cancel() -> None:
            stream.cancel(helper.event_id)
            server_cancel()

        def run(*data: Any) -> Any:
            try:
                return run_job(*data)
            except UNREACHABLE as exc:
                _raise_if_cancelled(helper)
                raise self._unreachable(endpoint, exc) from None
            except Exception:
                _raise_if_cancelled(helper)
                raise

        future = self.executor.submit(
            contextvars.copy_context().run,
            run,
            self,
            endpoint,
            helper,
            args,
            {},
            timeline,
            stream,
            server_cancel.joined,
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
        except ValueError:
            import difflib

            # The endpoints view_api() shows: the app's API, not the internal events
            # (a ChatInterface has dozens, such as /_append_message_to_history_1).
            info = getattr(self, "_info", None) or {}
            names = sorted(info.get("named_endpoints") or {})
            if not names:
                names = sorted(
                    e.api_name for e in self.endpoints.values() if e.api_name and e.is_valid
                )
            asked = api_name if api_name is not None else f"fn_index={fn_index}"
            hint = ""
            if api_name is not None:
                wanted = "/" + api_name.lstrip("/")
                bare = {name.lstrip("/"): name for name in names}
                close = difflib.get_close_matches(wanted.lstrip("/"), list(bare), n=1, cutoff=0.5)
                if close:
                    hint = f" Did you mean api_name={bare[close[0]]!r}?"
            # The fix first: pytest shows this message on one line, which a terminal
            # wraps; what to type must not come after the app's URL and the list.
            raise EndpointNotFoundError(
                f"no endpoint {asked!r} in the app at {self.src}.{hint} "
                f"Its API endpoints (as view_api() shows them): {', '.join(names) or 'none'}. "
                "Use one of those as api_name=...; Gradio names an endpoint after its "
                "function unless api_name= is given (a ChatInterface's after its fn)."
            ) from None
        endpoint = self.endpoints[index]
        return index, str(endpoint.api_name or f"fn_index={index}")

    def _check_arguments(
        self, endpoint: Endpoint, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """Fail a call that gives more positional arguments than the endpoint takes.

        Why: stock gradio_client sends them all and the server drops the extra values,
        so a test passing the wrong arguments passes. What an endpoint takes is one
        value per input component, less its `gr.State`s (the client fills those in);
        not `len(parameters_info)`, which also leaves out inputs such as a `gr.Button`
        that a caller must still give. Every call stock accepts with at most that many
        is left as stock handles it.
        """
        __tracebackhide__ = True
        types = endpoint.input_component_types
        states = sum(t.is_state for t in types) if self._skip_components else 0
        takes = len(types) - states
        if len(args) <= takes:
            return
        given = ", ".join(cut_text(repr(a), 40) for a in args)
        if kwargs:
            given += " and " + ", ".join(f"{k}={cut_text(repr(v), 40)}" for k, v in kwargs.items())
        filled = f" (and {states} gr.State input(s), which the client fills in)" if states else ""
        raise EndpointArgumentsError(
            f"{name} takes {takes} argument(s){filled}, but was given {len(args)}: {given}. "
            f"Its parameters (as view_api() shows them): {_parameters(endpoint, takes)}. "
            "Remove the extra argument(s), or check api_name. (Stock gradio_client sends "
            "them and the server drops them, so the call would pass whatever they are.)"
        )

    def _unreachable(self, endpoint: Endpoint, exc: Exception) -> AppUnreachableError:
        """The error for a job whose request could not reach the app: which app, at
        which URL, what failed, and whether anything still listens there."""
        name = endpoint.api_name or f"fn_index={endpoint.fn_index}"
        app = f"{self.app_label} at {self.src}" if self.app_label else f"at {self.src}"
        try:
            request = f"{exc.request.method} {exc.request.url.path}"  # type: ignore[attr-defined]
        except (AttributeError, RuntimeError):  # an httpx error without its request
            request = "a request"
        return AppUnreachableError(
            f"{name}: the app {app} stopped answering: {request} failed with "
            f"{type(exc).__name__}: {exc or 'no details'}; {_listening(self.src)}. "
            "Check that the app still runs: an app given by URL is not started by the "
            "plugin (see its own log); for one the plugin started, its server log is in "
            "the test's report."
        )

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
        for stream in [*self._old_streams, self._stream]:
            if stream is not None:
                stream.close()
        if self._heartbeat is not None:
            self._heartbeat.close()
        for executor in compat.executors(self).values():
            executor.shutdown(wait=False, cancel_futures=True)
        if self._owns_pool:
            self._http.close()


# A job's request that cannot reach the app: refused, reset, or cut before an answer.
# Not timeouts: a slow app, or the user's own httpx timeout, raise as stock.
UNREACHABLE = (httpx.NetworkError, httpx.RemoteProtocolError)


def _listening(url: str) -> str:
    """Whether anything accepts connections at `url`'s host and port right now."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=2.0):
            return f"{host}:{port} still accepts connections, but the request broke"
    except OSError as exc:
        return f"nothing answers at {host}:{port} any more ({exc.strerror or exc})"


def _parameters(endpoint: Endpoint, takes: int) -> str:
    """An endpoint's parameters, `name (type, default)`, as view_api() lists them; by
    input component when the API description has none or leaves some out."""
    info = endpoint.parameters_info
    if info is not None and len(info) == takes:
        parts = []
        for i, param in enumerate(info):
            label = param.get("parameter_name") or param.get("label") or f"argument {i}"
            kind = (param.get("python_type") or {}).get("type", "?")
            default = (
                f"default {cut_text(repr(param.get('parameter_default')), 40)}"
                if param.get("parameter_has_default")
                else "required"
            )
            parts.append(f"{label} ({kind}, {default})")
        return ", ".join(parts) or "none"
    components = {c.get("id"): c.get("type", "?") for c in endpoint.client.config["components"]}
    kinds = [
        components.get(i, "?")
        for i, t in zip(endpoint.dependency["inputs"], endpoint.input_component_types, strict=True)
        if not (t.is_state and endpoint.client._skip_components)
    ]
    return ", ".join(f"argument {i} ({kind})" for i, kind in enumerate(kinds)) or "none"


def _raise_if_cancelled(helper: Any) -> None:
    """After the user's cancel(), a job ends with CancelledError on both transports,
    whatever the server sent after it (stock raises KeyError or CancelledError, a race
    in gradio_client; the server may also close the event with an empty error)."""
    with helper.lock:
        cancelled = helper.should_cancel
    if cancelled:
        raise concurrent.futures.CancelledError() from None


def _signature() -> inspect.Signature:
    """GradioClient's signature: the installed stock Client's, in its order and with
    its names (whichever gradio_client version), our two defaults, and `transport`."""
    ours = {"verbose": False, "analytics_enabled": False}
    params = [
        p.replace(default=ours[p.name]) if p.name in ours else p
        for p in _STOCK_INIT.parameters.values()
    ]
    transport = inspect.Parameter(
        "transport", inspect.Parameter.KEYWORD_ONLY, default="fast", annotation="str"
    )
    return _STOCK_INIT.replace(parameters=[*params, transport])


GradioClient.__init__.__signature__ = _signature()  # type: ignore[attr-defined]


def _result_callback(callback: Callable[..., Any]) -> Callable[[Any], None]:
    # As stock: a tuple result is spread over the callback's parameters.
    def call(future: Any) -> None:
        result = future.result()
        if isinstance(result, tuple):
            callback(*result)
        else:
            callback(result)

    return call


# --- bounded creation --------------------------------------------------------------------


def create_client(
    url: str, kwargs: Mapping[str, Any], *, timeout: float, what: str
) -> GradioClient:
    """`GradioClient(url, **kwargs)`, each request it makes while loading the app's
    config bounded by `timeout` (and the test's deadline), failing with AppStartError.

    Why only while loading: the same httpx options serve the job stream later, which
    must be allowed to stay quiet for as long as a job runs.
    """
    given = dict(kwargs.get("httpx_kwargs") or {})
    ours = "timeout" not in given
    budget, capped = deadlines.bound(timeout)
    budget = max(0.05, budget if budget is not None else timeout)
    httpx_kwargs = {**given, "timeout": httpx.Timeout(budget)} if ours else given
    started = time.monotonic()
    try:
        client = GradioClient(url, **{**kwargs, "httpx_kwargs": httpx_kwargs})
    except (httpx.TimeoutException, httpx.NetworkError) as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            # No wait or timeout is at fault: the answer will not change.
            raise AppStartError(
                f"could not create a gradio client of {what} at {url}: the app's TLS "
                f"certificate is not trusted ({type(exc).__name__}: {exc}). An app with "
                "its own certificate (launch(ssl_certfile=...)) often signs it itself: "
                "pass client_kwargs={'ssl_verify': False}, or point SSL_CERT_FILE at the "
                "certificate that signed it."
            ) from None
        waited = time.monotonic() - started
        why = (
            deadlines.explain()
            if capped
            else f"each request may take {budget:g} s: raise startup_timeout / "
            "--gradio-startup-timeout, or pass client_kwargs={'httpx_kwargs': {'timeout': ...}}"
        )
        raise AppStartError(
            f"could not create a gradio client of {what} at {url}: loading the app's "
            f"config failed after {waited:.1f} s with {type(exc).__name__}: "
            f"{exc or 'no details'} ({why}). Check that the app still runs and answers."
        ) from None
    except ValueError as exc:
        login = login_error(exc, kwargs.get("auth"), url, what)
        if login is None:
            raise
        raise login from None
    client.app_label = what
    if ours:
        # Jobs get the pool's own timeouts, as a client made without one would.
        client.httpx_kwargs.pop("timeout", None)
        if client._owns_pool:
            client._http.timeout = DEFAULT_TIMEOUT
    return client


# Where a plugin-made client's credentials come from: the marker's client_kwargs (no
# option or ini sets them), or the arguments of gradio_app.client().
AUTH_SOURCES = (
    "@pytest.mark.gradio_app(..., client_kwargs={'auth': (user, password)}), or "
    "gradio_app.client(auth=(user, password))"
)


def login_error(exc: ValueError, auth: Any, url: str, what: str) -> AppLoginError | None:
    """The error for a client that the app's login turned away, or None if `exc` (from
    creating the client) is not about logging in.

    gradio_client says it in two ways: `AuthenticationError` when the app's config
    asks for a login that was not made, and a `ValueError` (HTTP 400) or
    `AuthenticationError` (HTTP 401) from its `_login()` when the app refused the
    credentials. The user name is quoted, never the password.
    """
    from gradio_client.exceptions import AuthenticationError

    frames = traceback.extract_tb(exc.__traceback__)
    refused = bool(frames) and frames[-1].name == "_login"
    if not refused and not isinstance(exc, AuthenticationError):
        return None
    app = f"gradio app {what} at {url} asks for a login (its launch(auth=...))"
    if auth is None:
        return AppLoginError(
            f"{app}, and the client gave none (gradio_client: {exc}). Give the user name "
            f"and password as {AUTH_SOURCES}."
        )
    user = auth[0] if isinstance(auth, (tuple, list)) and auth else "?"
    return AppLoginError(
        f"{app}, and refused the login of user {user!r} given as client_kwargs['auth'] "
        f"(gradio_client: {exc}). Those credentials come from {AUTH_SOURCES}: check "
        "them against the users the app's launch(auth=...) accepts."
    )


def ended_status(code: Status, *, success: bool) -> StatusUpdate:
    """What `Job.status()` says of a job that ended (no rank, queue or progress): for
    the jobs recorded over a future of their own (page jobs, MCP tool calls)."""
    return StatusUpdate(
        code=code,
        rank=None,
        queue_size=None,
        eta=None,
        success=success,
        time=None,
        progress_data=None,
    )
