"""Hugging Face Spaces, offline: a local fake of the Hub's API (tests/fake_hub.py) whose
Space hosts are real Gradio apps on loopback.

Every stage the Hub reports is scripted per test; what is checked is what a user of
`--gradio-app=space:org/app` sees: the wait, the wake-up, the errors and the token.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from pytest_gradio import AppSpecError, AppStartError
from pytest_gradio.apps import GradioApp, start_app
from pytest_gradio.apps.base import free_port
from pytest_gradio.apps.space import DEFAULT_SPACE_STARTUP_TIMEOUT, FAILED_STAGES
from pytest_gradio.options import AppOptions
from pytest_gradio.specs import parse_spec
from pytest_gradio.tokens import HiddenToken, hide, redact

from .fake_hub import FakeHub

pytestmark = [
    pytest.mark.timeout(60),
    # The fake Spaces' apps run in this process; gradio's queue uses pandas options
    # that pandas deprecates. Not this project's warnings.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing"),
]


def make_blocks(name: str = "space") -> Any:
    """A Space's app: /which says which app answered, /saw_token whether the request
    carried a Hugging Face token (never the token itself)."""

    def saw_token(request: gr.Request) -> str:
        return str(request.headers.get("x-hf-authorization") is not None)

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(lambda: name, None, box, api_name="which")
        gr.Button().click(saw_token, None, box, api_name="saw_token")
    return demo


class Started:
    """What start_app gave back, its progress lines and how long it took."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.seconds = 0.0


@pytest.fixture
def started() -> Started:
    return Started()


_OPENED: list[GradioApp] = []


@pytest.fixture(autouse=True)
def _close_started_apps() -> Iterator[None]:
    """Apps from start() are closed after each test (their clients' shared pool)."""
    yield
    while _OPENED:
        _OPENED.pop().close()


def start(
    spec: str, started: Started | None = None, *, token: str | None = None, **options: Any
) -> GradioApp:
    record = started if started is not None else Started()
    parsed = parse_spec(spec, source="--gradio-app", base_dir=Path.cwd())
    t0 = time.monotonic()
    try:
        app = start_app(
            parsed, AppOptions(token=hide(token), **options), progress=record.lines.append
        )
    finally:
        record.seconds = time.monotonic() - t0
    _OPENED.append(app)
    return app


# --- reaching a Space -------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["space:org/app", "org/app"])
def test_running_space_is_reached_through_its_host(
    fake_hub: FakeHub, started: Started, spec: str
) -> None:
    """Both spec forms find the Space through the Hub and talk to its host."""
    space = fake_hub.add_space("org/app", make_blocks("from the space"))
    app = start(spec, started)
    assert app.mode == "space"
    assert app.url == space.host + "/"
    client = app.client()
    try:
        assert client.predict(api_name="/which") == "from the space"
    finally:
        client.close()
    assert started.lines == []  # nothing to wait for, nothing printed
    assert [r.path for r in fake_hub.requests] == [
        "/api/spaces/org/app",
        "/api/spaces/org/app/runtime",
    ]


def test_building_and_starting_are_waited_out_with_progress(
    fake_hub: FakeHub, started: Started
) -> None:
    """BUILDING, APP_STARTING and RUNNING_BUILDING are waited for; each shows a line."""
    stages = ["BUILDING", "BUILDING", "APP_STARTING", "RUNNING_BUILDING", "RUNNING"]
    space = fake_hub.add_space("org/app", make_blocks(), stages=stages)
    app = start("space:org/app", started)
    assert app.url == space.host + "/"
    assert space.runtime_requests == 5
    waiting = [line for line in started.lines if "waiting for Space org/app" in line]
    assert [line.split(": ")[2].split(" ")[0] for line in waiting] == [
        "BUILDING",
        "APP_STARTING",
        "RUNNING_BUILDING",
    ]
    assert started.lines[-1].startswith("pytest-gradio: Space org/app is up")


def test_sleeping_space_is_woken_and_waited_for(fake_hub: FakeHub, started: Started) -> None:
    """A SLEEPING Space gets a request to its host, then is waited for until it answers."""
    space = fake_hub.add_space(
        "org/app", make_blocks(), stages=["SLEEPING", "APP_STARTING", "RUNNING"]
    )
    app = start("space:org/app", started)
    assert space.woken
    assert space.host_requests[0].path == "/"  # the wake-up call
    client = app.client()
    try:
        assert client.predict(api_name="/which") == "space"
    finally:
        client.close()
    assert any("SLEEPING; waking it up" in line for line in started.lines)


def test_a_sleeping_space_that_never_wakes_times_out(fake_hub: FakeHub, started: Started) -> None:
    """Waking is bounded by startup_timeout like every other wait."""
    fake_hub.add_space("org/app", make_blocks(), stages=["SLEEPING"])  # for good
    with pytest.raises(AppStartError, match=r"not ready within 1 s .*stage SLEEPING"):
        start("space:org/app", started, startup_timeout=1)
    assert 0.9 < started.seconds < 3


@pytest.mark.parametrize("stage", sorted(FAILED_STAGES))
def test_stages_that_cannot_end_fail_at_once(
    fake_hub: FakeHub, started: Started, stage: str
) -> None:
    """PAUSED, STOPPED, *_ERROR... fail on the first look, with the Space's own error
    message and what to do; they are never retried."""
    space = fake_hub.add_space(
        "org/app", make_blocks(), stages=[stage], error_message="Exit code: 1. Reason: boom"
    )
    with pytest.raises(AppStartError) as info:
        start("space:org/app", started)
    message = str(info.value)
    assert f"'org/app' (from --gradio-app) is {stage}: Exit code: 1. Reason: boom." in message
    assert FAILED_STAGES[stage].format(page=f"{fake_hub.url}/spaces/org/app") in message
    assert space.runtime_requests == 1
    assert space.host_requests == []
    assert started.seconds < 1


def test_failed_stage_without_a_message(fake_hub: FakeHub) -> None:
    fake_hub.add_space("org/app", make_blocks(), stages=["PAUSED"])
    with pytest.raises(
        AppStartError, match=r"is PAUSED: the Hub gives no error message\. .*restart"
    ):
        start("space:org/app")


# --- errors from the Hub ----------------------------------------------------------------


def test_unknown_space(fake_hub: FakeHub) -> None:
    """404: says the Space does not exist, where it looked, and how to spell the id."""
    with pytest.raises(AppSpecError) as info:
        start("space:org/nope")
    message = str(info.value)
    assert "Hugging Face Space 'org/nope' (from --gradio-app) does not exist" in message
    assert fake_hub.url in message
    assert "the part after /spaces/" in message


def test_private_space_without_a_token(fake_hub: FakeHub) -> None:
    """401 and no token: says it is private and how to give a token."""
    fake_hub.add_space("org/secret", make_blocks(), private=True)
    with pytest.raises(AppStartError) as info:
        start("space:org/secret")
    message = str(info.value)
    assert "'org/secret' (from --gradio-app) is private or gated, and no token was given" in message
    assert "HF_TOKEN" in message
    assert "--gradio-token" in message


def test_wrong_token_is_refused_without_showing_it(fake_hub: FakeHub) -> None:
    """401 with a token: the token is refused; the message does not quote it."""
    fake_hub.add_space("org/secret", make_blocks(), private=True)
    with pytest.raises(AppStartError) as info:
        start("space:org/secret", token="hf_wrong_value_123")
    assert "the Hub refused the token for Hugging Face Space 'org/secret'" in str(info.value)
    assert "hf_wrong_value_123" not in str(info.value)


@pytest.mark.parametrize("transport", ["fast", "stock"])
def test_token_reaches_the_hub_and_the_space(fake_hub: FakeHub, transport: str) -> None:
    """A private Space: the token goes to every Hub call, and the client (either
    transport) sends it to the Space with every request (the app sees it)."""
    space = fake_hub.add_space("org/secret", make_blocks(), private=True)
    app = start("space:org/secret", token=fake_hub.token, transport=transport)
    client = app.client()
    try:
        assert client.predict(api_name="/saw_token") == "True"
    finally:
        client.close()
    assert fake_hub.requests
    assert all(r.authorized for r in fake_hub.requests)
    assert space.host_requests
    assert all(r.authorized for r in space.host_requests)


# --- transient failures -----------------------------------------------------------------


def test_transient_hub_errors_are_retried(fake_hub: FakeHub, started: Started) -> None:
    """HTTP 502/503/429 from the Hub API are retried with backoff inside the budget."""
    fake_hub.add_space("org/app", make_blocks())
    fake_hub.fail_next(502, 503, 429)
    app = start("space:org/app", started)
    assert app.url
    assert [r.status for r in fake_hub.requests] == [502, 503, 429, 200, 200]
    assert any("the Hub API answered HTTP 502" in line for line in started.lines)


def test_transient_errors_from_a_waking_space_are_retried(
    fake_hub: FakeHub, started: Started
) -> None:
    """The Space's proxy answering 503/502/429 while the app comes up is waited out."""
    space = fake_hub.add_space("org/app", make_blocks(), host_errors=[503, 502, 429])
    app = start("space:org/app", started)
    assert app.url == space.host + "/"
    assert [r.status for r in space.host_requests] == [503, 502, 429, 200]
    assert any("RUNNING, its app does not answer yet (HTTP 503)" in line for line in started.lines)


def test_unreachable_hub_is_bounded(monkeypatch: pytest.MonkeyPatch, started: Started) -> None:
    """Connection errors are retried, but only until startup_timeout."""
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(AppStartError) as info:
        start("space:org/app", started, startup_timeout=1)
    assert "does not answer (ConnectError" in str(info.value)
    assert "not ready within 1 s" in str(info.value)
    assert started.seconds < 3


def test_endless_build_times_out_with_its_stage(fake_hub: FakeHub, started: Started) -> None:
    fake_hub.add_space("org/app", make_blocks(), stages=["BUILDING"])
    with pytest.raises(AppStartError) as info:
        start("space:org/app", started, startup_timeout=1.5)
    message = str(info.value)
    assert "'org/app' (from --gradio-app) was not ready within 1.5 s (startup_timeout)" in message
    assert "stage BUILDING" in message
    assert "--gradio-startup-timeout" in message
    assert 1.4 < started.seconds < 3.5


def test_spaces_default_to_ten_minutes(fake_hub: FakeHub) -> None:
    """Without startup_timeout a Space gets 600 s: building one takes minutes."""
    fake_hub.add_space("org/app", make_blocks(), stages=["BUILDING"])
    from pytest_gradio.apps.space import _SpaceWaiter

    waiter = _SpaceWaiter(
        parse_spec("space:org/app", source="test", base_dir=Path.cwd()),
        AppOptions(),
        progress=lambda line: None,
    )
    waiter.close()
    assert waiter.budget == DEFAULT_SPACE_STARTUP_TIMEOUT == 600


# --- tokens -----------------------------------------------------------------------------


def test_hidden_token_is_a_string_with_a_placeholder_repr() -> None:
    token = HiddenToken("hf_abc")
    assert token == "hf_abc"
    assert f"Bearer {token}" == "Bearer hf_abc"
    assert "hf_abc" not in repr(token)
    assert "hf_abc" not in repr(AppOptions(token=token))
    assert "hf_abc" not in repr(AppOptions(token=token).key())
    assert hide("") is None
    assert redact("the token hf_abc was refused", token) == "the token <hidden token> was refused"


def test_hf_token_is_not_sent_to_local_apps(
    monkeypatch: pytest.MonkeyPatch, gradio_launch: Any
) -> None:
    """gradio_client would send HF_TOKEN to any app; the plugin sends it to Spaces only."""
    monkeypatch.setenv("HF_TOKEN", "hf_local_canary")
    app = gradio_launch(make_blocks())
    client = app.client()
    try:
        assert client.predict(api_name="/saw_token") == "False"
    finally:
        client.close()


# --- through pytest ---------------------------------------------------------------------

SPACE_TEST = """
def test_space(gradio_app, gradio_client):
    assert gradio_app.mode == "space"
    assert gradio_client.predict(api_name="/which") == "staging"
"""


def test_progress_is_shown_live_on_the_terminal(
    pytester: pytest.Pytester, fake_hub: FakeHub
) -> None:
    """While a Space builds, pytest's terminal shows which stage it is in (past output
    capturing), and the test then runs against it."""
    fake_hub.add_space("org/app-staging", make_blocks("staging"), stages=["BUILDING", "RUNNING"])
    pytester.makepyfile(SPACE_TEST)
    result = pytester.runpytest("--gradio-app=org/app-staging")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*pytest-gradio: waiting for Space org/app-staging: BUILDING (0 s of 600 s)",
            "*pytest-gradio: Space org/app-staging is up*",
        ]
    )


CANARY = "hf_CANARY_e3b0c44298fc1c149afbf4c8996fb924"

CANARY_TESTS = """
import pytest

def test_passes(gradio_client):
    assert gradio_client.predict(api_name="/saw_token") == "True"

def test_fails(gradio_app, gradio_client):
    options = gradio_app.options
    assert gradio_client.predict(api_name="/which") == "something else", options

@pytest.mark.gradio_app("space:org/broken")
def test_broken_space(gradio_app):
    pass
"""


@pytest.mark.parametrize("source", ["--gradio-token", "HF_TOKEN"])
def test_token_never_appears_in_any_output(
    pytester: pytest.Pytester,
    fake_hub: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    """A canary token, given on the command line or in HF_TOKEN, is used (the private
    Space answers) and never shows: not in stdout or stderr, not with -rA, -l, -vv,
    --log-level=DEBUG, not in the JUnit XML -- also when a test fails and when the
    Hub's error message quotes the token."""
    hub = fake_hub
    hub.token = CANARY
    hub.add_space(
        "org/app-staging", make_blocks("staging"), private=True, stages=["BUILDING", "RUNNING"]
    )
    hub.add_space(
        "org/broken",
        make_blocks(),
        private=True,
        stages=["RUNTIME_ERROR"],
        error_message=f"could not log in with token {CANARY}",
    )
    pytester.makepyfile(test_canary=CANARY_TESTS)
    args = ["--gradio-app=space:org/app-staging", "-rA", "-l", "-vv", "--tb=long"]
    args += ["--log-level=DEBUG", "--junitxml=report.xml", "-p", "no:cacheprovider"]
    if source == "--gradio-token":
        args.append(f"--gradio-token={CANARY}")
    else:
        monkeypatch.setenv("HF_TOKEN", CANARY)
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*is RUNTIME_ERROR: could not log in with token <hidden token>*"])
    output = "\n".join(result.outlines + result.errlines)
    assert CANARY not in output
    assert CANARY not in (pytester.path / "report.xml").read_text()
    assert all(r.authorized for r in hub.requests)
