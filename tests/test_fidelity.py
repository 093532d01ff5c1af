"""Fidelity (issue 9): a GradioClient behaves as the stock gradio_client.Client does.

The differential suite makes the same calls through a plain `gradio_client.Client`,
`GradioClient(transport="fast")` and `GradioClient(transport="stock")` against the
same running app, and compares what a user can observe: the result or the error (type
and message), `job.outputs()`, the final status and success, files (by content),
`gr.State` across calls, iteration and `async for`. Hypothesis generates the text
for an echo and a streaming endpoint. The rest of the file checks the fixes that
made the three agree (signature, callbacks, reset_session, httpx_kwargs, hooks,
many clients), each against a real app.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import inspect
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.client import Endpoint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_gradio import GradioClient
from pytest_gradio.errors import AppStartError, EndpointArgumentsError

from .fault_proxy import FaultProxy
from .ticks import stops, ticks

SHAPES = "apps/fidelity_shapes.py"
TRANSPORTS = ("fast", "stock")
NAMES = ("plain", "fast", "stock")

# --- the three clients and what a user observes ------------------------------------


def make_trio(url: str, **kwargs: Any) -> dict[str, Any]:
    """The plain stock Client and a GradioClient per transport, of the app at `url`."""
    return {
        "plain": Client(url, verbose=False, analytics_enabled=False, **kwargs),
        **{t: GradioClient(url, transport=t, **kwargs) for t in TRANSPORTS},
    }


def close_trio(trio: dict[str, Any]) -> None:
    for client in trio.values():
        client.close()


_trios: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def trio_cache() -> Iterator[dict[str, dict[str, Any]]]:
    try:
        yield _trios
    finally:
        for trio in _trios.values():
            close_trio(trio)
        _trios.clear()


@pytest.fixture
def trio(gradio_app, trio_cache) -> dict[str, Any]:
    """The three clients of this test's app (shared by the module's stateless tests)."""
    if gradio_app.url not in trio_cache:
        trio_cache[gradio_app.url] = make_trio(gradio_app.url)
    return trio_cache[gradio_app.url]


def normalize(value: Any) -> Any:
    """What the user sees, comparable across clients: downloaded files by name and
    content (each client downloads to its own directory), tuples as lists."""
    if isinstance(value, str) and os.path.isabs(value) and os.path.isfile(value):
        data = Path(value).read_bytes()
        return ("file", Path(value).name, hashlib.sha256(data).hexdigest())
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, BaseException):
        return ("exception", type(value).__name__, str(value))
    return value


def observe(job: Any, timeout: float = 30) -> dict[str, Any]:
    """Result or error, outputs, final status of a job, once it ended."""
    seen: dict[str, Any] = {}
    try:
        seen["result"] = normalize(job.result(timeout=timeout))
    except BaseException as exc:  # noqa: BLE001 - the error is what is compared
        seen["error"] = (type(exc).__name__, str(exc))
    status = job.status()
    seen["status"] = (status.code.name, status.success)
    seen["outputs"] = normalize(job.outputs())
    return seen


def compare(trio: dict[str, Any], *args: Any, api_name: str, **kwargs: Any) -> dict[str, Any]:
    """Make the same call on the three clients, one after the other; assert they agree.

    Why not at once: the server caches equal output files under one name, and three
    equal jobs at once rewrite it while another client downloads it (gradio's race)."""
    seen = {name: observe(trio[name].submit(*args, api_name=api_name, **kwargs)) for name in NAMES}
    assert seen["fast"] == seen["plain"], (api_name, args, seen)
    assert seen["stock"] == seen["plain"], (api_name, args, seen)
    return seen["plain"]


# --- app shapes -------------------------------------------------------------------------


pytestmark = pytest.mark.gradio_app(SHAPES)

SHAPE_CALLS = [
    pytest.param(("hello",), "/echo", id="echo"),
    pytest.param(("before\u2028after\u2029\x85end",), "/echo", id="echo-line-separators"),
    pytest.param(("a\r\nb\rc\n\nd",), "/echo", id="echo-line-ends"),
    pytest.param(('data: {"msg": "x"}\n\n',), "/echo", id="echo-sse-lookalike"),
    pytest.param(("one two\u2028three",), "/stream", id="generator"),
    pytest.param((2, 3.5), "/add", id="numbers"),
    pytest.param(("x",), "/fail", id="gr.Error"),
    pytest.param(("x",), "/crash", id="app-exception-hidden"),
    pytest.param(("quiet",), "/notify", id="info-warning-progress"),
    pytest.param(("file text\u2028",), "/make_file", id="file-out"),
    pytest.param((3,), "/make_image", id="image-out"),
    pytest.param(("js\u2028on",), "/to_json", id="json"),
    pytest.param(
        ({"headers": ["a", "b"], "data": [[1, 2], [3, 4]], "metadata": None},),
        "/double",
        id="dataframe",
    ),
    pytest.param(("batch",), "/batch_upper", id="batch"),
    pytest.param(("limited",), "/slow", id="concurrency-limit"),
    pytest.param((4,), "/count", id="generator-count"),
    pytest.param(("two",), "/pair", id="two-outputs"),
]


@pytest.mark.parametrize(("args", "api_name"), SHAPE_CALLS)
def test_shapes_agree(trio, args, api_name):
    """Each app shape: the three clients observe the same."""
    compare(trio, *args, api_name=api_name)


def test_files_in_agree(trio, tmp_path):
    """A file and an image sent up: the app sees the same content from all three."""
    path = tmp_path / "in.txt"
    path.write_text("uploaded\u2028text")
    compare(trio, handle_file(str(path)), api_name="/read_file")
    image = trio["plain"].predict(4, api_name="/make_image")
    compare(trio, handle_file(image), api_name="/image_shape")


def test_unknown_endpoint_and_bad_arguments_agree(trio):
    """Errors of a call itself: same type on the three (for an unknown endpoint ours
    names the app's endpoints, in a subclass of the stock ValueError), and the same
    outcome for an unknown keyword and a missing argument. (Too many arguments: ours
    are stricter, see test_too_many_arguments_fail_at_submit.)"""
    for name in NAMES:
        with pytest.raises(ValueError, match="nope"):
            trio[name].submit("x", api_name="/nope")
    for args, kwargs in (((), {"nope": 1}), ((), {})):
        outcomes = {}
        for name in NAMES:
            try:
                outcomes[name] = observe(trio[name].submit(*args, api_name="/echo", **kwargs))
            except Exception as exc:  # noqa: BLE001 - raised by submit itself
                outcomes[name] = ("raised", type(exc).__name__, str(exc))
        assert outcomes["fast"] == outcomes["plain"] == outcomes["stock"], outcomes


# --- arguments: every valid way to call, and too many (issue 19, item 6) -------------------

ARGUMENTS = "apps/fidelity_arguments.py"

VALID_CALLS = [
    pytest.param(("a",), {}, "/join", id="two-defaults"),
    pytest.param(("a", "b"), {}, "/join", id="one-default"),
    pytest.param(("a", "b", "c"), {}, "/join", id="all-positional"),
    pytest.param(("a",), {"third": "c"}, "/join", id="keyword-after-positional"),
    pytest.param((), {"first": "a", "second": "b", "third": "c"}, "/join", id="all-keywords"),
    pytest.param((), {}, "/join", id="missing-required"),
    pytest.param(("a", "b"), {"second": "c"}, "/join", id="keyword-also-positional"),
    pytest.param(("x", "y"), {}, "/around_state", id="state-between-inputs"),
    pytest.param(("x",), {}, "/around_state", id="state-and-default"),
    pytest.param(("x",), {"after": "y"}, "/around_state", id="state-and-keyword"),
    pytest.param(("hi", "press me"), {}, "/pressed", id="button-input"),
    pytest.param(("hi",), {}, "/pressed", id="button-input-missing"),
    pytest.param(("hello",), {}, "/chat", id="chat-additional-default"),
    pytest.param(("hello", "angry"), {}, "/chat", id="chat-additional-given"),
    pytest.param(("hello",), {"tone": "dry"}, "/chat", id="chat-additional-keyword"),
]


def submit_or_raise(client: Any, *args: Any, **kwargs: Any) -> Any:
    """What a call observes: its job's outcome, or what submit() itself raised."""
    try:
        job = client.submit(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return ("raised", type(exc).__name__, str(exc))
    return observe(job)


@pytest.mark.gradio_app(ARGUMENTS)
@pytest.mark.parametrize(("args", "kwargs", "api_name"), VALID_CALLS)
def test_valid_arguments_agree(trio, args, kwargs, api_name):
    """Defaults, keywords, a gr.State between inputs, a gr.Button input (a value the
    API description leaves out), a ChatInterface's additional input: by api_name and
    by fn_index, the three clients observe the same (results, and the same errors
    for calls that are wrong in ways stock already reports)."""
    fn_index = next(
        i for i, e in trio["plain"].endpoints.items() if e.api_name == api_name and e.is_valid
    )
    # gr.State and the chat's history live per session, and other tests of the module
    # call some of the clients only: each case starts the three from a new session.
    for client in trio.values():
        client.reset_session()
    for target in ({"api_name": api_name}, {"fn_index": fn_index}):
        seen = {name: submit_or_raise(trio[name], *args, **target, **kwargs) for name in NAMES}
        assert seen["fast"] == seen["plain"], (target, seen)
        assert seen["stock"] == seen["plain"], (target, seen)


@pytest.mark.gradio_app(ARGUMENTS)
@pytest.mark.parametrize(
    ("args", "api_name", "listed"),
    [
        pytest.param(
            ("a", "b", "c", "d"),
            "/join",
            "first (str, required), second (str, default 'two'), third (str, default None)",
            id="blocks",
        ),
        pytest.param(("x", "y", "z"), "/around_state", "1 gr.State input", id="state"),
        pytest.param(("hi", "press me", "again"), "/pressed", "argument 1 (button)", id="button"),
        pytest.param(("hello", "calm", "extra"), "/chat", "message (str, required)", id="chat"),
    ],
)
def test_too_many_arguments_fail_at_submit(trio, args, api_name, listed):
    """Item 19.6: more positional arguments than the endpoint takes fail at submit, on
    both transports and by fn_index too, naming the endpoint, what it takes and what
    was given. The plain client sends them and the server drops them: the call passes
    (the documented difference)."""
    assert "error" not in observe(trio["plain"].submit(*args, api_name=api_name))
    fn_index = next(i for i, e in trio["plain"].endpoints.items() if e.api_name == api_name)
    for name in TRANSPORTS:
        for target in ({"api_name": api_name}, {"fn_index": fn_index}):
            with pytest.raises(EndpointArgumentsError) as info:
                trio[name].submit(*args, **target)
            message = str(info.value)
            assert message.startswith(f"{api_name} takes "), message
            assert f"but was given {len(args)}: {', '.join(map(repr, args))}." in message
            assert listed in message, message
            assert isinstance(info.value, TypeError)
            with pytest.raises(EndpointArgumentsError):
                trio[name].predict(*args, **target)


@pytest.mark.gradio_app("apps/fidelity_interface.py")
def test_interface_arguments(trio):
    """A gr.Interface: a slider's default agrees; a third argument fails at submit.
    (Its endpoint is /greet from gradio 6, /predict before.)"""
    (api_name,) = trio["plain"].view_api(print_info=False, return_format="dict")["named_endpoints"]
    compare(trio, "ada", api_name=api_name)
    for name in TRANSPORTS:
        with pytest.raises(EndpointArgumentsError, match=rf"^{api_name} takes 2 argument\(s\)"):
            trio[name].submit("ada", 3, 4, api_name=api_name)


def test_state_and_reset_session_agree(gradio_app):
    """gr.State keeps across calls of one session; reset_session starts afresh."""
    trio = make_trio(gradio_app.url)
    try:
        seen = {}
        for name in NAMES:
            client = trio[name]
            first = [client.predict(api_name="/increment") for _ in range(3)]
            client.reset_session()
            after = client.predict(api_name="/increment")
            seen[name] = (first, after)
        assert seen["fast"] == seen["plain"] == seen["stock"] == ([1, 2, 3], 1)
    finally:
        close_trio(trio)


def test_iteration_and_async_iteration_agree(trio):
    """`for out in job` and `async for update in job` give the same values."""
    iterated = {name: list(trio[name].submit(5, api_name="/count")) for name in NAMES}
    assert iterated["fast"] == iterated["plain"] == iterated["stock"] == list("01234")

    async def updates(job: Any) -> list[Any]:
        outputs = [u for u in [x async for x in job] if getattr(u, "type", "") == "output"]
        # The final update carries the server's timings: its data is what compares.
        return [u.outputs["data"] if u.final else u.outputs for u in outputs]

    got = {name: asyncio.run(updates(trio[name].submit(3, api_name="/count"))) for name in NAMES}
    assert got["fast"] == got["plain"] == got["stock"], got


def test_cancel_running_generator(trio):
    """Item 9: cancel() on a running generator, then result(). Ours raise
    CancelledError on both transports, always; the plain client raises KeyError or,
    by races in gradio_client, CancelledError or ValueError("Did not expect 2 tasks
    to be done.") (its wait for the cancel and the stream ended at once: seen once
    in a full run, and 1 time in 60 beside three CPU hogs). Kept and documented: the
    user asked for the cancel, and CancelledError says so."""
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    for name in NAMES:
        job = trio[name].submit(50, api_name="/long_count")
        deadline = time.monotonic() + 10
        while not job.outputs() and time.monotonic() < deadline:
            time.sleep(0.01)
        job.cancel()
        try:
            job.result(timeout=10)
            outcomes[name] = "result"
        except BaseException as exc:  # noqa: BLE001
            outcomes[name] = type(exc).__name__
            messages[name] = str(exc)
    assert outcomes["fast"] == outcomes["stock"] == "CancelledError", (outcomes, messages)
    plain = (outcomes["plain"], messages.get("plain", ""))
    assert plain[0] in ("KeyError", "CancelledError") or plain == (
        "ValueError",
        "Did not expect 2 tasks to be done.",
    ), (outcomes, messages)


@pytest.mark.gradio_app("apps/browser_media.py")
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_cancel_before_the_join_is_answered_reaches_the_server(gradio_app, transport, tmp_path):
    """cancel() while the app already runs the job but the client has not read the
    join's answer (its event id) yet, as on a busy machine: the server is asked to
    cancel once the answer comes, and the generator stops. (Stock posts its cancel
    at once, without an event id; the server refuses it and the job runs on.)"""
    with FaultProxy(gradio_app.url) as proxy:
        client = GradioClient(proxy.url, transport=transport)
        try:
            proxy.fault = "hold_join"
            path = tmp_path / "ticks"
            job = client.submit(str(path), api_name="/tick")
            assert wait_for(lambda: ticks(path) >= 3), "the app did not run the job"
            assert job.cancel() is True
            assert job.timeline.event_id is None  # the answer is still held
            proxy.release_joins.set()
            with pytest.raises(concurrent.futures.CancelledError):
                job.result(timeout=10)
            assert job.timeline.event_id is not None
            assert stops(path)
        finally:
            proxy.release_joins.set()
            client.close()


# --- hypothesis: any text, three clients, one answer -------------------------------------

TEXTS = st.one_of(
    st.text(),  # any unicode (no surrogates: JSON cannot carry them), controls included
    st.text(alphabet='\u2028\u2029\x85\r\n\x0b\x0c\x1c\x1d\x1e :data{}"\\', max_size=40),
    st.text(min_size=2000, max_size=20000),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=8,
    ).map(json.dumps),
)


@settings(
    max_examples=15,
    derandomize=True,  # the same examples on every run, in CI too
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXTS)
def test_any_text_agrees(trio, text):
    """An echo and a streaming endpoint: all three clients agree on every example."""
    jobs = {
        (name, api): trio[name].submit(text, api_name=api)
        for name in NAMES
        for api in ("/echo", "/stream")
    }
    seen = {key: observe(job) for key, job in jobs.items()}
    for api in ("/echo", "/stream"):
        assert seen[("fast", api)] == seen[("plain", api)], (api, text)
        assert seen[("stock", api)] == seen[("plain", api)], (api, text)
    assert seen[("plain", "/echo")]["result"] == text


# --- other app shapes -----------------------------------------------------------------


@pytest.mark.gradio_app("apps/fidelity_interface.py")
def test_interface_agrees(trio):
    compare(trio, "ada", 3, api_name="/greet")


@pytest.mark.gradio_app("apps/fidelity_chat.py")
def test_chat_interfaces_agree(trio, tmp_path):
    """A streaming ChatInterface, and a multimodal one with a file."""
    compare(trio, "hi\u2028there", api_name="/chat")
    path = tmp_path / "note.txt"
    path.write_text("note")
    compare(trio, {"text": "look", "files": [handle_file(str(path))]}, api_name="/chat_mm")


@pytest.mark.gradio_app("apps/fidelity_auth.py")
def test_auth_agrees(gradio_app):
    trio = make_trio(gradio_app.url, auth=("user", "pass"))
    try:
        compare(trio, "olleh", api_name="/reverse")
    finally:
        close_trio(trio)


# --- the fixes, one by one ------------------------------------------------------------


def test_signature_parity():
    """Item 5: GradioClient.__init__, submit and predict accept what the installed
    stock Client's accept, in the same positional order (keyword-only additions)."""
    for method in ("__init__", "submit", "predict"):
        stock = list(inspect.signature(getattr(Client, method)).parameters.values())
        ours = list(inspect.signature(getattr(GradioClient, method)).parameters.values())
        assert [(p.name, p.kind) for p in ours[: len(stock)]] == [
            (p.name, p.kind) for p in stock
        ], method
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in ours[len(stock) :]), method


def test_positional_constructor_arguments(gradio_app):
    """Item 5: `GradioClient(url, None, 4, False)` as stock takes it."""
    client = GradioClient(gradio_app.url, None, 4, False)
    try:
        assert client.executor._max_workers == 4
        assert client.verbose is False
        assert client.predict("a", api_name="/echo") == "a"
    finally:
        client.close()


@pytest.mark.parametrize("name", NAMES)
def test_result_callbacks_tuple(trio, name):
    """Item 5: a tuple of callbacks runs each, as stock does."""
    seen: list[str] = []
    done = threading.Event()

    def first(value: str) -> None:
        seen.append("first " + value)

    def second(value: str) -> None:
        seen.append("second " + value)
        done.set()

    trio[name].submit("v", api_name="/echo", result_callbacks=(first, second)).result(timeout=10)
    assert done.wait(10)
    assert seen == ["first v", "second v"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reset_session_then_job(gradio_app, transport):
    """Item 2: predict, reset_session, submit: the job is answered (the fast
    transport's stream follows the new session)."""
    client = GradioClient(gradio_app.url, transport=transport)
    try:
        assert client.predict("a", api_name="/echo") == "a"
        client.reset_session()
        assert client.submit("b", api_name="/echo").result(timeout=10) == "b"
    finally:
        client.close()


def session_app() -> tuple[gr.Blocks, list[str]]:
    """An app that says, server-side, which sessions ended (unload) and which states
    were deleted."""
    ended: list[str] = []

    def unload(request: gr.Request) -> None:
        ended.append(f"unload {request.session_hash}")

    def remember(value: str, request: gr.Request) -> tuple[str, str]:
        return f"{value}@{request.session_hash}", value

    with gr.Blocks() as demo:
        state = gr.State(delete_callback=lambda v: ended.append(f"deleted {v}"))
        box = gr.Textbox()
        gr.Button().click(remember, box, [box, state], api_name="remember")
        demo.unload(unload)
    return demo, ended


def wait_for(predicate: Callable[[], bool], timeout: float = 15) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reset_session_moves_the_heartbeat(gradio_launch, monkeypatch, transport):
    """Item 3: reset_session ends the old session on the server (its unload runs, its
    state is deleted) and heartbeats the new one; close() then ends the new one."""
    monkeypatch.setenv("GRADIO_IS_E2E_TEST", "1")  # closed sessions' state: kept 1 s
    demo, ended = session_app()
    app = gradio_launch(demo)
    client = GradioClient(app.url, transport=transport)
    try:
        old = client.session_hash
        client.predict("first", api_name="/remember")
        client.reset_session()
        new = client.session_hash
        client.predict("second", api_name="/remember")
        assert wait_for(lambda: f"unload {old}" in ended), ended
        assert wait_for(lambda: "deleted first" in ended), ended
        assert f"unload {new}" not in ended
    finally:
        client.close()
    assert wait_for(lambda: f"unload {new}" in ended), ended


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_httpx_timeout_is_honoured(gradio_app, transport):
    """Item 4: `httpx_kwargs={"timeout": 1}` bounds queue/join as stock: a join that
    answers after 3 s raises ReadTimeout, on both transports, as on the plain one."""
    with FaultProxy(gradio_app.url) as proxy:
        client = GradioClient(proxy.url, transport=transport, httpx_kwargs={"timeout": 1})
        plain = Client(
            proxy.url, verbose=False, analytics_enabled=False, httpx_kwargs={"timeout": 1}
        )
        try:
            proxy.fault = "slow_join"
            for each in (plain, client):
                with pytest.raises(httpx.ReadTimeout):
                    each.submit("x", api_name="/echo").result(timeout=10)
        finally:
            client.close()
            plain.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_httpx_auth_is_honoured(gradio_app, transport):
    """Item 4: `httpx_kwargs={"auth": ...}` reaches every request of a job, as stock."""
    with FaultProxy(gradio_app.url) as proxy:
        client = GradioClient(proxy.url, transport=transport, httpx_kwargs={"auth": ("who", "pw")})
        try:
            assert client.predict("ok", api_name="/echo") == "ok"
        finally:
            client.close()
    joins = [headers for method, path, headers in proxy.seen if path.endswith("/queue/join")]
    assert joins, proxy.seen
    assert all(h.get("Authorization", "").startswith("Basic ") for h in joins)


def test_patched_extension_points_are_honoured(trio, monkeypatch):
    """Item 6: code that patches Endpoint.make_end_to_end_fn or module-level httpx
    (gradio_client's own tests do) sees its patch run on the fast transport too: the
    job goes the stock way."""
    calls: list[str] = []
    original = Endpoint.make_end_to_end_fn

    def traced(self: Endpoint, helper: Any) -> Any:
        calls.append("make_end_to_end_fn")
        return original(self, helper)

    monkeypatch.setattr(Endpoint, "make_end_to_end_fn", traced)
    assert trio["fast"].predict("p", api_name="/echo") == "p"
    assert calls == ["make_end_to_end_fn"]
    monkeypatch.undo()

    real_post = httpx.post

    def traced_post(*args: Any, **kwargs: Any) -> Any:
        calls.append("httpx.post")
        return real_post(*args, **kwargs)

    monkeypatch.setattr(httpx, "post", traced_post)
    assert trio["fast"].predict("q", api_name="/echo") == "q"
    assert "httpx.post" in calls


def test_many_clients_with_heartbeats(gradio_launch):
    """Item 10: ~100 clients of an app with heartbeats alive at once: jobs still run
    (each heartbeat holds a connection; the pool must not run dry)."""
    demo, _ended = session_app()
    app = gradio_launch(demo)
    clients = [app.client() for _ in range(100)]
    try:
        assert clients[0]._heartbeat is not None
        futures = [c.submit(str(i), api_name="/remember") for i, c in enumerate(clients[-3:])]
        done, _ = concurrent.futures.wait(futures, timeout=20)
        assert len(done) == 3
        assert [f.result()[:2] for f in futures] == ["0@", "1@", "2@"]
    finally:
        for client in clients:
            client.close()


@pytest.mark.gradio_app("apps/fidelity_streaming.py")
def test_streaming_event_recorded_alike(trio, tmp_path):
    """Item 7: a `.stream()` event (webcam input) called through the API. Both
    transports record its output as a generator's: ITERATING, in job.outputs(), the
    timeline saying the same; the job ends at the event's time_limit. The plain
    client cannot call it (KeyError 'process_streaming'): a documented difference."""
    import numpy as np
    from PIL import Image

    path = tmp_path / "frame.png"
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(4, 4, 3)).save(path)
    # One after the other, as compare() does: equal jobs at once rewrite the server's
    # one cached output file while another client downloads it (gradio's race: the
    # fast client once got "peer closed connection ... received 0 bytes, expected 52").
    jobs, seen = {}, {}
    for name in NAMES:
        jobs[name] = trio[name].submit(handle_file(str(path)), api_name="/flip")
        seen[name] = observe(jobs[name])
    assert seen["plain"]["error"] == ("KeyError", "'process_streaming'")
    assert seen["fast"] == seen["stock"], seen
    assert seen["fast"]["status"] == ("FINISHED", True)
    assert len(seen["fast"]["outputs"]) == 1
    for name in TRANSPORTS:
        timeline = jobs[name].timeline
        assert "ITERATING" in timeline.statuses()
        assert normalize(timeline.outputs()) == seen[name]["outputs"]


# --- TLS: one context for all requests, verified as stock verifies ---------------------


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (as the certificates of
    `launch(ssl_certfile=...)` apps often are), made with the openssl command."""
    key, cert = directory / "key.pem", directory / "cert.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(command, check=True, capture_output=True)
    return key, cert


def _tls_outcome(make: Callable[[], Any]) -> tuple[str, Any]:
    """What a user sees: the answer of /reverse, or the error (its type, and whether
    it says the certificate failed verification)."""
    try:
        client = make()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, "CERTIFICATE_VERIFY_FAILED" in str(exc)
    try:
        return "result", client.predict("abc", api_name="/reverse")
    finally:
        client.close()


def test_tls_is_verified_as_stock_verifies_with_one_shared_context(
    gradio_launch, tmp_path, monkeypatch
):
    """A GradioClient verifies TLS with one context per process (client/tls.py),
    where stock builds one per request (16 ms of CPU each). What it accepts is stock's:
    an untrusted certificate is refused, one that SSL_CERT_FILE trusts (httpx reads
    it) is accepted, ssl_verify=False accepts any; the shared context is made again
    when SSL_CERT_FILE changes. The plugin's `gradio_app.client()` names the
    untrusted certificate and the fix, not a timeout."""
    from pytest_gradio.client import tls

    key, cert = _self_signed(tmp_path)
    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(lambda text: text[::-1], box, box, api_name="reverse")
    launch = {"ssl_certfile": str(cert), "ssl_keyfile": str(key), "ssl_verify": False}
    app = gradio_launch(demo, launch_kwargs=launch)
    url = app.url
    assert url.startswith("https://127.0.0.1:")
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    def all_three(**kwargs: Any) -> dict[str, tuple[str, Any]]:
        seen = {"plain": _tls_outcome(lambda: Client(url, verbose=False, **kwargs))}
        for name in TRANSPORTS:
            seen[name] = _tls_outcome(lambda n=name: GradioClient(url, transport=n, **kwargs))
        return seen

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    refused = ("ConnectError", True)
    assert all_three() == dict.fromkeys(NAMES, refused)
    assert all_three(ssl_verify=False) == dict.fromkeys(NAMES, ("result", "cba"))
    # The plugin's own clients say why, and the fix; the fix works.
    with pytest.raises(AppStartError) as refusal:
        app.client()
    message = str(refusal.value)
    assert "the app's TLS certificate is not trusted (ConnectError: [SSL: CERT" in message
    assert "pass client_kwargs={'ssl_verify': False}, or point SSL_CERT_FILE at" in message
    client = app.client(ssl_verify=False)
    try:
        assert client.predict("abc", api_name="/reverse") == "cba"
    finally:
        client.close()
    default = tls.verify()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert all_three() == dict.fromkeys(NAMES, ("result", "cba"))
    trusting = tls.verify()
    assert trusting is not default
    assert tls.verify() is trusting  # made once for this environment
    client = GradioClient(url)
    try:
        assert client.ssl_verify is trusting
        assert client.clone().ssl_verify is trusting
        assert client._http._transport._pool._ssl_context is trusting
    finally:
        client.close()
