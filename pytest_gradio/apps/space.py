"""Hugging Face Spaces: find a Space through the Hub's HTTP API, wait until its app
answers, and hand its URL to the clients.

The Hub is asked at `HF_ENDPOINT` (default https://huggingface.co), read when a Space
is started, not at import: `GET /api/spaces/{id}` for the Space's host, then
`GET /api/spaces/{id}/runtime` for its stage until it runs. Building and starting
Spaces are waited for, a sleeping Space is woken by a request to its host, and a
Space that cannot run (paused, stopped, build or runtime error) fails at once with
its stage and its own error message. Connection errors and HTTP 429/502/503/504 are
retried with backoff; everything is bounded by `startup_timeout` (default 600 s).

The token is sent to the Hub (`Authorization`) and to the Space (`X-HF-Authorization`,
as gradio_client does), and never written anywhere: see `tokens`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from .. import deadlines
from ..errors import AppSpecError, AppStartError, NotAGradioAppError
from ..options import AppOptions
from ..specs import AppSpec
from ..tokens import redact
from .base import GradioApp, gradio_config

if TYPE_CHECKING:
    import httpx

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_SPACE_STARTUP_TIMEOUT = 600.0
# Seconds between progress lines while waiting (a line is also written on every
# change of stage).
PROGRESS_INTERVAL = 5.0
# Polling the runtime starts fast (a Space that is nearly up) and slows down to this.
MAX_POLL_INTERVAL = 5.0
# A sleeping Space is woken by a request to its host; repeated this often while it
# still reports SLEEPING.
WAKE_INTERVAL = 30.0

RUNNING = "RUNNING"
SLEEPING = "SLEEPING"
# Stages that end by themselves: wait. RUNNING_BUILDING / RUNNING_APP_STARTING serve
# the previous version while the new one builds; a test run after a push wants the new.
WAITING_STAGES = frozenset({"BUILDING", "APP_STARTING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"})
# Stages that do not end by themselves: fail at once, saying what to do.
FAILED_STAGES = {
    "PAUSED": "The Space is paused; restart it from {page}/settings.",
    "STOPPED": "The Space is stopped; restart it from {page}/settings.",
    "NO_APP_FILE": "The Space has no app file: push app.py, or set app_file in its README.md.",
    "CONFIG_ERROR": "The YAML header of its README.md is invalid: fix it and push.",
    "BUILD_ERROR": "Its build failed: see the build logs at {page}?logs=build.",
    "RUNTIME_ERROR": "Its app crashed: see the container logs at {page}?logs=container.",
    "DELETING": "The Space is being deleted.",
}
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
_MAX_BODY = 500


class SpaceApp(GradioApp):
    """A Hugging Face Space whose app answers: `space_id`, `stage`, `url`, `client()`."""

    def __init__(self, spec: AppSpec, options: AppOptions, url: str, stage: str) -> None:
        super().__init__(spec, options, url=url, mode="space")
        self.space_id = spec.target
        self.stage = stage

    def is_alive(self) -> bool:
        return True


def start_space(
    spec: AppSpec, options: AppOptions, *, progress: Callable[[str], None] | None = None
) -> SpaceApp:
    """Wait until the Space of `spec` runs and its app answers; return its handle.

    >>> app = start_space(parse_spec("space:org/app", ...), AppOptions(token=token))
    >>> app.url
    'https://org-app.hf.space/'
    """
    waiter = _SpaceWaiter(spec, options, progress or _stderr_line)
    try:
        url, stage = waiter.wait()
    finally:
        waiter.close()
    return SpaceApp(spec, options, url, stage)


def _stderr_line(line: str) -> None:
    stream = sys.__stderr__
    if stream is not None:
        stream.write(line + "\n")
        stream.flush()


def _bearer(header: str, token: str | None) -> httpx.Auth | None:
    """An httpx auth that adds the token to `header`, and whose repr hides it."""
    import httpx

    class TokenAuth(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Any, None]:
            request.headers[header] = f"Bearer {token}"
            yield request

        def __repr__(self) -> str:
            return f"<TokenAuth {header}: hidden>"

    return TokenAuth() if token else None


class _SpaceWaiter:
    def __init__(self, spec: AppSpec, options: AppOptions, progress: Callable[[str], None]) -> None:
        import httpx

        from ..client import tls

        self.spec = spec
        self.space_id = spec.target
        self.token = options.token
        self.progress = progress
        self.endpoint = (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.page = f"{self.endpoint}/spaces/{self.space_id}"
        self.budget = options.startup_timeout or DEFAULT_SPACE_STARTUP_TIMEOUT
        self.started = time.monotonic()
        # Never past the test's pytest-timeout deadline either.
        wait, self.cut_by_test_deadline = deadlines.bound(self.budget)
        self.deadline = self.started + (wait if wait is not None else self.budget)
        self.http = httpx.Client(
            headers={"user-agent": "pytest-gradio"},
            follow_redirects=True,
            trust_env=True,
            verify=tls.verify(),
        )
        self.hub_auth = _bearer("authorization", self.token)
        self.space_auth = _bearer("x-hf-authorization", self.token)
        self.stage = "UNKNOWN"
        self.problem = ""
        self.reported_stage: str | None = None
        self.reported_at = 0.0
        self.waited = False

    def close(self) -> None:
        self.http.close()

    # -- the wait --------------------------------------------------------------------

    def wait(self) -> tuple[str, str]:
        info = self.hub_json(f"/api/spaces/{self.space_id}")
        host = _host(info)
        if host is None:
            raise NotAGradioAppError(
                f"Hugging Face Space {self._what()} has no host in the Hub's answer "
                f"(sdk: {info.get('sdk')!r}); it may be a static Space without a server. "
                "Give the app's URL instead."
            )
        # Why not the runtime inside `info`: the runtime endpoint is the one that
        # carries the Space's error message.
        runtime: dict[str, Any] | None = None
        poll = 0.1
        woken_at: float | None = None
        while True:
            if runtime is None:
                runtime = self.hub_json(f"/api/spaces/{self.space_id}/runtime")
            self.stage = str(runtime.get("stage") or "UNKNOWN")
            if self.stage in FAILED_STAGES:
                raise self.stage_error(runtime)
            if self.stage == RUNNING:
                if self.app_answers(host):
                    if self.waited:
                        self.progress(
                            f"pytest-gradio: Space {self.space_id} is up ({self.elapsed():.0f} s)"
                        )
                    return host + "/", self.stage
            elif self.stage == SLEEPING:
                if woken_at is None or time.monotonic() - woken_at >= WAKE_INTERVAL:
                    woken_at = time.monotonic()
                    self.wake(host)
                self.problem = "woken up, waiting for it to start"
            else:
                # A waiting stage, or one this version does not know: it may end.
                self.problem = ""
            self.pause(poll)
            poll = min(poll * 1.5, MAX_POLL_INTERVAL)
            runtime = None

    def app_answers(self, host: str) -> bool:
        """True once the Space's app serves its Gradio config; False while the Space's
        proxy still says it is starting. Raises for answers that will not change."""
        import httpx

        url = host + "/config"
        try:
            response = self.http.get(url, auth=self.space_auth, timeout=self.request_timeout())
        except httpx.TransportError as exc:
            self.problem = f"its app does not answer yet ({_describe(exc)})"
            return False
        if response.status_code in TRANSIENT_STATUS:
            self.problem = f"its app does not answer yet (HTTP {response.status_code})"
            return False
        if response.status_code in (401, 403, 404):
            if self.token is None:
                fix = (
                    "If the Space is private, set HF_TOKEN (in CI, from a secret) or pass "
                    "--gradio-token."
                )
            else:
                fix = "Check that the token can read this Space."
            raise NotAGradioAppError(
                f"Hugging Face Space {self._what()} is RUNNING, but its app at {host} "
                f"answered HTTP {response.status_code} for /config. {fix} A Space that "
                "does not run Gradio cannot be tested with pytest-gradio."
            )
        gradio_config(response, host + "/", self.spec)
        return True

    def wake(self, host: str) -> None:
        """A request to a sleeping Space's host makes the Hub start it again."""
        import httpx

        self.progress(f"pytest-gradio: Space {self.space_id} is SLEEPING; waking it up")
        self.waited = True
        # Whatever it answers, the runtime's stage tells what happens next.
        with contextlib.suppress(httpx.TransportError):
            self.http.get(host + "/", auth=self.space_auth, timeout=self.request_timeout())

    # -- the Hub API -----------------------------------------------------------------

    def hub_json(self, path: str) -> dict[str, Any]:
        """GET a Hub API path; retry transient failures inside the budget."""
        import httpx

        url = self.endpoint + path
        delay = 0.25
        while True:
            retry_after: float | None = None
            try:
                response = self.http.get(url, auth=self.hub_auth, timeout=self.request_timeout())
            except httpx.TransportError as exc:
                self.problem = f"the Hub API at {self.endpoint} does not answer ({_describe(exc)})"
            else:
                if response.status_code == 200:
                    try:
                        # Redacted before parsing: nothing the Hub echoes (an error
                        # message quoting a token) reaches a variable or a message.
                        data = json.loads(self.redact(response.text))
                    except ValueError:
                        data = None
                    if isinstance(data, dict):
                        return data
                    raise AppStartError(
                        f"the Hub API at {url} answered without JSON for Hugging Face Space "
                        f"{self._what()}. Is HF_ENDPOINT ({self.endpoint}) a Hugging Face Hub?"
                    )
                if response.status_code not in TRANSIENT_STATUS:
                    raise self.hub_error(response)
                self.problem = f"the Hub API answered HTTP {response.status_code}"
                retry_after = _retry_after(response)
            self.pause(retry_after if retry_after is not None else delay)
            delay = min(delay * 2, 10.0)

    def hub_error(self, response: httpx.Response) -> Exception:
        code = response.status_code
        said = self.redact(_error_text(response))
        if code == 404:
            return AppSpecError(
                f"Hugging Face Space {self._what()} does not exist on {self.endpoint} "
                f"(HTTP 404: {said}). Check the owner and name: they are the part after "
                f"/spaces/ in the Space's address"
                + (" and that the token can see it." if self.token else ".")
            )
        if code in (401, 403) and self.token is None:
            return AppStartError(
                f"Hugging Face Space {self._what()} is private or gated, and no token was "
                f"given (HTTP {code} from {self.endpoint}: {said}). Set HF_TOKEN (in CI, "
                "from a secret) or pass --gradio-token with a token that can read it."
            )
        if code in (401, 403):
            return AppStartError(
                f"the Hub refused the token for Hugging Face Space {self._what()} "
                f"(HTTP {code}: {said}): it is invalid, expired, or cannot read this "
                "Space. Give a token with read access to it (--gradio-token or HF_TOKEN)."
            )
        return AppStartError(
            f"the Hub API at {self.endpoint} answered HTTP {code} for Hugging Face Space "
            f"{self._what()}: {said}."
        )

    def stage_error(self, runtime: dict[str, Any]) -> AppStartError:
        message = runtime.get("errorMessage") or "the Hub gives no error message"
        hint = FAILED_STAGES[self.stage].format(page=self.page)
        return AppStartError(
            f"Hugging Face Space {self._what()} is {self.stage}: "
            f"{self.redact(_short(str(message)))}. {hint}"
        )

    # -- time and progress -----------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def request_timeout(self) -> float:
        return max(0.5, min(10.0, self.deadline - time.monotonic()))

    def pause(self, seconds: float) -> None:
        """Sleep before the next look, or fail if the budget does not allow it."""
        now = time.monotonic()
        if now >= self.deadline:
            raise self.timeout_error()
        self.report()
        time.sleep(min(seconds, max(0.0, self.deadline - now)))

    def report(self) -> None:
        now = time.monotonic()
        if self.stage == self.reported_stage and now - self.reported_at < PROGRESS_INTERVAL:
            return
        self.reported_stage, self.reported_at = self.stage, now
        self.waited = True
        detail = f", {self.problem}" if self.problem else ""
        self.progress(
            f"pytest-gradio: waiting for Space {self.space_id}: {self.stage}{detail} "
            f"({self.elapsed():.0f} s of {self.budget:g} s)"
        )

    def timeout_error(self) -> AppStartError:
        detail = f"; last: {self.problem}" if self.problem else ""
        if self.cut_by_test_deadline:
            return AppStartError(
                f"Hugging Face Space {self._what()} was not ready when the test's deadline "
                f"came ({deadlines.explain()}): stage {self.stage}{detail}. Look at {self.page}."
            )
        return AppStartError(
            f"Hugging Face Space {self._what()} was not ready within {self.budget:g} s "
            f"(startup_timeout): stage {self.stage}{detail}. Raise startup_timeout / "
            f"--gradio-startup-timeout if it builds slowly, or look at {self.page}."
        )

    def redact(self, text: str) -> str:
        return redact(text, self.token)

    def _what(self) -> str:
        return f"{self.space_id!r} (from {self.spec.source})"


def _host(info: dict[str, Any]) -> str | None:
    host = info.get("host")
    if isinstance(host, str) and host.startswith(("http://", "https://")):
        return host.rstrip("/")
    subdomain = info.get("subdomain")
    if isinstance(subdomain, str) and subdomain:
        return f"https://{subdomain}.hf.space"
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return min(max(float(value), 0.0), 30.0) if value is not None else None
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return _short(data["error"])
    return _short(response.text.strip()) or "no details"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_BODY else text[: _MAX_BODY - 3] + "..."
