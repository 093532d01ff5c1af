"""The browser's CPU for the same page tests: a headless shell against the full Chromium.

Two parts, each a process of its own per browser and round: one pytest run of `N`
page tests against one small app (fill a name, click, wait for the greeting, read a
multiselect dropdown), with `--gradio-browser=PATH` (one launch, then pages); and
`N // 4` launches of the browser with the plugin's launcher, each opening a blank page
and closing (what each inner pytest run, xdist worker or session pays once). While a
part lasts, every process under it is
read every 50 ms; the CPU (user + system) each one had when last read is summed: the
browser's processes (the executable's, and its renderers, GPU and utility processes)
apart from the rest (pytest, the app's server, Playwright's driver). The rounds
alternate the browsers, so that a machine getting busier or quieter meets both.

Why: launch.py takes a headless shell on PATH before the full browser for a headless
run (the full browser in headless mode still runs its own interface: WebUI renderers,
a zygote). This prints what that saves here.

Run: python benchmarks/browser_cpu.py [N] [ROUNDS]   (prints figures and ratios; asserts
nothing). Needs both `chromium` (or `google-chrome`) and `chromium-headless-shell` (or
`chrome-headless-shell`) on PATH.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import psutil

APP = """
import gradio as gr
with gr.Blocks() as demo:
    name = gr.Textbox(label="Name")
    out = gr.Textbox(label="Greeting")
    gr.Button("Greet").click(lambda n: f"Hello {n}", name, out)
    gr.Dropdown(["cheese", "ham"], value=["cheese"], multiselect=True, label="Toppings")
"""

TESTS = """
import pytest
pytestmark = pytest.mark.gradio_app("app.py")


@pytest.mark.parametrize("i", range({n}))
def test_page(i, gradio_page):
    gradio_page.component("Name").set(f"Ada {{i}}")
    gradio_page.component("Greet").click()
    gradio_page.component("Greeting").expect_value(f"Hello Ada {{i}}")
    assert gradio_page.component("Toppings").value() == ["cheese"]
"""


def _first(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


class Sampler(threading.Thread):
    """Reads the CPU of every process under `root` until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(root)
        self.cpu: dict[int, tuple[bool, float]] = {}  # pid -> (is the browser's, seconds)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                processes = []
            for process in processes:
                try:
                    times = process.cpu_times()
                    known = self.cpu.get(process.pid)
                    # chromium, chrome, and their headless shells
                    is_browser = known[0] if known else "chrom" in (process.cmdline() or [""])[0]
                    self.cpu[process.pid] = (is_browser, times.user + times.system)
                except psutil.Error:
                    pass
            self.done.wait(0.05)

    def totals(self) -> tuple[float, float]:
        browser = sum(s for is_browser, s in self.cpu.values() if is_browser)
        rest = sum(s for is_browser, s in self.cpu.values() if not is_browser)
        return browser, rest


LAUNCHES = """
import sys
from pytest_gradio.browser.launch import BrowserSession
for _ in range(int(sys.argv[2])):
    session = BrowserSession.start(sys.argv[1], "the benchmark")
    session.browser.new_page().goto("about:blank")
    session.close()
"""


def sampled(command: list[str], cwd: Path) -> tuple[int, float, float, float, str]:
    """(exit code, browser CPU, other CPU, wall, output) of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = Sampler(process.pid)
    sampler.start()
    output, _ = process.communicate()
    sampler.done.set()
    sampler.join()
    return (process.returncode, *sampler.totals(), time.perf_counter() - started, output)


def measure(browser: str, n: int) -> tuple[int, float, float, float]:
    """(exit code, browser CPU, other CPU, wall) of one run with `browser`."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_text(textwrap.dedent(APP))
        (root / "test_pages.py").write_text(textwrap.dedent(TESTS.format(n=n)))
        args = ["-q", "-p", "no:cacheprovider", "-p", "no:playwright", "-n", "0"]
        args += ["--rootdir", str(root), f"--gradio-browser={browser}"]
        code, cpu, rest, wall, output = sampled([sys.executable, "-m", "pytest", *args], root)
        if code != 0:
            print(output[-2000:])
        return code, cpu, rest, wall


def launches(browser: str, count: int) -> tuple[int, float, float, float]:
    """The same figures for `count` launches of `browser`, each with a blank page."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-c", LAUNCHES, browser, str(count)]
        code, cpu, rest, wall, output = sampled(command, Path(tmp))
        if code != 0:
            print(output[-2000:])
        return code, cpu, rest, wall


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    full = _first("chromium", "google-chrome", "chromium-browser")
    shell = _first("chromium-headless-shell", "chrome-headless-shell")
    if full is None or shell is None:
        sys.exit(f"needs a full browser and a headless shell on PATH; found {full}, {shell}")
    print(f"{n} page tests per run, {n // 4} launches, {rounds} rounds; cores: {os.cpu_count()}")
    for part, run, count in (("page tests", measure, n), ("launches", launches, n // 4)):
        figures: dict[str, list[tuple[float, float, float]]] = {full: [], shell: []}
        for round_ in range(rounds):
            for browser in (full, shell) if round_ % 2 == 0 else (shell, full):
                code, cpu, rest, wall = run(browser, count)
                if code != 0:
                    sys.exit(f"{part} with {browser} failed (exit {code})")
                figures[browser].append((cpu, rest, wall))
                print(
                    f"  {part:10s} {Path(browser).name:24s} browser CPU {cpu:6.2f} s  "
                    f"other CPU {rest:6.2f} s  wall {wall:6.2f} s  "
                    f"(load {os.getloadavg()[0]:.1f})"
                )
        medians = {b: statistics.median(r[0] for r in rows) for b, rows in figures.items()}
        for browser, cpu in medians.items():
            print(
                f"{part:10s} {Path(browser).name:24s} median browser CPU {cpu:6.2f} s "
                f"({cpu / count:.3f} s each)"
            )
        walls = {b: statistics.median(r[2] for r in rows) for b, rows in figures.items()}
        print(
            f"{part:10s} headless shell / full browser: browser CPU "
            f"{medians[shell] / medians[full]:.2f}x, wall {walls[shell] / walls[full]:.2f}x"
        )


if __name__ == "__main__":
    main()
