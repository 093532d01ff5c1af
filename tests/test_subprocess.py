"""Subprocess mode: the app runs as its own Python process, as production runs it.

Real processes throughout: each test starts real app processes and checks, from /proc,
that none of them (nor anything they spawned) is left afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_gradio import AppLoadError, AppSpecError, AppStartError, deadlines
from pytest_gradio.apps import start_app
from pytest_gradio.errors import JobStreamError
from pytest_gradio.options import AppOptions
from pytest_gradio.specs import parse_spec

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


# --- looking at processes ---------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may hold spaces: split after it.
    return text.rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """True if the process exists and is not a zombie (a zombie runs nothing; a
    container's init may be slow to reap orphans)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def group_members(pgid: int) -> list[int]:
    """Live processes in the process group `pgid`."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
                members.append(int(entry.name))
    return members


def wait_gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    """The pids still alive after waiting up to `timeout` for them to go."""
    deadline = time.monotonic() + timeout
    while True:
        left = [pid for pid in pids if alive(pid) or group_members(pid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.fixture
def outer_apps() -> set[int]:
    """The app processes this pytest process already runs when the test starts: those
    of the outer session's pool (another test file's `mode="subprocess"` marker keeps
    its app until the session ends). A test checks that it leaves none of its own."""
    return set(bootstraps_of(os.getpid()))


def bootstraps_of(parent: int) -> list[int]:
    """Live app processes (pytest_gradio.apps.bootstrap) whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if (
            fields
            and fields[0] != "Z"
            and int(fields[1]) == parent
            and b"pytest_gradio.apps.bootstrap" in cmdline
        ):
            found.append(int(entry.name))
    return found


# --- apps -------------------------------------------------------------------------------

# Chatty (3 MB of output before the server starts: far beyond a pipe's 64 KB), a fake
# ready line (wrong nonce, wrong port), a grandchild that ignores SIGTERM, and a
# module-level launch on 0.0.0.0:7860 with show_error=True that does not block: the
# script ends, and the app must keep serving.
LIFECYCLE_APP = """
import os, subprocess, sys
import gradio as gr

print("hello from the app", flush=True)
for i in range(15000):
    print(f"stdout line {i:05d} " + "x" * 80)
    print(f"stderr line {i:05d} " + "y" * 80, file=sys.stderr)
print("__pytest_gradio_ready__ 0123456789abcdef http://127.0.0.1:9/ 0.0", flush=True)

grandchild = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"])
with open(os.environ["PIDS_FILE"], "a") as f:
    f.write(f"{os.getpid()} {grandchild.pid}\\n")

with gr.Blocks() as demo:
    n = gr.Number()
    gr.Button().click(lambda x: 1 / 0, n, n, api_name="crash")
    gr.Button().click(lambda x: x * 2, n, n, api_name="double")

demo.launch(server_name="0.0.0.0", server_port=7860, show_error=True, prevent_thread_lock=True)
"""

LIFECYCLE_TESTS = """
import os, signal, time
import pytest
from pytest_gradio import assert_job_error

PIDS = []

def test_runs_in_its_own_process_on_loopback(gradio_app, gradio_client):
    assert gradio_app.mode == "subprocess"
    assert gradio_app.pid != os.getpid()
    assert gradio_app.url.startswith("http://127.0.0.1:")
    assert ":7860/" not in gradio_app.url and ":9/" not in gradio_app.url
    assert gradio_client.predict(21, api_name="/double") == 42

def test_scripts_own_launch_arguments_are_kept(gradio_client):
    # show_error=True is the script's: the real message reaches the client.
    assert_job_error(gradio_client.submit(1, api_name="/crash"), match="division by zero")

def test_output_is_captured_and_bounded(gradio_app):
    logs = gradio_app.logs()
    assert "stdout line 14999" in logs and "stderr line 14999" in logs
    assert "Running on local URL:  http://127.0.0.1:" in logs
    assert "hello from the app" not in logs  # scrolled out: the buffer is bounded
    assert len(logs.splitlines()) <= 2000

def test_a_failing_test(gradio_client):
    assert gradio_client.predict(1, api_name="/double") == 3

def test_the_app_dies(gradio_app):
    PIDS.append(gradio_app.pid)
    os.kill(gradio_app.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while gradio_app.is_alive():
        assert time.monotonic() < deadline
        time.sleep(0.01)

def test_the_next_test_gets_it_restarted(gradio_app, gradio_client):
    assert gradio_app.restarts == 1
    assert gradio_app.pid != PIDS[0]
    assert gradio_client.predict(2, api_name="/double") == 4
"""


def test_subprocess_app_lifecycle(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, outer_apps: set[int]
) -> None:
    """--gradio-mode=subprocess, one app's whole life:
    - the script's own module-level launch runs in its own process on 127.0.0.1 and a
      free port, keeps its other arguments (show_error), and keeps serving after a
      non-blocking launch (prevent_thread_lock=True) let the script end;
    - a fake ready line (wrong nonce, wrong port) does not fool the readiness check;
    - 3 MB of output does not stall it; logs() has the latest lines, bounded;
    - killed between tests, it is restarted for the next test, whose report says so
      with the exit code;
    - the session's end, after a failing test, leaves neither app process nor their
      grandchildren (which ignore SIGTERM)."""
    pids_file = pytester.path / "pids.txt"
    monkeypatch.setenv("PIDS_FILE", str(pids_file))
    pytester.makepyfile(app=LIFECYCLE_APP, test_lifecycle=LIFECYCLE_TESTS)
    result = pytester.runpytest(
        "--gradio-app=app.py", "--gradio-mode=subprocess", "-rA", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*had stopped (was at http://127.0.0.1:*); restarted it for this test*",
            "*the app process (pid *) exited with code -9 (killed by SIGKILL).",
        ]
    )
    assert result.stdout.str().count("exited with code -9") == 1
    pids = [int(pid) for pid in pids_file.read_text().split()]
    assert len(pids) == 4  # two apps, each with a grandchild
    assert wait_gone(pids, timeout=5) == []
    assert set(bootstraps_of(os.getpid())) <= outer_apps


PARITY_FACTORY = """
import gradio as gr

def make_demo():
    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(lambda x: 1 / 0, n, n, api_name="crash")
    return demo
"""

PARITY_TESTS = """
import pytest
from pytest_gradio import assert_job_error

@pytest.mark.gradio_app(
    "myapps.factory:make_demo", mode="subprocess", launch_kwargs={"show_error": True}
)
def test_module_factory_with_launch_kwargs(gradio_app, gradio_client):
    assert gradio_app.mode == "subprocess"
    assert_job_error(gradio_client.submit(1, api_name="/crash"), match="division by zero")
"""


def test_module_factory_spec_with_launch_kwargs(
    pytester: pytest.Pytester, outer_apps: set[int]
) -> None:
    """A `package.module:factory` spec runs in a subprocess too: the module is found on
    pytest's sys.path, the factory's Blocks is launched with the marker's launch_kwargs.
    (A launch under `if __name__ == "__main__"` is covered by tests/test_backends.py.)"""
    pytester.makepyfile(test_parity=PARITY_TESTS)
    pkg = pytester.mkpydir("myapps")
    (pkg / "factory.py").write_text(textwrap.dedent(PARITY_FACTORY))
    pytester.syspathinsert()
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert set(bootstraps_of(os.getpid())) <= outer_apps


# --- failing to start -------------------------------------------------------------------


def _start(directory: Path, source: str, **options: Any) -> None:
    (directory / "app.py").write_text(textwrap.dedent(source))
    spec = parse_spec("app.py", source="--gradio-app", base_dir=directory)
    app = start_app(spec, AppOptions(mode="subprocess", **options))
    app.close()
    raise AssertionError("the app started, but it should not have")


CRASHES = {
    "exit": (
        'print("loading the weights")\nimport sys\nsys.exit(3)\n',
        AppStartError,
        [r"exited with code 3 during start-up", r"loading the weights"],
    ),
    "raise": (
        'import gradio as gr\nraise RuntimeError("no GPU here")\n',
        AppLoadError,
        [r"raised while starting", r"RuntimeError: no GPU here", r"exited with code 3"],
    ),
}


# Long enough for a fresh interpreter to import gradio with two CPU hogs beside the
# suite (over 60 s there): a crash must end the wait well before it.
STARTUP = 180.0


def test_crash_during_startup_fails_fast(tmp_path: Path, outer_apps: set[int]) -> None:
    """An app that exits or raises while starting fails at once (not after the 60 s
    startup_timeout) with its exit code and its own output or error (both apps are
    started side by side, to keep the test short)."""
    outcomes: dict[str, tuple[BaseException | None, float]] = {}

    def run(name: str) -> None:
        directory = tmp_path / name.replace(" ", "_")
        directory.mkdir()
        t0 = time.monotonic()
        try:
            _start(directory, CRASHES[name][0], startup_timeout=STARTUP)
        except BaseException as exc:
            outcomes[name] = (exc, time.monotonic() - t0)

    threads = [threading.Thread(target=run, args=(name,)) for name in CRASHES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, (_, kind, patterns) in CRASHES.items():
        exc, seconds = outcomes[name]
        assert isinstance(exc, kind), f"{name}: {exc!r}"
        for pattern in patterns:
            assert re.search(pattern, str(exc)), f"{name}: {pattern!r} not in {exc}"
        # The child module runs once: runpy's "found in sys.modules" warning would
        # open every app's output if the package had imported it already.
        assert "found in sys.modules" not in str(exc)
        # Before the startup_timeout, not at it (a child importing gradio on a busy
        # machine took 30 s to fail: the bound is the timeout, not a speed).
        assert seconds < STARTUP - 10, f"{name} took {seconds:.1f} s to fail"
    assert set(bootstraps_of(os.getpid())) <= outer_apps


def test_startup_timeout_is_bounded_and_kills_the_app(tmp_path: Path, outer_apps: set[int]) -> None:
    """An app that never becomes ready is given up after startup_timeout, with its
    output so far, and its process is gone."""
    t0 = time.monotonic()
    with pytest.raises(AppStartError) as info:
        _start(
            tmp_path,
            'print("thinking", flush=True)\nimport time\ntime.sleep(300)\n',
            startup_timeout=1.5,
        )
    seconds = time.monotonic() - t0
    assert "did not start within 1.5 s (startup_timeout)" in str(info.value)
    assert "--gradio-startup-timeout" in str(info.value)
    assert 1.4 < seconds < 8
    assert set(bootstraps_of(os.getpid())) <= outer_apps


def test_an_app_closed_after_the_tests_deadline_gets_no_grace(
    tmp_path: Path, outer_apps: set[int]
) -> None:
    """An app closed once the test's deadline has come (its pytest-timeout less the
    margin the plugin keeps for the report: a start cut by it) gets SIGKILL at once,
    not SIGTERM and a grace of seconds that would overrun that margin."""
    (tmp_path / "app.py").write_text(
        "import gradio as gr\ndemo = gr.Interface(lambda x: x, 'text', 'text')\n"
    )
    spec = parse_spec("app.py", source="--gradio-app", base_dir=tmp_path)
    app = start_app(spec, AppOptions(mode="subprocess", startup_timeout=STARTUP))
    owner = object()
    deadlines.start(owner, 0.0)  # a deadline that has come
    try:
        app.close()
    finally:
        deadlines.stop(owner)
    assert app.returncode == -signal.SIGKILL  # SIGTERM first: the app dies of that
    assert set(bootstraps_of(os.getpid())) <= outer_apps


def test_launch_kwargs_that_cannot_reach_a_subprocess(tmp_path: Path, outer_apps: set[int]) -> None:
    """A lambda in launch_kwargs cannot be sent to the app's process: the error names
    the keyword and the way out, and nothing is started."""
    with pytest.raises(AppSpecError) as info:
        _start(
            tmp_path,
            "import gradio as gr\ndemo = gr.Blocks()\n",
            launch_kwargs={"auth": lambda u, p: True},
        )
    message = str(info.value)
    assert "launch_kwargs ['auth'] for gradio app 'app.py' (from --gradio-app)" in message
    assert "cannot be sent to a subprocess" in message
    assert "mode='thread'" in message
    assert set(bootstraps_of(os.getpid())) <= outer_apps


SSL_SCRIPT = """
import gradio as gr

with gr.Blocks() as demo:
    gr.Textbox()

demo.launch({arguments})
"""


@pytest.mark.parametrize("mode", ["subprocess", "thread"])
@pytest.mark.parametrize("given_by", ["launch_kwargs", "the script's launch()"])
def test_launch_error_names_the_missing_file(
    tmp_path: Path, outer_apps: set[int], mode: str, given_by: str
) -> None:
    """A launch() that fails on a missing file quotes the file and the argument that
    named it, and where that argument came from, in both modes (issue 19 item 5:
    subprocess mode said only "FileNotFoundError: [Errno 2] No such file or directory
    (on the server's thread)" for launch_kwargs)."""
    files = {"ssl_keyfile": "/nonexistent/key.pem", "ssl_certfile": "/nonexistent/cert.pem"}
    if given_by == "launch_kwargs":
        script, options = SSL_SCRIPT.format(arguments=""), {"launch_kwargs": files}
    else:
        arguments = ", ".join(f"{key}={value!r}" for key, value in files.items())
        script, options = SSL_SCRIPT.format(arguments=arguments), {}
    (tmp_path / "app.py").write_text(script)
    spec = parse_spec("app.py", source="--gradio-app", base_dir=tmp_path)
    with pytest.raises(AppStartError) as info:
        start_app(spec, AppOptions(mode=mode, **options)).close()
    message = str(info.value)
    assert "failed in launch(): FileNotFoundError" in message
    for key, value in files.items():
        assert f"{key}={value!r} (from {given_by})" in message, message
    assert f"Check its launch arguments: ssl_certfile, ssl_keyfile (from {given_by})" in message
    assert set(bootstraps_of(os.getpid())) <= outer_apps


def test_blocks_object_cannot_run_in_a_subprocess(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import gradio as gr

        def test_object(gradio_launch):
            with gr.Blocks() as demo:
                gr.Textbox()
            gradio_launch(demo, mode="subprocess")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot run in subprocess mode: only a script*"])


# --- interrupted runs -------------------------------------------------------------------

INTERRUPTED_TESTS = """
import os, time

def test_hangs(gradio_app):
    with open(os.environ["PIDS_FILE"], "w") as f:
        f.write(str(gradio_app.pid))
    time.sleep(300)
"""


def test_interrupted_runs_leave_no_process(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest interrupted while an app runs, by Ctrl-C (SIGINT: pytest tears down) or
    killed (SIGTERM, which pytest does not handle: the app notices its parent died):
    the app and its process group are gone soon after. Both runs go side by side."""
    from .conftest import default_sigint, write_which_app

    write_which_app(pytester.path, "interrupted")
    pytester.makepyfile(test_interrupted=INTERRUPTED_TESTS)
    runs = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            pid_file = pytester.path / f"pid-{sig.name}.txt"
            monkeypatch.setenv("PIDS_FILE", str(pid_file))
            command = [sys.executable, "-m", "pytest", "--gradio-app=app.py"]
            command += ["--gradio-mode=subprocess", "-p", "no:cacheprovider"]
            child = pytester.popen(command, stdin=None, preexec_fn=default_sigint)
            runs[sig] = (child, pid_file)
        app_pids = {}
        # Generous bounds, for a busy machine: each ends as soon as its condition holds.
        deadline = time.monotonic() + 120
        for sig, (proc, pid_file) in runs.items():
            while not (pid_file.exists() and pid_file.read_text()):
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.05)
            app_pids[sig] = int(pid_file.read_text())
            assert alive(app_pids[sig])
        for sig, (proc, _) in runs.items():
            proc.send_signal(sig)
        for proc, _ in runs.values():
            proc.wait(timeout=120)
    finally:
        for proc, _ in runs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert runs[signal.SIGINT][0].returncode == 2  # pytest's "interrupted"
    assert runs[signal.SIGTERM][0].returncode == -signal.SIGTERM
    for sig, pid in app_pids.items():
        assert wait_gone([pid], timeout=60) == [], f"the app survived {sig.name}"


PATH_APP = """
import sys
import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda: "\\n".join(sys.path), None, box, api_name="path")
"""


def test_the_child_has_the_packages_parent_on_its_path_not_the_package(
    gradio_launch: Any, tmp_path: Path
) -> None:
    """With `pytest_gradio/` itself on sys.path its modules shadow top-level ones of
    the same name (its MCP package once shadowed the `mcp` library in the child)."""
    import pytest_gradio

    script = tmp_path / "app.py"
    script.write_text(PATH_APP)
    app = gradio_launch(str(script), mode="subprocess")
    paths = app.client().predict(api_name="/path").split("\n")
    package = Path(pytest_gradio.__file__).resolve().parent
    assert str(package) not in paths
    assert str(package.parent) in paths


# --- the app dies during a job ---------------------------------------------------------

DYING_APP = """
import time
import gradio as gr

def slow():
    print("last words: the job started", flush=True)
    time.sleep(60)
    return "never"

with gr.Blocks() as demo:
    out = gr.Textbox()
    gr.Button().click(slow, None, out, api_name="slow")
"""

KILLED_MID_JOB = """
import os, signal, time

def test_killed_mid_job(gradio_app, gradio_client):
    job = gradio_client.submit(api_name="/slow")
    deadline = time.monotonic() + 60
    while "the job started" not in gradio_app.logs():
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.01)
    os.kill(gradio_app.pid, signal.SIGKILL)
    job.result()
"""


SLOW_TO_END_APP = """
import os, stat, time
import gradio as gr

def leave():
    # As a dying process does, slowly (a busy machine): its sockets close, its end
    # comes later.
    for fd in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISSOCK(os.fstat(int(fd)).st_mode):
                os.close(int(fd))
        except OSError:
            pass
    time.sleep(1.5)
    os._exit(7)

with gr.Blocks() as demo:
    out = gr.Textbox()
    gr.Button().click(leave, None, out, api_name="leave")
"""


def test_an_app_whose_end_comes_after_its_sockets_close_is_named(
    gradio_launch: Any, tmp_path: Path
) -> None:
    """The stream of a job breaks as the app's sockets close, before its process is
    seen to end: 0.5 s apart was not enough with two CPU hogs beside the suite (the
    error said only "the event stream broke"). A server that refuses connections is
    on its way out: its end is waited for."""
    (tmp_path / "app.py").write_text(SLOW_TO_END_APP)
    app = gradio_launch(str(tmp_path / "app.py"), mode="subprocess", startup_timeout=STARTUP)
    with pytest.raises(JobStreamError) as info:
        app.client().predict(api_name="/leave")
    assert re.search(
        r"/leave: the app process \(pid \d+\) exited with code 7 during", str(info.value)
    )


@pytest.mark.parametrize("transport", ["fast", "stock"])
def test_app_killed_mid_job_is_named(
    pytester: pytest.Pytester, outer_apps: set[int], transport: str
) -> None:
    """A subprocess app killed during a job (SIGKILL): the job's error says the app's
    process died, of which signal, and quotes its last output; the failure section
    says it too (the job's timeline ends with that error, and the server log with the
    death). Before, the error said only "the event stream broke ... after 0 output(s)"
    (issue 19 item 3)."""
    (pytester.path / "app.py").write_text(DYING_APP)
    pytester.makepyfile(test_dies=KILLED_MID_JOB)
    result = pytester.runpytest(
        "--gradio-app=app.py", "--gradio-mode=subprocess", f"--gradio-transport={transport}"
    )
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    error = (
        "/slow: the app process (pid *) died (signal 9) during the job, after 0 output(s) "
        "of the job; it ended without its result (*). Its last output:"
    )
    result.stdout.fnmatch_lines(
        [
            f"E * {error}",
            "E *last words: the job started",
            "*- gradio: jobs and server log -*",
            # ? for the quote: repr() picks " when the reason holds an apostrophe ("the
            # event stream ended before the job's final message", seen at load 20).
            "*error: ?JobStreamError: /slow: the app process (pid *) died (signal 9)*",
            "*server log of app.py (subprocess, *) during this test:",
            "*last words: the job started",
            "*pytest-gradio: the app process (pid *) exited with code -9 (killed by SIGKILL).",
        ]
    )
    assert "Gradio cancels a session's jobs when their stream drops" not in output
    assert set(bootstraps_of(os.getpid())) <= outer_apps
