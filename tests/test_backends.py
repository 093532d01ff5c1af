"""One test body, any backend: the example suite in examples/staging_space passes,
unchanged, against its app in-process, as its own process, at a URL and as a
(fake-Hub) staging Space. What CI runs against the real staging Space is this file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_gradio.apps.loading import load_blocks
from pytest_gradio.specs import parse_spec

from .fake_hub import FakeHub

pytestmark = [
    pytest.mark.timeout(120),
    # The fake Spaces' apps run in this process; gradio's queue uses pandas options
    # that pandas deprecates. Not this project's warnings.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing"),
]

EXAMPLE = Path(__file__).parent.parent / "examples" / "staging_space"

# Records which backend each test really talked to, without touching the suite.
PROBE = """
import json, os

def pytest_runtest_teardown(item):
    app = item.funcargs.get("gradio_app")
    if app is not None:
        with open(os.environ["BACKEND_PROBE"], "a") as f:
            f.write(json.dumps({"mode": app.mode, "url": app.url}) + "\\n")
"""


@pytest.mark.parametrize("backend", ["thread", "subprocess", "url", "space"])
def test_example_suite_passes_unchanged_on_every_backend(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    fake_hub: FakeHub,
    gradio_launch: Any,
    backend: str,
) -> None:
    suite = pytester.path / "suite"
    suite.mkdir()
    for name in ("app.py", "conftest.py", "test_staging.py"):
        shutil.copy(EXAMPLE / name, suite / name)
    pytester.makeconftest(PROBE)
    probe = pytester.path / "probe.jsonl"
    monkeypatch.setenv("BACKEND_PROBE", str(probe))

    if backend == "thread":
        args = ["--gradio-app=suite/app.py:demo"]
        expected_url = "http://127.0.0.1:"
    elif backend == "subprocess":
        args = ["--gradio-mode=subprocess"]  # the app from the suite's conftest
        expected_url = "http://127.0.0.1:"
    elif backend == "url":
        running = gradio_launch(str(EXAMPLE / "app.py"))
        args = [f"--gradio-app={running.url}"]
        expected_url = running.url
    else:
        blocks, _ = load_blocks(
            parse_spec(str(EXAMPLE / "app.py"), source="test", base_dir=EXAMPLE)
        )
        space = fake_hub.add_space(
            "org/app-staging", blocks, private=True, stages=["BUILDING", "RUNNING"]
        )
        monkeypatch.setenv("HF_TOKEN", fake_hub.token)
        args = ["--gradio-app=space:org/app-staging"]
        expected_url = space.host + "/"

    # importlib mode: the outer run may have imported examples/…/test_staging.py under
    # the same module name (`pytest tests examples`), and this copy must not clash.
    result = pytester.runpytest("suite", "--import-mode=importlib", *args)
    result.assert_outcomes(passed=5)
    seen = [json.loads(line) for line in probe.read_text().splitlines()]
    assert {entry["mode"] for entry in seen} == {backend}
    assert all(entry["url"].startswith(expected_url) for entry in seen)
    if backend == "space":
        assert all(request.authorized for request in fake_hub.requests)
