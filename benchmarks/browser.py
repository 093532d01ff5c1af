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


def main(n: int = 10) -> None:
    import json

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_text(textwrap.dedent(APP))
        (root / "test_bench.py").write_text(textwrap.dedent(TESTS.format(n=n)))
        started = time.perf_counter()
        # -p no:playwright: measure the plugin's own launcher even if pytest-playwright
        # is installed (its browser would be used otherwise).
        args = ["-q", "-p", "no:cacheprovider", "-p", "no:playwright", "--rootdir", str(root)]
        code = pytest.main([*args, str(root)])
        total = time.perf_counter() - started
        import os

        times = json.loads((Path(os.getcwd()) / "times.json").read_text())
        (Path(os.getcwd()) / "times.json").unlink()
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
