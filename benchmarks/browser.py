"""What `gradio_page` costs, beside what a browser alone needs for the same page.

In one pytest run against one app:
- the setup of each test that takes `gradio_page` (read from pytest's own setup
  report): the first one starts the browser; each later one opens a new context and
  page and waits until Gradio has rendered the app;
- the floor: plain Playwright, on the same launcher and app, doing the least any page
  test must do (new context, new page, `goto`, the first component visible), with
  nothing of pytest-gradio in between.

Run: python benchmarks/browser.py [N]   (prints figures and ratios; asserts nothing)
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

APP = """
import gradio as gr
with gr.Blocks() as demo:
    name = gr.Textbox(label="Name")
    out = gr.Textbox(label="Greeting")
    gr.Button("Greet").click(lambda n: f"Hello {n}", name, out)
"""

# Each test's setup time, as pytest reports it: the fixtures of a page test are
# gradio_browser (the first starts the browser) and gradio_page; gradio_app is
# started by the first test, before them.
CONFTEST = """
import json, pathlib
SETUPS = {}

def pytest_runtest_logreport(report):
    if report.when == "setup" and "test_page" in report.nodeid:
        SETUPS[report.nodeid] = report.duration

def pytest_sessionfinish(session):
    (pathlib.Path(__file__).parent / "setups.json").write_text(json.dumps(list(SETUPS.values())))
"""

TESTS = """
import json, pathlib, time
import pytest
pytestmark = pytest.mark.gradio_app("app.py")


def test_app_started(gradio_app):
    pass


@pytest.mark.parametrize("i", range({n}))
def test_page(i, gradio_page):
    pass


def test_zz_floor(gradio_app):
    # After the page tests: the plugin has closed its browser; this starts its own
    # with the same launcher and flags, and measures Playwright alone.
    from pytest_gradio.browser.launch import BrowserSession

    session = BrowserSession.start(None, "")
    times = []
    try:
        for _ in range({n}):
            started = time.perf_counter()
            context = session.browser.new_context()
            page = context.new_page()
            page.goto(gradio_app.url)
            page.get_by_label("Name").wait_for()
            times.append(time.perf_counter() - started)
            context.close()
    finally:
        session.close()
    (pathlib.Path(__file__).parent / "floor.json").write_text(json.dumps(times))
"""


def measure(n: int = 10) -> tuple[int, float, list[float], list[float]]:
    """Run the suite with `n` page tests; return (exit code, run seconds, each page
    test's setup seconds in order, the floor's seconds per page)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_text(textwrap.dedent(APP))
        (root / "conftest.py").write_text(textwrap.dedent(CONFTEST))
        (root / "test_bench.py").write_text(textwrap.dedent(TESTS.format(n=n)))
        started = time.perf_counter()
        # -p no:playwright: measure the plugin's own launcher even if pytest-playwright
        # is installed (its browser would be used otherwise).
        args = ["-q", "-p", "no:cacheprovider", "-p", "no:playwright", "--rootdir", str(root)]
        code = int(pytest.main([*args, str(root)]))
        total = time.perf_counter() - started
        setups = _read(root / "setups.json")
        floor = _read(root / "floor.json")
    return code, total, setups, floor


def _read(path: Path) -> list[float]:
    if not path.exists():
        return []
    return [float(v) for v in json.loads(path.read_text())]


def row(n: int) -> Any:
    """Row 8 of benchmarks/run.py: the per-test cost of gradio_page (issue 12)."""
    from report import Row

    code, _, setups, floor = measure(n)
    result = Row("8", "gradio_page cost (ms)", ["median", "max"])
    if code != 0 or not setups:
        result.notes.append(f"the page suite failed (pytest exit {code}): not measured")
        return result
    first = result.add(
        "first test: browser start + context + page ready", setups[0] * 1000, None, samples=1
    )
    result.check(first, "<= 3000 ms beyond the app's start", setups[0] <= 3.0)
    rest = setups[1:]
    if rest:
        later = result.add(
            "each later test: new context + page ready",
            statistics.median(rest) * 1000,
            max(rest) * 1000,
            samples=len(rest),
        )
        result.check(later, "<= 300 ms", statistics.median(rest) <= 0.3)
    if floor:
        result.add(
            "floor: Playwright alone (context, page, goto, first component)",
            statistics.median(floor) * 1000,
            max(floor) * 1000,
            samples=len(floor),
        )
        if rest:
            result.notes.append(
                f"each later test / floor: {statistics.median(rest) / statistics.median(floor):.2f}"
            )
    return result


def main(n: int = 10) -> None:
    code, total, setups, floor = measure(n)
    if not setups:
        print(f"gradio_page suite failed (pytest exit {code})")
        return
    first, rest = setups[0], setups[1:]
    print(f"gradio_page, {n} tests (pytest exit {code}, run {total:.1f} s):")
    print(f"  first test (browser start + context + page ready): {first * 1000:.0f} ms")
    if rest:
        print(
            f"  each later test (new context + page ready): median "
            f"{statistics.median(rest) * 1000:.0f} ms, max {max(rest) * 1000:.0f} ms"
        )
    if floor:
        print(
            f"  floor, Playwright alone (new context + page, goto, first component visible): "
            f"median {statistics.median(floor) * 1000:.0f} ms, max {max(floor) * 1000:.0f} ms"
        )
    if rest and floor:
        ratio = statistics.median(rest) / statistics.median(floor)
        print(f"  ratio, each later test / floor: {ratio:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
