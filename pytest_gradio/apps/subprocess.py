"""Subprocess mode, parent side: an app in its own Python process, as production runs it.

The child is `python -m pytest_gradio.apps.bootstrap` in a new session (its own process
group), so teardown can signal the app and everything it spawned at once. Its stdout
and stderr go to one pipe that a reader thread drains into a bounded buffer: a chatty
app never blocks on a full pipe, and `logs()` always has the latest lines.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .. import deadlines, errors
from ..errors import AppSpecError, AppStartError
from ..options import DEFAULT_STARTUP_TIMEOUT, AppOptions
from ..specs import AppSpec
from .base import GradioApp, accepts_connections
from .environment import child_environment
from .handshake import ENV_CONFIG, ERROR_MARKER, READY_MARKER, STACK_SIGNAL, encode_config

# How long the app may take to stop after SIGTERM before the group gets SIGKILL.
TERMINATE_GRACE = 5.0
# Output lines kept for error messages; a line longer than this is cut.
TAIL_LINES = 30
# How long a start-up timeout's error waits for the app's stack (asked by a signal).
STACK_WAIT = 5.0
_MAX_LINE = 8192
_EXIT_POLL = 0.05
# How long a job whose stream broke waits to see the app's process end, and how many
# of its last lines of output the job's error quotes.
_DEATH_WAIT = 0.5
# ... and how long more, once its server no longer takes connections (it is dying).
_DYING_WAIT = 10.0
_DEATH_TAIL = 15
_LINE = re.compile(r"(__pytest_gradio_(?:ready|error)__) (\S+) (.*)")


class SubprocessApp(GradioApp):
    """An app running as its own process: `pid`, `returncode`, and the usual
    `url`, `logs()`, `client()`.

    >>> app = gradio_launch("app.py", mode="subprocess")
    >>> app.pid != os.getpid()
    True
    """

    def __init__(self, spec: AppSpec, options: AppOptions) -> None:
        super().__init__(spec, options, url="", mode="subprocess")
        self.pid: int | None = None
        self.returncode: int | None = None
        self.timings: dict[str, float] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Condition()
        self._nonce = secrets.token_hex(16)
        self._ready_url: str | None = None
        self._error: dict[str, str] | None = None
        self._eof = False
        self._reader: threading.Thread | None = None
        self._closed = False
        self._death_noted = False

    # -- starting --------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the app and wait until it answers; bounded by `startup_timeout`."""
        timeout = self.options.startup_timeout or DEFAULT_STARTUP_TIMEOUT
        try:
            self._spawn()
            # While the app loads (tens of ms): the readiness check must not wait for it.
            import http.client  # noqa: F401

            self._wait_ready(timeout)
        except BaseException:
            self.close()
            raise

    def _spawn(self) -> None:
        config = {
            "spec": self.spec,
            "launch_kwargs": dict(self.options.launch_kwargs),
            "path": self.options.path,
            "nonce": self._nonce,
            "sys_path": [os.path.abspath(p or os.curdir) for p in sys.path],
            "parent_pid": os.getpid(),
            "spawned_by_main_thread": threading.current_thread() is threading.main_thread(),
        }
        try:
            encoded = encode_config(config)
        except Exception as exc:
            raise AppSpecError(
                f"launch_kwargs {sorted(self.options.launch_kwargs)} for gradio app "
                f"{self.spec.describe()} cannot be sent to a subprocess ({exc}). In "
                "subprocess mode give values that can be pickled (no lambdas), or use "
                "mode='thread'."
            ) from None
        # The session's environment (telemetry off, its GRADIO_TEMP_DIR: see
        # environment.py), with where the app listens the plugin's to say.
        env = child_environment(os.environ)
        env.update({ENV_CONFIG: encoded, "PYTHONUNBUFFERED": "1"})
        # The child must import this package even when it is not installed (a source
        # checkout on sys.path): append its parent directory, after what is there.
        # (The directory that holds `pytest_gradio/`, not the package's own: with that
        # on sys.path its modules would shadow top-level ones, e.g. `mcp`.)
        package_root = str(Path(__file__).resolve().parent.parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), package_root) if p)
        self.timings["spawn"] = time.monotonic()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pytest_gradio.apps.bootstrap"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=os.getcwd(),
            **_new_group_kwargs(),
        )
        self.pid = self._proc.pid
        self._reader = threading.Thread(
            target=self._read_output, name=f"pytest-gradio-output-{self.pid}", daemon=True
        )
        self._reader.start()

    def _wait_ready(self, timeout: float) -> None:
        wait, cut = deadlines.bound(timeout)  # never past the test's pytest-timeout
        deadline = time.monotonic() + (wait if wait is not None else timeout)
        while True:
            with self._lock:
                # Woken at once by the ready line or the end of output; the timeout
                # only bounds how late an exit whose output pipe stays open (a
                # grandchild holds it) is noticed.
                self._lock.wait_for(
                    lambda: self._ready_url is not None or self._error is not None or self._eof,
                    timeout=max(0.0, min(_EXIT_POLL, deadline - time.monotonic())),
                )
                ready_url, error = self._ready_url, self._error
            if ready_url is not None:
                self.timings["announced_seen"] = time.monotonic()
                self._confirm(ready_url, deadline)
                self.url = ready_url
                self.timings["ready"] = time.monotonic()
                return
            if error is not None or self._eof or self._exited():
                self._raise_exited(error, deadline)
            if time.monotonic() >= deadline and cut:
                raise AppStartError(
                    f"gradio app {self.spec.describe()} (mode subprocess, pid {self.pid}) "
                    f"had not started when the test's deadline came ({deadlines.explain()}). "
                    f"Its last output:\n{self._tail()}"
                )
            if time.monotonic() >= deadline:
                # Not when the test's deadline cuts the wait: no time left to ask.
                stack = self._ask_for_stack()
                note = " (ending with where its main thread was when the plugin gave up)"
                raise AppStartError(
                    f"gradio app {self.spec.describe()} (mode subprocess, pid {self.pid}) "
                    f"did not start within {timeout:g} s (startup_timeout). Its last "
                    f"output{note if stack else ''}:\n{self._tail(TAIL_LINES + stack)}\n"
                    "Raise startup_timeout / "
                    "--gradio-startup-timeout if it needs longer to load; the plugin "
                    "takes over demo.launch(), uvicorn.run() and uvicorn.Server(...).run(): "
                    "an app that serves some other way never becomes ready."
                )

    def _ask_for_stack(self) -> int:
        """Have the app print where its main thread is (faulthandler, set up by the
        bootstrap), so that the error shows where it is stuck; wait briefly for it.
        Returns how many lines of output came since the ask (0: no stack came)."""
        sig = getattr(signal, STACK_SIGNAL, None)
        if sig is None or self.pid is None or self._exited():
            return 0
        with self._lock:
            mark = self._log.total
        with contextlib.suppress(OSError):
            os.kill(self.pid, sig)
        # The child writes its stack at once; reading it here can take seconds on a
        # busy machine (1 s was too short with two CPU hogs beside the run). Wait for
        # the dump's end, not its start: its last line is the outermost frame, and
        # the child runs with `-m` (runpy's _run_module_as_main), or faulthandler's
        # "  ..." when the stack is deeper than it prints. With only the start, the
        # error once showed the stack cut short (load 15).
        until = time.monotonic() + STACK_WAIT
        lines: list[str] = []
        while time.monotonic() < until:
            time.sleep(0.05)
            with self._lock:
                lines = self._log.since(mark)
            if any(_ends_stack(line) for line in lines):
                break
        # The tail shows the whole stack (up to faulthandler's 100 frames: importing
        # gradio alone is deeper than the 30 lines of output a tail shows).
        return len(lines)

    def _confirm(self, url: str, deadline: float) -> None:
        """One request from this side: the announced URL answers here too (any HTTP
        status will do: the app may require a login)."""
        timeout = max(1.0, min(10.0, deadline - time.monotonic()))
        try:
            _http_status(url + "config", timeout)
        except OSError as exc:
            raise AppStartError(
                f"gradio app {self.spec.describe()} (mode subprocess, pid {self.pid}) "
                f"announced {url}, but it does not answer from the test process "
                f"({type(exc).__name__}: {exc}). Check the firewall for loopback "
                "connections."
            ) from None

    def _raise_exited(self, error: dict[str, str] | None, deadline: float) -> None:
        # The app said it failed and exits: wait for that, so the message has its exit
        # code; it ends as soon as the process does. Bounded by the start's own
        # deadline, not a fixed time: the shutdown of an interpreter that loaded
        # gradio took over 10 s with two CPU hogs beside the suite, and the error
        # then said "failed" without the code. An app whose shutdown hangs (a
        # non-daemon thread) is reported at the start's deadline, as "failed".
        code = self._wait_exit(max(_EXIT_POLL, deadline - time.monotonic()))
        if self._reader is not None:
            # The last lines of output (the reader ends at the pipe's end, which the
            # exit brings unless a grandchild holds it).
            self._reader.join(timeout=5.0)
        with self._lock:
            # The exit can be seen before the reader got to the error the app printed
            # just before it (a busy machine): read it now that the output is in.
            error = error or self._error
        exited = f"exited with code {_describe_code(code)}" if code is not None else "failed"
        if error is not None:
            kind = getattr(errors, error.get("type", ""), AppStartError)
            if not (isinstance(kind, type) and issubclass(kind, errors.GradioTestError)):
                kind = AppStartError
            # What the app printed before it failed (the README promises the end of its
            # output); not the traceback it printed last, which the message quotes.
            quoted = set(error["message"].splitlines())
            with self._lock:
                printed = list(self._log)
            while printed and (printed[-1] in quoted or not printed[-1].strip()):
                printed.pop()
            tail = "\n".join("    " + line for line in printed[-TAIL_LINES:])
            output = f"\nIts output before that:\n{tail}" if printed else ""
            raise kind(f"{error['message']}{output}\n(mode subprocess: the app process {exited}.)")
        raise AppStartError(
            f"gradio app {self.spec.describe()} (mode subprocess, pid {self.pid}) {exited} "
            f"during start-up. Its last output:\n{self._tail()}"
        )

    # -- output ----------------------------------------------------------------------

    def _read_output(self) -> None:
        proc = self._proc
        if proc is None or proc.stdout is None:
            return
        fd = proc.stdout.fileno()
        partial = b""
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                *lines, partial = (partial + chunk).split(b"\n")
                if len(partial) > _MAX_LINE:
                    lines.append(partial)
                    partial = b""
                for line in lines:
                    self._line(line)
            if partial:
                self._line(partial)
        finally:
            with self._lock:
                self._eof = True
                self._lock.notify_all()

    def _line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").rstrip("\r")
        if len(text) > _MAX_LINE:
            text = text[:_MAX_LINE] + f" ... ({len(text) - _MAX_LINE} more characters)"
        match = _LINE.fullmatch(text)
        with self._lock:
            if match is not None and match.group(2) == self._nonce:
                if match.group(1) == READY_MARKER:
                    url, _, announced = match.group(3).partition(" ")
                    self._ready_url = url if url.endswith("/") else url + "/"
                    with contextlib.suppress(ValueError):
                        self.timings["announced"] = float(announced)
                elif match.group(1) == ERROR_MARKER:
                    with contextlib.suppress(ValueError):
                        self._error = json.loads(match.group(3))
                self._lock.notify_all()
                return
            if text or (self._log and self._log[-1]):
                self._log.append(text)

    def logs(self, since: int | None = None) -> str:
        """The app's stdout and stderr so far (the last few thousand lines); with
        `since=app.log_mark()`, only what came after that mark."""
        with self._lock:
            return "\n".join(self._log if since is None else self._log.since(since))

    def _tail(self, lines: int = TAIL_LINES) -> str:
        with self._lock:
            tail = list(self._log)[-lines:]
        return "\n".join("    " + line for line in tail) or "    (no output)"

    # -- liveness and teardown -------------------------------------------------------

    def _exited(self) -> bool:
        """True once the app process has ended. Why not Popen.poll(): it reaps the
        process, and its pid (which is also its process group id) could be reused
        before teardown signals the group; waitid(WNOWAIT) leaves it a zombie."""
        if self._proc is None:
            return True
        if self.returncode is not None:
            return True
        if hasattr(os, "waitid"):
            try:
                info = os.waitid(os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return True
            return info is not None
        return self._proc.poll() is not None

    def _wait_exit(self, timeout: float) -> int | None:
        """Wait for the process to end without reaping it; its exit code, or None."""
        deadline = time.monotonic() + timeout
        while not self._exited():
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)
        if self._proc is None:
            return None
        if self.returncode is not None:
            return self.returncode
        if hasattr(os, "waitid"):
            with contextlib.suppress(ChildProcessError):
                info = os.waitid(os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
                if info is not None:
                    if info.si_code == os.CLD_EXITED:
                        return int(info.si_status)
                    return -int(info.si_status)
        return self._proc.returncode

    def is_alive(self) -> bool:
        alive = not self._exited()
        if not alive and not self._death_noted and self._proc is not None:
            self._death_noted = True  # in the log once, for the restart note
            code = self._wait_exit(0)
            with self._lock:
                self._log.append(
                    f"pytest-gradio: the app process (pid {self.pid}) exited with code "
                    f"{_describe_code(code)}."
                )
        return alive

    def why_gone(self) -> tuple[str, str] | None:
        # The stream breaks as the dying process's sockets close, a moment before the
        # process is seen to have ended: wait that moment, bounded. On a busy machine
        # the moment was longer than 0.5 s (two CPU hogs): a server that refuses
        # connections is on its way out, so its end is waited for longer.
        code = self._wait_exit(_DEATH_WAIT)
        if code is None and not self._exited():
            if not self.url or accepts_connections(self.url):
                return None
            code = self._wait_exit(deadlines.bound(_DYING_WAIT)[0] or 0.0)
            if code is None and not self._exited():
                return None
        self.is_alive()  # notes the death in the app's log, once
        if self._reader is not None:
            self._reader.join(timeout=0.5)  # the last lines of output
        death = (
            f"died (signal {-code})"
            if code is not None and code < 0
            else (f"exited with code {_describe_code(code)}")
        )
        return (
            f"the app process (pid {self.pid}) {death}",
            f"Its last output:\n{self._tail(_DEATH_TAIL)}",
        )

    def close(self) -> None:
        """Stop the app and everything it started: SIGTERM to the process group,
        then SIGKILL to what is left after `TERMINATE_GRACE` seconds (less when the
        test's pytest-timeout is near: none once its deadline has come)."""
        if self._closed or self._proc is None:
            return
        self._closed = True
        super().close()  # the clients' shared pool first, while the server still answers
        proc = self._proc
        # A start cut by the test's deadline closes the app after that deadline: a
        # grace then would be spent in the margin kept for pytest's report, and an
        # app slow to die of SIGTERM (busy, or handling it itself) made pytest-timeout
        # fire after all.
        grace, _ = deadlines.bound(TERMINATE_GRACE)
        if not self._exited() and grace:
            _signal_group(proc, signal.SIGTERM)
            self._wait_exit(grace)
        # The leader is gone or a zombie (its pid, the group id, is still ours):
        # whatever it left behind gets SIGKILL.
        _signal_group(proc, _SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.returncode = proc.wait(timeout=TERMINATE_GRACE)
        if self._reader is not None:
            self._reader.join(timeout=2.0)
        if proc.stdout is not None:
            proc.stdout.close()


_SIGKILL = getattr(signal, "SIGKILL", signal.SIGTERM)


def _ends_stack(line: str) -> bool:
    """The last line of the child's faulthandler stack (see `_ask_for_stack`)."""
    return line.endswith(" in _run_module_as_main") or line == "  ..."


def _new_group_kwargs() -> dict[str, Any]:
    if os.name == "nt":
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    return {"start_new_session": True}


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    if os.name == "nt":
        with contextlib.suppress(OSError):
            proc.kill() if sig == _SIGKILL else proc.terminate()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _http_status(url: str, timeout: float) -> int:
    """GET `url` and return the status. Why not httpx: one question to a server on
    loopback needs no client pool, and an app's own certificate is not checked here."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        import ssl

        # The app's own certificate (launch(ssl_certfile=...)) is often self-signed.
        context = ssl._create_unverified_context()
        connection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status
    finally:
        connection.close()


def _describe_code(code: int | None) -> str:
    if code is None:
        return "unknown"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"{code} (killed by {signal.Signals(-code).name})"
    return str(code)


def start_subprocess_app(spec: AppSpec, options: AppOptions) -> SubprocessApp:
    """Start a script or module app in its own process; return it once it answers."""
    if spec.kind not in ("script", "module"):
        raise AppSpecError(
            f"gradio app {spec.describe()} cannot run in subprocess mode: only a script "
            "(app.py[:demo]) or a module (package.module:demo) can. Give its script, or "
            "use mode='thread' for a gr.Blocks object."
        )
    app = SubprocessApp(spec, options)
    app.start()
    return app
