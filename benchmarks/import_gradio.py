"""What `import gradio` costs a fresh process: stock, against the plugin's import hook
(pytest_gradio/stubs.py: gradio's own components are not checked against their .pyi
stubs), and what a subprocess app's child pays to import gradio as it starts.

Each round runs `python -c "import gradio"` once each way, in fresh processes, and
reads the CPU time the import took (measured inside the process, around the import).
The two alternate, so a slow spell of the machine hits both. Prints figures and the
ratio; asserts nothing.

Usage: python benchmarks/import_gradio.py [rounds, default 5]
"""

from __future__ import annotations

import statistics
import subprocess
import sys

MEASURE = """
import time
{setup}
started = time.process_time()
import gradio
print(time.process_time() - started)
"""
WAYS = {
    "stock": "",
    "plugin": "import pytest_gradio.stubs as stubs; stubs.install()",
}


def once(setup: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE.format(setup=setup)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.split()[-1])


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    import gradio

    print(f"gradio {gradio.__version__}, {rounds} rounds, CPU seconds of `import gradio`")
    once(WAYS["stock"])  # warm the file cache and .pyc files first
    seen: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(rounds):
        for way, setup in WAYS.items():
            seen[way].append(once(setup))
    for way, figures in seen.items():
        print(
            f"{way:>7}: median {statistics.median(figures):.2f} s "
            f"(min {min(figures):.2f}, max {max(figures):.2f})"
        )
    stock, plugin = (statistics.median(seen[way]) for way in WAYS)
    print(f"plugin / stock: {plugin / stock:.2f}x (saves {stock - plugin:.2f} s per process)")


if __name__ == "__main__":
    main()
