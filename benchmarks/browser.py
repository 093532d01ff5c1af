"""What `gradio_page` costs a test, beside what a browser alone needs for the same page.

In one pytest run against one app:
- page tests that each do the same few actions on `gradio_page.page` (type a name,
  click, wait for the greeting) with plain Playwright calls, so that the actions cost
  the same as in the floor below. Each test's cost is its whole time as pytest reports
  it (setup + call + teardown); the first one also starts the browser;
- plain Playwright, on the same launcher and app, in the same run: for each page, the
  least any page test must do before its actions (new context, new page, `goto`, the
  first component visible: "the floor"), then the same actions, timed apart ("the
  actions"), then the context closed. Nothing of pytest-gradio in between.

The added cost of `gradio_page` per later test is its whole time minus the actions'
time (the median of each). Before issue 22 it was the floor's steps in sequence; now
the next test's page is prepared while the current test runs, so it can be less.

Run: python benchmarks/browser.py [N] [REPEATS]   (prints figures and ratios; asserts nothing)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

APP = """
import gradio as gr
with gr.Blocks() as demo:
    name = gr.Textbox(label="Name")
    out = gr.Textbox(label="Greeting")
    gr.Button("Greet").click(lambda n: f"Hello {n}", name, out)
"""

# Each page test's phases, as pytest reports them.
CONFTEST = """
import json, pathlib
TIMES = {}

def pytest_runtest_logreport(report):
    if "test_page" in report.nodeid:
        TIMES.setdefault(report.nodeid, {})[report.when] = report.duration

def pytest_sessionfinish(session):
    path = pathlib.Path(__file__).parent / "pages.json"
    path.write_text(json.dumps(list(TIMES.values())))
"""

# The actions, the same in the page tests and in the floor: plain Playwright calls.
TESTS = """
import json, pathlib, time
import pytest
from playwright.sync_api import expect
pytestmark = pytest.mark.gradio_app("app.py")


def act(page, i):
    page.get_by_label("Name").fill(f"Ada {{i}}")
    page.get_by_role("button", name="Greet").click()
    expect(page.get_by_label("Greeting")).to_have_value(f"Hello Ada {{i}}")


def test_app_started(gradio_app):
    pass


@pytest.mark.parametrize("i", range({n}))
def test_page(i, gradio_page):
    act(gradio_page.page, i)


def test_zz_floor(gradio_app):
    # After the page tests: the plugin has closed its browser; this starts its own
    # with the same launcher and flags, and measures Playwright alone.
    from pytest_gradio.browser.launch import BrowserSession

    session = BrowserSession.start(None, "")
    floor, actions = [], []
    try:
        for i in range({n}):
            started = time.perf_counter()
            context = session.browser.new_context()
            page = context.new_page()
            page.goto(gradio_app.url)
            page.get_by_label("Name").wait_for()
            ready = time.perf_counter()
            act(page, i)
            actions.append(time.perf_counter() - ready)
            floor.append(ready - started)
            context.close()
    finally:
        session.close()
    path = pathlib.Path(__file__).parent / "floor.json"
    path.write_text(json.dumps({{"floor": floor, "actions": actions}}))
"""


class Run:
    """One pytest run's figures, in seconds."""

    def __init__(self, code: int, pages: list[dict[str, float]], plain: dict[str, Any]) -> None:
        self.code = code
        self.tests = [sum(p.values()) for p in pages]  # setup + call + teardown
        self.phases = {
            when: [p.get(when, 0.0) for p in pages] for when in ("setup", "call", "teardown")
        }
        self.floor: list[float] = plain.get("floor", [])
        self.actions: list[float] = plain.get("actions", [])
        self.load = os.getloadavg()[0]

    @property
    def ok(self) -> bool:
        return self.code == 0 and len(self.tests) > 1 and bool(self.floor)

    @property
    def later(self) -> float:
        return statistics.median(self.tests[1:])

    @property
    def added(self) -> float:
        """The median later test minus the median of the same actions alone."""
        return self.later - statistics.median(self.actions)


def measure(n: int = 10) -> Run:
    """Run the suite with `n` page tests."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_text(textwrap.dedent(APP))
        (root / "conftest.py").write_text(textwrap.dedent(CONFTEST))
        (root / "test_bench.py").write_text(textwrap.dedent(TESTS.format(n=n)))
        # -p no:playwright: measure the plugin's own launcher even if pytest-playwright
        # is installed (its browser would be used otherwise).
        # A process per run: repeated runs would meet their own modules in sys.modules.
        args = ["-q", "-p", "no:cacheprovider", "-p", "no:playwright", "--rootdir", str(root)]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", *args, str(root)], cwd=root, capture_output=True
        )
        code = done.returncode
        pages = _read(root / "pages.json") or []
        plain = _read(root / "floor.json") or {}
    return Run(code, pages, plain)


def _read(path: Path) -> Any:
    return json.loads(path.read_text()) if path.exists() else None


def row(n: int) -> Any:
    """Row 8 of benchmarks/run.py: the per-test cost of gradio_page (issues 12, 22)."""
    from report import Row

    run = measure(n)
    result = Row("8", "gradio_page cost per test (ms)", ["median", "max"])
    if not run.ok:
        result.notes.append(f"the page suite failed (pytest exit {run.code}): not measured")
        return result
    ms = [t * 1000 for t in run.tests]
    first = result.add("first test: browser start, page ready, actions", ms[0], None, samples=1)
    result.check(first, "<= 2000 ms beyond the app's start", ms[0] <= 2000)
    result.add(
        "each later test: whole test (setup, actions, teardown)",
        statistics.median(ms[1:]),
        max(ms[1:]),
        samples=len(ms) - 1,
    )
    actions = [t * 1000 for t in run.actions]
    result.add(
        "the same actions, plain Playwright",
        statistics.median(actions),
        max(actions),
        samples=len(actions),
    )
    added = result.add(
        "gradio_page's added cost per later test", run.added * 1000, None, samples=len(ms) - 1
    )
    result.check(added, "<= 300 ms", run.added <= 0.3)
    floor = [t * 1000 for t in run.floor]
    result.add(
        "floor: Playwright alone (context, page, goto, first component)",
        statistics.median(floor),
        max(floor),
        samples=len(floor),
    )
    result.notes.append(f"added cost / floor: {run.added / statistics.median(run.floor):.2f}")
    return result


def main(n: int = 10, repeats: int = 1) -> None:
    for repeat in range(repeats):
        before = os.getloadavg()[0]
        run = measure(n)
        if not run.ok:
            print(f"gradio_page suite failed (pytest exit {run.code})")
            return
        ms = [t * 1000 for t in run.tests]
        floor = statistics.median(run.floor) * 1000
        print(
            f"gradio_page, {n} tests, run {repeat + 1} of {repeats} "
            f"(1-min load {before:.1f} at start, {run.load:.1f} at end):"
        )
        print(f"  first test (browser start, page ready, actions): {ms[0]:.0f} ms")
        print(
            f"  each later test (setup, actions, teardown): median {statistics.median(ms[1:]):.0f}"
            f" ms, max {max(ms[1:]):.0f} ms; medians of its "
            + ", ".join(
                f"{when} {statistics.median(v[1:]) * 1000:.0f}" for when, v in run.phases.items()
            )
        )
        print(
            f"  the same actions, plain Playwright: median "
            f"{statistics.median(run.actions) * 1000:.0f} ms"
        )
        print(f"  added cost of gradio_page per later test: {run.added * 1000:.0f} ms")
        print(
            f"  floor, Playwright alone (new context + page, goto, first component visible): "
            f"median {floor:.0f} ms, max {max(run.floor) * 1000:.0f} ms"
        )
        print(f"  ratio, added cost / floor: {run.added * 1000 / floor:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
