"""The Hugging Face token is never printed (issue 14, item 1).

A canary token is given on the command line or in HF_TOKEN and used against private
Spaces of the fake Hub (tests/fake_hub.py), over both transports. Tests fail in every
way that makes pytest print frames: a job whose endpoint raises, a queue/join the Space
refuses, a Space that fails to start (its error quoting the token). pytest runs with
-l --showlocals --tb=long -vv -rA and JUnit XML, so every local of every frame it
shows is printed; the canary must appear nowhere.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import pytest

from .fake_hub import FakeHub

pytestmark = pytest.mark.timeout(300)

CANARY = "hf_CANARY_5d41402abc4b2a76b9719d911017c592"


def make_blocks() -> Any:
    def saw_token(request: gr.Request) -> str:
        return str(request.headers.get("x-hf-authorization") is not None)

    def crash() -> str:
        raise ValueError("the model is missing")

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(saw_token, None, box, api_name="saw_token")
        gr.Button().click(crash, None, box, api_name="crash")
    return demo


SUITE = """
import pytest

def test_token_is_used(gradio_client):
    assert gradio_client.predict(api_name="/saw_token") == "True"

def test_failing_job(gradio_client):
    gradio_client.predict(api_name="/crash")

@pytest.mark.gradio_app("space:org/nojoin")
def test_failing_join(gradio_client):
    gradio_client.predict(api_name="/saw_token")

@pytest.mark.gradio_app("space:org/broken")
def test_failing_start_up(gradio_client):
    pass
"""


@pytest.fixture
def spaces(fake_hub: FakeHub) -> FakeHub:
    fake_hub.token = CANARY
    fake_hub.add_space("org/app", make_blocks(), private=True)
    fake_hub.add_space("org/nojoin", make_blocks(), private=True, path_errors={"/join": 500})
    fake_hub.add_space(
        "org/broken",
        make_blocks(),
        private=True,
        stages=["RUNTIME_ERROR"],
        error_message=f"startup failed: bad token {CANARY}",
    )
    return fake_hub


@pytest.mark.parametrize(
    ("transport", "source", "extra"),
    [
        ("fast", "--gradio-token", []),
        ("fast", "HF_TOKEN", []),
        ("stock", "--gradio-token", []),
        ("stock", "HF_TOKEN", []),
        # Every frame, the plugin's included, with its locals.
        ("fast", "HF_TOKEN", ["--full-trace"]),
        ("stock", "--gradio-token", ["--full-trace"]),
    ],
)
def test_token_never_printed(
    pytester: pytest.Pytester,
    spaces: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
    transport: str,
    source: str,
    extra: list[str],
) -> None:
    pytester.makepyfile(test_canary=SUITE)
    args = [
        "--gradio-app=space:org/app",
        f"--gradio-transport={transport}",
        "-l",
        "--showlocals",
        "--tb=long",
        "-vv",
        "-rA",
        "--junitxml=report.xml",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore",
        *extra,
    ]
    if source == "--gradio-token":
        args.append(f"--gradio-token={CANARY}")
    else:
        monkeypatch.setenv("HF_TOKEN", CANARY)
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1, failed=2, errors=1)
    output = "\n".join(result.outlines + result.errlines)
    # The failures did print frames and their locals (so the check below means something).
    assert "the model is missing" in output
    assert "startup failed: bad token <hidden token>" in output
    assert CANARY not in output
    junit = (pytester.path / "report.xml").read_text()
    assert "the model is missing" in junit
    assert CANARY not in junit
    # The token was really used: every request to the private Spaces carried it.
    for space in spaces.spaces.values():
        assert all(r.authorized for r in space.host_requests)
