"""Run `pytest --gradio-fuzz` over gradio's official demos, one pytest per demo.

The demos are read from a git checkout (or bare mirror) of gradio's repository and
written to a scratch directory outside this repository (default /tmp/fuzz-demos):
they are not part of pytest-gradio. A demo is taken when it needs no model download
and no network (no pipeline, transformers, from_pretrained, gr.load, URLs) and every
package it imports is installed here.

    .venv/bin/python scripts/fuzz_demos.py --repo /path/to/gradio --limit 40

Prints one line per demo (endpoints fuzzed, findings, skipped endpoints) and writes
the details (each finding's message) to <scratch>/results.json.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import re
import subprocess
import sys
import time
from pathlib import Path

NEEDS_NETWORK = re.compile(
    r"pipeline\(|transformers|from_pretrained|gr\.load\(|https?://|hf_hub_download|"
    r"load_dataset|openai|InferenceClient|torch|tensorflow|gr\.Request|OAuth|"
    r"webcam|microphone|\.stream\(|every="
)


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, *args], check=True, capture_output=True, text=True
    ).stdout


def imports_ok(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if importlib.util.find_spec(name.split(".")[0]) is None:
                return False
    return True


def pick(repo: str, limit: int) -> list[str]:
    names = git(repo, "ls-tree", "--name-only", "HEAD", "demo/").split()
    chosen = []
    for path in names:
        name = path.split("/", 1)[1]
        try:
            source = git(repo, "show", f"HEAD:demo/{name}/run.py")
        except subprocess.CalledProcessError:
            continue
        if NEEDS_NETWORK.search(source) or not imports_ok(source):
            continue
        if "def " not in source and "lambda" not in source:
            continue  # no function of its own: nothing to fuzz
        chosen.append(name)
        if len(chosen) >= limit:
            break
    return chosen


def extract(repo: str, name: str, scratch: Path) -> Path:
    target = scratch / name
    target.mkdir(parents=True, exist_ok=True)
    for line in git(repo, "ls-tree", "-r", "--name-only", "HEAD", f"demo/{name}/").split():
        relative = line.split("/", 2)[2]
        if relative.endswith(".ipynb"):
            continue
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        shown = subprocess.run(["git", "-C", repo, "show", f"HEAD:{line}"], capture_output=True)
        if shown.returncode == 0:  # a file the mirror lacks (large, LFS) is left out
            out.write_bytes(shown.stdout)
    return target


def fuzz(directory: Path, examples: int, seconds: float, timeout: float) -> dict[str, object]:
    report = directory / "report.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(directory),
        "-c",
        "/dev/null",
        "--gradio-app=run.py",
        "--gradio-fuzz",
        f"--gradio-fuzz-examples={examples}",
        f"--gradio-fuzz-seconds={seconds}",
        "--gradio-job-timeout=20",
        f"--junitxml={report}",
        "-q",
        "-rfEs",
    ]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=directory, capture_output=True, text=True, timeout=timeout
        )
        output, code = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        output, code = f"timed out after {timeout}s: {exc.stdout!r}", -1
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    return {
        "seconds": round(time.monotonic() - started, 1),
        "exit": code,
        "summary": summary,
        "passed": re.findall(r"PASSED (\S+)|(\S+gradio_fuzz\S*) PASSED", output),
        "failed": re.findall(r"FAILED (\S+)", output),
        "skipped": re.findall(r"SKIPPED \[\d+\] (.*)", output),
        "output": output[-20000:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default="/work/.mirror/gradio-app+gradio/repo")
    parser.add_argument("--scratch", default="/tmp/fuzz-demos")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--examples", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("demos", nargs="*", help="demo names (default: picked)")
    args = parser.parse_args(argv)
    scratch = Path(args.scratch)
    names = args.demos or pick(args.repo, args.limit)
    results_file = scratch / "results.json"
    # Kept from earlier runs, so that a run over a few demos adds to the table.
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    for name in names:
        directory = extract(args.repo, name, scratch)
        result = fuzz(directory, args.examples, args.seconds, args.timeout)
        results[name] = result
        print(f"{name}: {result['summary']} ({result['seconds']}s)", flush=True)
        for failed in result["failed"]:  # type: ignore[union-attr]
            print(f"  FAILED {failed}", flush=True)
        results_file.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
