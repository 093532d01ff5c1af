"""pytest glue for browser tests: the options, `gradio_page`, and failure artifacts.

Registered by `plugin.py`. Loading it imports no playwright and no gradio: the
fixtures import `pytest_gradio.browser` when a test first asks for a page.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .apps import GradioApp
    from .browser.launch import BrowserSession
    from .browser.page import GradioPage
    from .browser.recording import Collector

HELP_BROWSER = (
    "the Chromium or Chrome executable gradio_page drives (default: pytest-playwright's "
    "browser if installed, else Playwright's Chromium, else chromium/google-chrome on PATH)."
)
HELP_OUTPUT = "where failing browser tests leave screenshots and traces (default: test-results)."
HELP_TRACING = "record a Playwright trace per browser test: 'off' (default) or 'retain-on-failure'."
HELP_CONSOLE_ERRORS = (
    "uncaught errors in the page's JavaScript: 'report' (listed for failing tests, "
    "default) or 'fail' (they fail the test)."
)
TRACING = ("off", "retain-on-failure")
CONSOLE_ERRORS = ("report", "fail")
SECTION_TITLE = "gradio: browser"

PAGE_KEY = pytest.StashKey["_PageState"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradio", "testing Gradio apps (pytest-gradio)")
    group.addoption(
        "--gradio-browser", dest="gradio_browser", default=None, metavar="PATH", help=HELP_BROWSER
    )
    group.addoption(
        "--gradio-output", dest="gradio_output", default=None, metavar="DIR", help=HELP_OUTPUT
    )
    group.addoption(
        "--gradio-tracing", dest="gradio_tracing", default=None, metavar="MODE", help=HELP_TRACING
    )
    group.addoption(
        "--gradio-console-errors",
        dest="gradio_console_errors",
        default=None,
        metavar="MODE",
        help=HELP_CONSOLE_ERRORS,
    )
    parser.addini("gradio_browser", HELP_BROWSER, default=None)
    parser.addini("gradio_output", HELP_OUTPUT, default=None)
    parser.addini("gradio_tracing", HELP_TRACING, default=None)
    parser.addini("gradio_console_errors", HELP_CONSOLE_ERRORS, default=None)


def _setting(
    config: pytest.Config, name: str, choices: tuple[str, ...] | None = None
) -> tuple[str | None, str]:
    """(value, source) of a --gradio-X option, else its ini twin; validated."""
    value, source = config.getoption(name), "--" + name.replace("_", "-")
    if value is None:
        ini = config.getini(name)
        value, source = (str(ini) if ini not in (None, "", []) else None), f"ini {name}"
    if value is not None and choices is not None and value not in choices:
        raise pytest.UsageError(
            f"Invalid value {value!r} from {source}: use one of {', '.join(choices)}."
        )
    return value, source


def pytest_configure(config: pytest.Config) -> None:
    # Fail early on a typo, not in the first browser test.
    _setting(config, "gradio_tracing", TRACING)
    _setting(config, "gradio_console_errors", CONSOLE_ERRORS)


# --- fixtures --------------------------------------------------------------------------


BROWSER_KEY = pytest.StashKey["_OwnBrowser"]()


class _OwnBrowser:
    """The browser pytest-gradio starts itself: started when a test first needs it,
    closed (with Playwright) after a test whose next test does not need it, and started
    again when one does.

    Why not keep it for the whole session: Playwright's sync API keeps an asyncio event
    loop running in the main thread while it is started, so every `asyncio.run()` of
    a later test in the same session would fail ("cannot be called from a running event
    loop"). Browser tests usually sit together in a file: they share one browser.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.session: BrowserSession | None = None

    def get(self) -> Any:
        if self.session is None:
            from .browser.launch import BrowserSession

            explicit, source = _setting(self.config, "gradio_browser")
            self.session = BrowserSession.start(explicit, source)
        return self.session.browser

    def close(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.close()


@pytest.fixture
def gradio_browser(request: pytest.FixtureRequest) -> Any:
    """The browser of this test's pages: pytest-playwright's `browser` when that
    plugin is installed (its --browser-channel, --headed, --slowmo apply), else a
    headless Chromium found as `--gradio-browser` describes, started once for the
    browser tests that run one after another (per xdist worker)."""
    if request.config.pluginmanager.hasplugin("playwright"):
        try:
            return request.getfixturevalue("browser")
        except Exception as exc:
            from .browser.launch import HOW_TO_GET_ONE, BrowserNotFoundError

            raise BrowserNotFoundError(
                "gradio_page uses pytest-playwright's `browser` fixture (pytest-playwright "
                f"is installed), and it did not start: {str(exc).splitlines()[0]} "
                "Run `playwright install chromium`, or give pytest-playwright an executable "
                "(override the browser_type_launch_args fixture with executable_path=...), "
                "or run with -p no:playwright so that pytest-gradio finds a browser itself. "
                + HOW_TO_GET_ONE
            ) from exc
    own = request.config.stash.get(BROWSER_KEY, None)
    if own is None:
        own = request.config.stash[BROWSER_KEY] = _OwnBrowser(request.config)
    return own.get()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    own = item.config.stash.get(BROWSER_KEY, None)
    if own is None or own.session is None:
        return
    if nextitem is not None and "gradio_browser" in getattr(nextitem, "fixturenames", ()):
        return
    own.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    own = config.stash.get(BROWSER_KEY, None)
    if own is not None:
        own.close()


@pytest.fixture(scope="session")
def gradio_page_collector() -> Iterator[Collector]:
    """The loopback endpoint the session's pages report their jobs to."""
    from .browser.recording import Collector

    collector = Collector.start()
    try:
        yield collector
    finally:
        collector.close()


@dataclass
class _PageState:
    page: GradioPage | None = None
    context: Any = None
    console: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    tracing: bool = False
    artifacts: list[Path] = field(default_factory=list)


@pytest.fixture
def gradio_browser_context_args(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The options of each `gradio_page`'s browser context (Playwright's
    `Browser.new_context`): override this fixture to set them, with or without
    pytest-playwright. Default: pytest-playwright's `browser_context_args` (viewport,
    locale, base_url...) when it is installed, as its own `page` would have them;
    else none.

    >>> @pytest.fixture
    ... def gradio_browser_context_args():
    ...     return {"permissions": ["clipboard-read", "clipboard-write"]}
    """
    if request.config.pluginmanager.hasplugin("playwright"):
        return dict(request.getfixturevalue("browser_context_args"))
    return {}


@pytest.fixture
def gradio_page(
    request: pytest.FixtureRequest,
    gradio_app: GradioApp,
    gradio_browser: Any,
    gradio_page_collector: Collector,
) -> Iterator[GradioPage]:
    """A Playwright page on the app under test, in a fresh browser context (cookies,
    storage and Gradio session are this test's), returned once the app has rendered.
    The jobs it triggers are recorded: `gradio_page.jobs`, `gradio_page.wait_idle()`.

    >>> def test_greet(gradio_page):
    ...     gradio_page.component("Name").set("Ada")
    ...     gradio_page.component("Greet").click()
    ...     gradio_page.component("Greeting").expect_value("Hello Ada")
    """
    from .browser.launch import NETWORK_ACCESS_FLAG
    from .browser.page import GradioPage
    from .browser.recording import RECORDER_JS, PageRecorder

    state = _PageState()
    request.node.stash[PAGE_KEY] = state
    timeout = gradio_app.job_timeout
    recorder = PageRecorder(gradio_app.client, job_timeout=timeout)
    sink = gradio_page_collector.register(recorder.receive)
    context_args = dict(request.getfixturevalue("gradio_browser_context_args"))
    context = gradio_browser.new_context(**context_args)
    state.context = context
    try:
        tracing, _ = _setting(request.config, "gradio_tracing", TRACING)
        if tracing == "retain-on-failure":
            context.tracing.start(screenshots=True, snapshots=True)
            state.tracing = True
        context.add_init_script(
            RECORDER_JS.replace("%SINK%", sink).replace("%FLAG%", NETWORK_ACCESS_FLAG)
        )
        page = context.new_page()
        page.set_default_timeout(timeout * 1000)
        page.on("console", lambda m: _console(state, m))
        page.on("pageerror", lambda e: state.console.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: _failed_request(state, r, sink))
        gradio = GradioPage(page, recorder, url=gradio_app.url, timeout=timeout)
        state.page = gradio
        yield gradio.open()
    finally:
        state.page = None
        gradio_page_collector.unregister(sink)
        if state.tracing:
            with contextlib.suppress(Exception):
                context.tracing.stop()
        try:
            context.close()
        finally:
            recorder.close()


def _console(state: _PageState, message: Any) -> None:
    if message.type == "error":
        state.console.append(f"console.error: {message.text}")


def _failed_request(state: _PageState, request: Any, sink: str) -> None:
    if request.url.startswith(sink.rsplit("/", 1)[0]):
        return  # the recorder's own posts, cancelled when the page closes
    if request.failure == "net::ERR_ABORTED":
        return  # the page cancelled it itself (Gradio closes its queue stream so)
    state.failed_requests.append(f"{request.method} {request.url}: {request.failure}")


# --- failure artifacts -----------------------------------------------------------------


def _artifact_base(item: pytest.Item) -> Path:
    output, _ = _setting(item.config, "gradio_output")
    root = Path(output or "test-results")
    if not root.is_absolute():
        root = Path(item.config.invocation_params.dir) / root
    # xdist-safe: the node id is unique in a run, the worker id keeps reruns apart.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = re.sub(r"[^\w.-]+", "-", item.nodeid).strip("-")[:150]
    return root / (f"{name}-{worker}" if worker else name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    state = item.stash.get(PAGE_KEY, None)
    if state is None or state.page is None or report.when == "teardown":
        return report
    page = state.page
    errors = [*page.page_errors(), *(e for e in state.console if e.startswith("uncaught"))]
    if report.passed and report.when == "call":
        mode, _ = _setting(item.config, "gradio_console_errors", CONSOLE_ERRORS)
        if mode == "fail" and errors:
            report.outcome = "failed"
            report.longrepr = (
                "The page had uncaught JavaScript errors (--gradio-console-errors=fail):\n"
                + "\n".join(f"  {e}" for e in _unique(errors))
            )
    if not report.failed:
        return report
    lines = _save_artifacts(item, state)
    if errors:
        lines.append("page errors:")
        lines += [f"  {e}" for e in _unique(errors)]
    others = [c for c in state.console if not c.startswith("uncaught")]
    if others:
        lines.append("console errors:")
        lines += [f"  {c}" for c in _unique(others)[-20:]]
    if state.failed_requests:
        lines.append("failed requests:")
        lines += [f"  {r}" for r in _unique(state.failed_requests)[-20:]]
    report.sections.append((SECTION_TITLE, "\n".join(lines)))
    # Into the item's properties: JUnit reads them from the teardown report, which
    # copies them from the item.
    for path in state.artifacts:
        item.user_properties.append(("gradio_artifact", str(path)))
    return report


def _save_artifacts(item: pytest.Item, state: _PageState) -> list[str]:
    base = _artifact_base(item)
    base.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    assert state.page is not None
    try:
        png = base.with_name(base.name + ".png")
        state.page.page.screenshot(path=str(png), full_page=True, timeout=10_000)
        state.artifacts.append(png)
        lines.append(f"screenshot: {png}")
    except Exception as exc:
        lines.append(f"screenshot: not taken ({type(exc).__name__}: {exc})")
    if state.tracing:
        trace = base.with_name(base.name + "-trace.zip")
        try:
            state.context.tracing.stop(path=str(trace))
            state.tracing = False
            state.artifacts.append(trace)
            lines.append(f"trace: {trace} (open with: playwright show-trace {trace})")
        except Exception as exc:
            lines.append(f"trace: not saved ({type(exc).__name__}: {exc})")
    lines.append(f"jobs from the page: {len(state.page.jobs)}")
    return lines


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
