"""What `gradio_page` costs: the first test (browser start + context + page ready) and
each test after it (a new context and page, ready), beyond the app's own start.

Run: python benchmarks/browser.py [N]   (prints figures; asserts nothing)
"""

from __future__ import annotations

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

TESTS = """
import time, pytest
pytestmark = pytest.mark.gradio_app("app.py")
TIMES = []

def test_app_started(gradio_app):
    pass

@pytest.mark.parametrize("i", range({n}))
def test_page(i, request):
    t = time.perf_counter()
    request.getfixturevalue("gradio_page")
    TIMES.append(time.perf_counter() - t)

def test_zz_report():
    import json, pathlib
    pathlib.Path("times.json").write_text(json.dumps(TIMES))
"""


def measure(n: int = 10) -> tuple[int, float, list[float]]:
    """Run a pytest suite of `n` page tests; return (exit code, run seconds, the
    fixture's setup time per test: the first one starts the browser)."""
    import json
    import os

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_text(textwrap.dedent(APP))
        (root / "test_bench.py").write_text(textwrap.dedent(TESTS.format(n=n)))
        started = time.perf_counter()
        # -p no:playwright: measure the plugin's own launcher even if pytest-playwright
        # is installed (its browser would be used otherwise).
        args = ["-q", "-p", "no:cacheprovider", "-p", "no:playwright", "--rootdir", str(root)]
        code = int(pytest.main([*args, str(root)]))
        total = time.perf_counter() - started
        times_file = Path(os.getcwd()) / "times.json"
        times: list[float] = json.loads(times_file.read_text()) if times_file.exists() else []
        times_file.unlink(missing_ok=True)
    return code, total, times


def row(n: int) -> Any:
    """Row 8 of benchmarks/run.py: the per-test cost of gradio_page (issue 12)."""
    from report import Row

    code, _, times = measure(n)
    result = Row("8", "gradio_page cost (ms)", ["median", "max"])
    if code != 0 or not times:
        result.notes.append(f"the page suite failed (pytest exit {code}): not measured")
        return result
    first = result.add(
        "first test: browser start + context + page ready", times[0] * 1000, None, samples=1
    )
    result.check(first, "<= 3000 ms beyond the app's start", times[0] <= 3.0)
    rest = times[1:]
    if rest:
        later = result.add(
            "each later test: new context + page ready",
            statistics.median(rest) * 1000,
            max(rest) * 1000,
            samples=len(rest),
        )
        result.check(later, "<= 300 ms", statistics.median(rest) <= 0.3)
    return result


def main(n: int = 10) -> None:
    code, total, times = measure(n)
    if not times:
        print(f"gradio_page suite failed (pytest exit {code})")
        return
    first, rest = times[0], times[1:]
    print(f"gradio_page, {n} tests (pytest exit {code}, run {total:.1f} s):")
    print(f"  first test (browser start + context + page ready): {first * 1000:.0f} ms")
    if rest:
        print(
            f"  each later test (new context + page ready): median "
            f"{statistics.median(rest) * 1000:.0f} ms, max {max(rest) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
