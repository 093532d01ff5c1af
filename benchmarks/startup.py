"""Time from fixture request to a ready client, thread vs subprocess mode, and the
readiness overhead of subprocess mode beyond the app's own start.

    python benchmarks/startup.py [--runs 5] [--json benchmarks/results-startup.json]

Each measurement runs in a fresh Python process (nothing imported yet, as in a new
pytest session), against the same small app:

- thread, cold / warm: `AppPool.get()` + `app.client()` -- what the `gradio_app` and
  `gradio_client` fixtures do -- for the first app of the process, then for a second
  one in the same process (gradio already imported);
- subprocess: the same calls with mode="subprocess", split into the child's own start
  (spawn until its server answered and it announced itself), the parent noticing the
  announcement, the confirming request, and the client;
- plain `python app.py`: the app started by hand, polled every 5 ms until /config
  answers -- the app's own start, without the plugin. Subprocess mode's overhead is
  its time to ready minus this.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP = """
import gradio as gr

with gr.Blocks() as demo:
    a = gr.Number()
    b = gr.Number()
    gr.Button().click(lambda x, y: x + y, [a, b], a, api_name="add")

if __name__ == "__main__":
    demo.launch()
"""

MEASURE = """
import json, sys, time
t0 = time.monotonic()
from pathlib import Path
from pytest_gradio.specs import parse_spec
from pytest_gradio.apps import AppPool, start_app
from pytest_gradio.options import AppOptions

mode, app_path = sys.argv[1], sys.argv[2]
pool = AppPool(start_app)
result = {}
try:
    for round in ("cold", "warm"):
        spec = parse_spec(app_path, source="benchmark", base_dir=Path.cwd())
        # Other options for the second round: another app, not the cached one.
        kwargs = {"max_threads": 40 if round == "cold" else 41}
        options = AppOptions(mode=mode, launch_kwargs=kwargs)
        t_request = time.monotonic()
        app, _ = pool.get(spec, options)
        t_app = time.monotonic()
        client = app.client()
        t_client = time.monotonic()
        assert client.predict(1, 2, api_name="/add") == 3
        client.close()
        entry = {"app": t_app - t_request, "client": t_client - t_app}
        entry["total"] = t_client - t_request
        timings = getattr(app, "timings", {})
        if "announced" in timings:
            spawn = timings["spawn"]
            entry["child_start"] = timings["announced"] - spawn
            entry["noticed"] = timings["announced_seen"] - timings["announced"]
            entry["confirm"] = timings["ready"] - timings["announced_seen"]
        result[round] = entry
finally:
    pool.close_all()
print(json.dumps(result))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), environment.get("PYTHONPATH")) if p
    )
    environment.update(GRADIO_ANALYTICS_ENABLED="False", HF_HUB_DISABLE_TELEMETRY="1")
    return environment


def measure_plugin(mode: str, app_path: Path) -> dict[str, dict[str, float]]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, mode, str(app_path)],
        capture_output=True,
        text=True,
        env=env(),
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure_plain(app_path: Path) -> float:
    """`python app.py`, polled every 5 ms until its /config answers."""
    import httpx

    port = free_port()
    environment = env()
    environment["GRADIO_SERVER_PORT"] = str(port)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(app_path)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            # A bare connect first: cheap enough not to slow the app down while it
            # loads (a new httpx client per try costs tens of ms of CPU).
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                httpx.get(f"http://127.0.0.1:{port}/config", timeout=5)
                return time.monotonic() - t0
            except (OSError, httpx.HTTPError):
                if proc.poll() is not None:
                    raise RuntimeError("the app exited") from None
                time.sleep(0.005)
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app_path = Path(tmp) / "app.py"
        app_path.write_text(textwrap.dedent(APP))
        samples: dict[str, list[float]] = {}

        def add(name: str, value: float) -> None:
            samples.setdefault(name, []).append(value)

        for _ in range(args.runs):
            add("plain python app.py, until /config answers", measure_plain(app_path))
            for mode in ("subprocess", "thread"):
                result = measure_plugin(mode, app_path)
                for round_name, entry in result.items():
                    for key, value in entry.items():
                        add(f"{mode} {round_name}: {key}", value)

    print(
        f"median of {args.runs} runs, milliseconds (python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs)"
    )
    width = max(len(name) for name in samples)
    for name, values in samples.items():
        print(
            f"  {name:<{width}}  {statistics.median(values) * 1000:8.1f}"
            f"   (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"
        )
    # Paired: each run starts the plain app and then the subprocess app back to back,
    # so load from elsewhere on the machine hits both alike.
    pairs = [
        ready - plain
        for ready, plain in zip(
            samples["subprocess cold: app"],
            samples["plain python app.py, until /config answers"],
            strict=True,
        )
    ]
    print(
        "  subprocess mode's overhead beyond the app's own start (subprocess cold: app"
        f" - plain, paired): median {statistics.median(pairs) * 1000:.1f} ms"
        f" (min {min(pairs) * 1000:.1f}, max {max(pairs) * 1000:.1f})"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(samples, indent=2))


if __name__ == "__main__":
    main()
