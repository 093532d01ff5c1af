"""`GradioPage`: a Playwright page on a Gradio app, ready when the app has rendered.

Readiness: the `load` event alone is not enough: Gradio loads each component's code
by dynamic imports after it, so a test that starts at `load` races the render (the
flake gradio's own e2e suite keeps fixing). See `_MOUNTED` for what is waited for.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import GradioTestError, JobTimeoutError
from .recording import REPORT_FAILED, PageJob, PageRecorder

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .controls import Component, Toasts

# Once every known job ended: the page's join count when nothing is in flight and
# two idle periods saw nothing sent or received (RECORDER_JS's `settled`), -1 when
# the budget (ms) ran out first. A `.then()` chain's next event is sent by then.
_SETTLED_JOINS = "(budget) => window.__pytestGradio ? window.__pytestGradio.settled(budget) : 0"
# While waiting for the recorder, how often to look for the page's report errors.
REPORT_CHECK_SECONDS = 0.25


# What "rendered" means. Gradio's `render` event is not sent by a standalone Gradio 6
# page, so: the config is loaded, the layout is mounted, the app's own loader is gone
# (Gradio removes it once every component has mounted, gradio 5.50 to 6), no script
# or stylesheet (the components' code, loaded on demand) is in flight, and two frames
# have been painted since the last one arrived. The loader is the one condition that
# does not depend on timing: between the layout's code arriving and the components'
# code being asked for, nothing is in flight, for longer than two frames on a busy
# machine (seen with the page's CPU slowed 8x, gradio 5.50 and 6.0).
_LOADER = ".gradio-container > * > .wrap > .loading"
_MOUNTED = (
    "() => !!window.gradio_config && "
    "!!document.querySelector('.gradio-container main, .gradio-container .contain') && "
    f"!document.querySelector('{_LOADER}')"
)
_TWO_FRAMES = (
    "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
)
_CODE = ("script", "stylesheet")
# Which of `_MOUNTED`'s conditions hold (for the message when a page does not render).
_RENDER_STATE = (
    "() => ({config: !!window.gradio_config, "
    "layout: !!document.querySelector('.gradio-container main, .gradio-container .contain'), "
    f"loader: !!document.querySelector('{_LOADER}')}})"
)
# Rendered, and nothing arrived for long enough that two more frames would show
# nothing new (as `_MOUNTED` and `_TWO_FRAMES`, where no code is loading).
_SETTLED = (
    "() => (" + _MOUNTED + ")() && performance.now() - Math.max(0, ...performance"
    ".getEntriesByType('resource').map(e => e.responseEnd)) > 100"
)
# The pages that have LIVE_CONFIG_JS (a page kept between tests opens the app again).
_LIVE_CONFIG_ADDED: weakref.WeakSet[Page] = weakref.WeakSet()


def _evaluates_true(page: Page, script: str) -> bool:
    try:
        return bool(page.evaluate(script))
    except Exception:
        return False  # a document on its way: the slow path waits for it


def _failure(request: Any) -> str:
    """Why a request failed: the server's HTTP error if it answered with one."""
    try:
        response = request.response()
    except Exception:
        response = None
    if response is not None and response.status >= 400:
        return f"HTTP {response.status}"
    return str(request.failure)


def _left(deadline: float) -> float:
    return max(0.001, deadline - time.monotonic())


class JobInfo:
    """What `GradioPage.expect_job()` yields: `value` is the job, after the block."""

    value: PageJob


class PageNotReadyError(GradioTestError):
    """The page did not render the Gradio app in time."""


class GradioPage:
    """A Playwright `Page` on the app under test, plus Gradio-aware helpers.

    Every `Page` attribute works on it (`gradio_page.get_by_role(...)`); `page` is
    the plain Playwright page, for APIs that want one (`expect(gradio_page.page)`).

    >>> gradio_page.component("Name").set("Ada")
    >>> gradio_page.component("Greet").click()
    >>> gradio_page.component("Greeting").expect_value("Hello Ada")
    """

    def __init__(self, page: Page, recorder: PageRecorder, *, url: str, timeout: float) -> None:
        self.page = page
        self.url = url
        self.timeout = timeout
        self._recorder = recorder
        self._config: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)

    def __repr__(self) -> str:
        return f"<GradioPage {self.url} {len(self.jobs)} jobs>"

    # -- readiness ---------------------------------------------------------------------

    def open(self) -> GradioPage:
        """Go to the app and wait until Gradio has rendered it (bounded by `timeout`)."""
        self.start_loading()
        return self.wait_rendered()

    def start_loading(self) -> None:
        """Navigate to the app and return once the server answered, leaving the page
        to load and render on its own: the glue prepares the next test's page so,
        while the current test runs. `wait_rendered()` finishes the job."""
        self._loading: set[Any] = set()
        # For the message if the page never renders: read then (a code file the server
        # refused fails as aborted; its answer says why), not on every page load.
        self._code_failed: list[Any] = []
        self._load_error: Exception | None = None

        def started(request: Any) -> None:
            if request.resource_type in _CODE:
                self._loading.add(request)

        def ended(request: Any) -> None:
            self._loading.discard(request)

        def failed(request: Any) -> None:
            self._loading.discard(request)
            if request.resource_type in _CODE:
                self._code_failed.append(request)

        self._listeners = (started, ended, failed)
        self.page.on("request", started)
        self.page.on("requestfinished", ended)
        self.page.on("requestfailed", failed)
        from .controls import LIVE_CONFIG_JS

        try:
            # Here, not where the page is made: every path to a page (a fresh one, a
            # prepared one, a replacement, a kept one) goes through start_loading().
            # Once per page: an init script stays for all its later documents.
            if self.page not in _LIVE_CONFIG_ADDED:
                self.page.add_init_script(LIVE_CONFIG_JS)
                _LIVE_CONFIG_ADDED.add(self.page)
            self.page.goto(self.url, timeout=self.timeout * 1000, wait_until="commit")
        except Exception as exc:
            self._load_error = exc

    def wait_rendered(self) -> GradioPage:
        """Wait until the page `start_loading()` began has rendered the app."""
        # Counted from now, not from start_loading(): a prepared page may have waited
        # through a whole earlier test.
        deadline = time.monotonic() + self.timeout
        loading, page = self._loading, self.page
        try:
            if self._load_error is not None:
                raise self._load_error
            # A page prepared during the test before has usually long rendered: one
            # round trip tells.
            settled = not loading and _evaluates_true(page, _SETTLED) and not loading
            if not settled:
                page.wait_for_function(_MOUNTED, timeout=_left(deadline) * 1000)
            # The layout is mounted; components whose code is still loading are not.
            while not settled:
                while loading:
                    if _left(deadline) <= 0.001:
                        raise TimeoutError("component code still loading")
                    page.wait_for_timeout(10)
                page.evaluate(_TWO_FRAMES)
                if not loading:
                    break
        except Exception as exc:
            errors = self.page_errors()
            raise PageNotReadyError(
                f"The Gradio app at {self.url} did not render within {self.timeout:.0f} s "
                f"({type(exc).__name__}: {str(exc).splitlines()[0]}). "
                + self._why_not_rendered()
                + (f"The page's errors: {'; '.join(errors)}. " if errors else "")
                + "Check the app starts in a browser; raise job_timeout / "
                "--gradio-job-timeout if it renders slowly."
            ) from None
        finally:
            started, ended, failed = self._listeners
            page.remove_listener("request", started)
            page.remove_listener("requestfinished", ended)
            page.remove_listener("requestfailed", failed)
        return self

    def _why_not_rendered(self) -> str:
        """What the page lacked when the wait for it ran out (see `_MOUNTED`)."""
        try:
            state = self.page.evaluate(_RENDER_STATE)
        except Exception as exc:
            found = f"The page could not be read ({type(exc).__name__}). "
        else:
            if not state["config"]:
                found = "The page has no Gradio config (window.gradio_config): is it Gradio's? "
            elif not state["layout"]:
                found = "Gradio's layout was not mounted. "
            elif state["loader"]:
                found = "Gradio's loader was still shown (it goes once every component mounted). "
            else:
                found = "The page looked rendered when the wait ended. "
        loading = sorted({request.url for request in self._loading})
        if loading:
            found += f"Code still loading: {', '.join(loading[:5])}. "
        if self._code_failed:
            listed = [f"{r.url}: {_failure(r)}" for r in self._code_failed[:5]]
            found += f"Code that failed to load: {'; '.join(listed)}. "
        return found

    def page_errors(self) -> list[str]:
        """Uncaught errors and unhandled rejections in the page's JavaScript so far."""
        try:
            errors = self.page.evaluate("() => (window.__pytestGradio || {errors: []}).errors")
        except Exception:
            return []
        return [str(e) for e in errors]

    # -- components --------------------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """The app's config as the page loaded it (`window.gradio_config`)."""
        if self._config is None:
            self._config = self.page.evaluate("() => window.gradio_config || {}")
        return self._config

    def component(
        self, name: str | None = None, *, kind: str | None = None, index: int | None = None
    ) -> Component:
        """The controller of a component, found by label, `elem_id` or button text;
        or by `kind` ("textbox", "markdown", ...) and its `index` among those. A name
        that several components answer to needs `index=`.

        >>> gradio_page.component("Name").set("Ada")
        >>> gradio_page.component(kind="markdown").expect_text("Hello")
        """
        from .controls import find_component

        return find_component(self, name, kind=kind, index=index)

    def expect_absent(
        self, name: str | None = None, *, kind: str | None = None, timeout: float | None = None
    ) -> None:
        """Until no component of this name (or kind) is drawn on the page: none in
        the live config (a `gr.render` that no longer makes it), or its element not
        in the page (not drawn: `visible=False`, a tab not opened).

        >>> gradio_page.expect_absent("Letter 2")
        """
        from .controls import expect_absent

        expect_absent(self, name, kind=kind, timeout=timeout)

    @property
    def toasts(self) -> Toasts:
        """The toasts shown (`gr.Info`, `gr.Warning`, `gr.Error`): `expect(text,
        kind=...)`, `expect_count(n)`, `messages()`, `close()`.

        >>> gradio_page.toasts.expect("counting", kind="info")
        """
        from .controls import Toasts

        return Toasts(self)

    # -- jobs --------------------------------------------------------------------------

    @property
    def jobs(self) -> list[PageJob]:
        """The jobs this page triggered so far, in the order it sent them."""
        return list(self._recorder.jobs)

    @property
    def last_job(self) -> PageJob:
        """The latest job this page sent; if it has sent none yet, waits (bounded) for
        the first. After earlier jobs, `expect_job()` says which one a click made."""
        try:
            self.page.wait_for_function(
                "() => (window.__pytestGradio || {joins: 0}).joins > 0",
                timeout=self.timeout * 1000,
            )
        except Exception:
            raise JobTimeoutError(
                f"The page at {self.url} triggered no job within {self.timeout:.0f} s: did "
                "the action reach a component with an event listener?"
            ) from None
        self._sync_joins(self.timeout)
        return self.jobs[-1]

    def _unrecorded(self, sent: int) -> JobTimeoutError:
        errors = [e for e in self.page_errors() if "pytest-gradio" in e]
        return JobTimeoutError(
            f"The page at {self.url} sent {sent} job(s) but only {len(self.jobs)} reached "
            "pytest-gradio's recorder. "
            + ("; ".join(errors) if errors else "See the page's errors in the report.")
        )

    @contextlib.contextmanager
    def expect_job(self, timeout: float | None = None) -> Iterator[JobInfo]:
        """The job that the actions in the block make the page send (the first, if
        several), as Playwright's `expect_request`: `info.value` after the block.

        >>> with gradio_page.expect_job() as info:
        ...     gradio_page.component("Greet").click()
        >>> assert_job_result(info.value, "Hello Ada")
        """
        bound = self.timeout if timeout is None else timeout
        before = self._page_joins()
        info = JobInfo()
        yield info
        try:
            self.page.wait_for_function(
                f"() => (window.__pytestGradio || {{joins: 0}}).joins > {before}",
                timeout=bound * 1000,
            )
        except Exception:
            raise JobTimeoutError(
                f"expect_job: the page at {self.url} sent no job within {bound:.1f} s of "
                "the actions in the block. Did they reach a component with an event listener?"
            ) from None
        if not self._recorded(before + 1, bound):
            raise self._unrecorded(before + 1)
        info.value = self.jobs[before]

    def _recorded(self, count: int, timeout: float) -> bool:
        """Until the recorder has `count` joins; False at `timeout`, or at once when
        the page says it could not report a message (the collector puts messages back
        in order: one lost keeps the rest from the job it was for, so waiting on would
        only delay the error that says why)."""
        deadline = time.monotonic() + timeout
        while not self._recorder.wait_for_count(count, min(REPORT_CHECK_SECONDS, timeout)):
            timeout = deadline - time.monotonic()
            if timeout <= 0 or any(REPORT_FAILED in e for e in self.page_errors()):
                return False
        return True

    def _page_joins(self) -> int:
        return int(self.page.evaluate("() => (window.__pytestGradio || {joins: 0}).joins"))

    def _sync_joins(self, timeout: float) -> None:
        # The page counts the joins it sent; wait until the collector has them all.
        sent = self._page_joins()
        if not self._recorded(sent, timeout):
            raise self._unrecorded(sent)

    def wait_idle(self, timeout: float | None = None) -> list[PageJob]:
        """Wait until none of this page's jobs is pending or running, `.then()` chains
        included; return the page's jobs. Bounded by `timeout` (else the job timeout).

        >>> gradio_page.component("Greet").click()
        >>> job, = gradio_page.wait_idle()
        """
        bound = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + bound
        settled = 0
        while True:
            left = deadline - time.monotonic()
            joins = self._page_joins()
            if not self._recorded(joins, max(0.0, left)):
                raise self._unrecorded(joins)
            pending = self._recorder.pending()
            for job in pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                # The page must keep running while we wait: Playwright's sync API
                # only serves the browser inside its own calls.
                _wait_future(self.page, job, left)
            if self._recorder.pending():
                if deadline - time.monotonic() <= 0:
                    break
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                break
            settled = int(self.page.evaluate(_SETTLED_JOINS, left * 1000))
            if settled == joins and not self._recorder.pending():
                return self.jobs
            if settled < 0:
                break
        busy = [job for job in self.jobs if not job.done()]
        detail = "; ".join(repr(job) for job in busy) or (
            "a request the page sent (an upload, a queue=False event) was not answered"
            if settled < 0
            else "a job the page sent was not recorded"
        )
        raise JobTimeoutError(
            f"wait_idle: the page at {self.url} was still busy after {bound:.1f} s ({detail}). "
            "Pass timeout=..., or raise job_timeout / --gradio-job-timeout."
        )


def _wait_future(page: Page, job: PageJob, timeout: float) -> None:
    # Short slices, so a page that needs Playwright's attention (dialogs, bindings)
    # is served while the job runs; the job ends on the collector thread.
    deadline = time.monotonic() + timeout
    while not job.done():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        concurrent.futures.wait([job.future], timeout=min(left, 0.05))
        if not job.done():
            page.wait_for_timeout(1)
