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
    from .browser.pool import WarmContext
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
# The browser section of a test whose page did not render: made while the page is
# still there (the fixture gives it back before the setup report is made).
NOT_RENDERED_KEY = pytest.StashKey[str]()


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
PAGES_KEY = pytest.StashKey["_Pages"]()
NEXT_KEY = pytest.StashKey["pytest.Item | None"]()


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # gradio_page prepares the next test's page during this one: it needs to know
    # whether there is one (xdist gives each worker's next item too).
    item.stash[NEXT_KEY] = nextitem
    return (yield)


def _wants_page(item: pytest.Item | None) -> bool:
    return item is not None and "gradio_page" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    # After the fixtures' teardown: warm contexts and a prepared page are kept only
    # for a next test that takes a page.
    pages = item.config.stash.get(PAGES_KEY, None)
    if pages is not None and not _wants_page(nextitem):
        pages.close()
    own = item.config.stash.get(BROWSER_KEY, None)
    if own is None or own.session is None:
        return
    if nextitem is not None and "gradio_browser" in getattr(nextitem, "fixturenames", ()):
        return
    own.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    pages = config.stash.get(PAGES_KEY, None)
    if pages is not None:
        pages.close()
    own = config.stash.get(BROWSER_KEY, None)
    if own is not None:
        own.close()


@pytest.fixture(scope="session")
def gradio_page_collector(request: pytest.FixtureRequest) -> Iterator[Collector]:
    """The loopback endpoint the session's pages report their jobs to."""
    from .browser.recording import Collector

    collector = Collector.start()
    try:
        yield collector
    finally:
        # Before the collector (a prepared page reports to it) and before
        # pytest-playwright's session browser, which is torn down after this.
        pages = request.config.stash.get(PAGES_KEY, None)
        if pages is not None:
            pages.close()
        collector.close()


@dataclass
class _PageState:
    page: GradioPage | None = None
    context: Any = None
    console: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    tracing: bool = False
    artifacts: list[Path] = field(default_factory=list)


@dataclass
class _Slot:
    """One test's page with everything made for it, possibly before the test."""

    key: tuple[Any, ...]
    state: _PageState
    gradio: GradioPage
    recorder: Any
    sink: str
    warm: WarmContext | None  # None: a context of its own, closed with the page
    # What was put on the page for this test only, taken off again when a warm
    # context keeps the page: (event, handler) pairs, the recorder's init script.
    listeners: list[tuple[str, Any]] = field(default_factory=list)
    script: Any = None


class _Pages:
    """Warm contexts of one app and the page prepared for the next test (per
    browser, per xdist worker): see `browser/pool.py` for what is kept and what is
    cleared, and `gradio_page` for when a page is prepared."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.key: tuple[Any, ...] | None = None
        self.idle: list[WarmContext] = []
        self.prepared: _Slot | None = None
        self.load_events: dict[tuple[Any, ...], bool] = {}

    def take(self, key: tuple[Any, ...]) -> _Slot | None:
        """The prepared page if it was made for `key`; else None, and everything kept
        for another app or browser is closed."""
        slot, self.prepared = self.prepared, None
        if slot is not None and slot.key == key:
            return slot
        if slot is not None:
            self.discard(slot)
        if self.key != key:
            self.close_idle()
            self.key = key
        return None

    def context(self, key: tuple[Any, ...], browser: Any, args: dict[str, Any], url: str) -> Any:
        """A warm context of `key` with no page open (but the one it keeps), or a new one."""
        from .browser.pool import WarmContext

        self.key = key
        if self.idle:
            return self.idle.pop()
        return WarmContext(browser.new_context(**args), url, args.get("permissions"))

    def give_back(self, warm: WarmContext) -> None:
        try:
            warm.close_pages()
        except Exception:
            warm.dirty = warm.dirty or "its pages did not close"
        if warm.dirty is None and len(self.idle) < 2:
            self.idle.append(warm)
        else:
            warm.close()

    def discard(self, slot: _Slot) -> None:
        self.collector.unregister(slot.sink)
        try:
            if slot.warm is not None:
                _put_away(slot)
                self.give_back(slot.warm)
        finally:
            slot.recorder.close()

    def close_idle(self) -> None:
        idle, self.idle = self.idle, []
        for warm in idle:
            warm.close()

    def close(self) -> None:
        slot, self.prepared = self.prepared, None
        try:
            if slot is not None:
                self.discard(slot)
        finally:
            self.close_idle()
            self.key = None


# True when the app has events the page sends by itself (load, timers, gr.render):
# a page prepared during the previous test would run them during that test.
_SENDS_BY_ITSELF = """() => (((window.gradio_config || {}).dependencies) || []).some(
    (d) => !!d.every || (d.targets || []).some((t) => t && (t[1] === "load" || t[1] === "tick")))"""


def _new_slot(
    key: tuple[Any, ...],
    config: pytest.Config,
    gradio_app: GradioApp,
    collector: Collector,
    context: Any,
    warm: WarmContext | None,
    tracing: bool,
) -> _Slot:
    """A page on `gradio_app`, its listeners and recorder, navigating (not waited for)."""
    from .browser.launch import NETWORK_ACCESS_FLAG
    from .browser.page import GradioPage
    from .browser.pool import quietly
    from .browser.recording import RECORDER_JS, PageRecorder

    state = _PageState(context=context)
    timeout = gradio_app.job_timeout
    recorder = PageRecorder(gradio_app.client, job_timeout=timeout)
    sink = collector.register(recorder.receive)
    listeners: list[tuple[str, Any]] = [
        ("console", lambda m: _console(state, m)),
        ("pageerror", lambda e: state.console.append(f"uncaught: {e}")),
        ("requestfailed", lambda r: _failed_request(state, r, sink)),
    ]
    try:
        if tracing:
            context.tracing.start(screenshots=True, snapshots=True)
            state.tracing = True
        page = context.new_page() if warm is None else warm.new_page()
        with quietly(page):
            # On the page, not the context: the sink is this test's, the context is
            # shared. A kept page takes it off again (see `_put_away`).
            script = page.add_init_script(
                RECORDER_JS.replace("%SINK%", sink).replace("%FLAG%", NETWORK_ACCESS_FLAG)
            )
            page.set_default_timeout(timeout * 1000)
            for event, handler in listeners:
                page.on(event, handler)
            gradio = GradioPage(page, recorder, url=gradio_app.url, timeout=timeout)
            gradio.start_loading()
    except BaseException:
        collector.unregister(sink)
        recorder.close()
        raise
    return _Slot(key, state, gradio, recorder, sink, warm, listeners, script)


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
    """A Playwright page on the app under test, returned once the app has rendered:
    a new page (so a new Gradio session and sessionStorage) in a context whose
    cookies, storage and permissions are this test's. The jobs it triggers are
    recorded: `gradio_page.jobs`, `gradio_page.wait_idle()`.

    >>> def test_greet(gradio_page):
    ...     gradio_page.component("Name").set("Ada")
    ...     gradio_page.component("Greet").click()
    ...     gradio_page.component("Greeting").expect_value("Hello Ada")
    """
    from .browser.page import PageNotReadyError
    from .browser.pool import reusable

    config = request.config
    pages = config.stash.get(PAGES_KEY, None)
    if pages is None or pages.collector is not gradio_page_collector:
        pages = config.stash[PAGES_KEY] = _Pages(gradio_page_collector)
    # The key below holds them: a warm context serves only tests with the same options.
    context_args = dict(request.getfixturevalue("gradio_browser_context_args"))
    tracing = _setting(config, "gradio_tracing", TRACING)[0] == "retain-on-failure"
    # A trace should show the page loading, and a context per test is then the
    # simplest thing: tracing runs take the slow path.
    warm = not tracing and reusable(gradio_browser, context_args)
    key = (id(gradio_browser), id(gradio_app), gradio_app.url, repr(sorted(context_args.items())))
    slot = pages.take(key) if warm else None
    prepared = slot is not None
    discarded: _Slot | None = None
    if slot is None:
        made: tuple[Any, WarmContext | None]
        if warm:
            made = _context_for(pages, key, gradio_browser, context_args, gradio_app.url)
        else:
            made = (gradio_browser.new_context(**context_args), None)
        try:
            slot = _new_slot(
                key, config, gradio_app, gradio_page_collector, made[0], made[1], tracing=tracing
            )
        except BaseException:
            (made[1] or made[0]).close()
            raise
    state = slot.state
    request.node.stash[PAGE_KEY] = state
    if slot.warm is not None:
        slot.warm.used = True
    try:
        state.page = slot.gradio
        # Before waiting for this page: making the next one blocks for a while (a new
        # page, its navigation), and this page renders meanwhile. Not in the first
        # test of an app: it would pay for it, on top of starting the browser, and
        # whether the app sends events at load is known once its page has rendered.
        prepare = warm and _wants_page(request.node.stash.get(NEXT_KEY, None))
        if prepare and pages.load_events.get(slot.key) is False:
            _prepare_next(pages, slot, config, gradio_app, gradio_browser, context_args)
        try:
            slot.gradio.wait_rendered()
        except PageNotReadyError:
            if not prepared:
                raise
            # Made during the test before, which may have changed what it loaded
            # from (restarted the app...): this test's own page says what is wrong.
            pages.discard(slot)
            discarded = slot
            again = _context_for(pages, key, gradio_browser, context_args, gradio_app.url)
            try:
                slot = _new_slot(
                    key,
                    config,
                    gradio_app,
                    gradio_page_collector,
                    again[0],
                    again[1],
                    tracing=False,
                )
            except BaseException:
                again[1].close()
                raise
            state = slot.state
            request.node.stash[PAGE_KEY] = state
            again[1].used = True
            state.page = slot.gradio
            slot.gradio.wait_rendered()
        if warm and slot.key not in pages.load_events:
            pages.load_events[slot.key] = bool(slot.gradio.page.evaluate(_SENDS_BY_ITSELF))
        yield slot.gradio
    except PageNotReadyError:
        if state.page is not None:
            section = _failure_section(request.node, state, _errors(state))
            request.node.stash[NOT_RENDERED_KEY] = section
        raise
    finally:
        state.page = None
        if slot is not discarded:  # else its replacement could not be made
            _release(pages, slot, gradio_page_collector)


def _release(pages: _Pages, slot: _Slot, collector: Collector) -> None:
    """Close what `gradio_page` made for a test (its page; its context unless warm)."""
    state = slot.state
    collector.unregister(slot.sink)
    if state.tracing:
        with contextlib.suppress(Exception):
            state.context.tracing.stop()
    try:
        if slot.warm is not None:
            _put_away(slot)
            pages.give_back(slot.warm)
        else:
            state.context.close()
    finally:
        slot.recorder.close()


def _put_away(slot: _Slot) -> None:
    """Keep the slot's page in its warm context for a later test, with nothing of this
    test left on it, or close it."""
    assert slot.warm is not None
    page = slot.gradio.page
    # Recent Playwright releases (1.65 here) return the init script's handle, a
    # Disposable (Python: `close()`); older ones return None: such a page cannot lose
    # the script, and is not kept.
    remove = getattr(slot.script, "close", None)
    if remove is None:
        slot.warm.page_dirty = slot.warm.page_dirty or "its init script cannot be removed"
    elif not page.is_closed():
        try:
            for event, handler in slot.listeners:
                page.remove_listener(event, handler)
            remove()
        except Exception:
            slot.warm.page_dirty = slot.warm.page_dirty or "its init script was not removed"
    slot.warm.keep(page)


def _context_for(
    pages: _Pages, key: tuple[Any, ...], browser: Any, args: dict[str, Any], url: str
) -> tuple[Any, WarmContext]:
    warm = pages.context(key, browser, args, url)
    return warm.context, warm


def _prepare_next(
    pages: _Pages,
    slot: _Slot,
    config: pytest.Config,
    gradio_app: GradioApp,
    browser: Any,
    context_args: dict[str, Any],
) -> None:
    """Start the next test's page, for this test's app, in another warm context: it
    loads and renders while this test runs. The next test takes it if it runs on the
    same app in the same browser; otherwise it is closed unused. Only for an app known
    to send no event by itself at load: those events would run during this test, on
    this test's server."""
    key = slot.key
    context = pages.context(key, browser, context_args, gradio_app.url)
    try:
        pages.prepared = _new_slot(
            key, config, gradio_app, pages.collector, context.context, context, tracing=False
        )
    except Exception:
        # Not this test's failure: the next test makes its own page, and says why
        # if it cannot.
        context.close()


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
    not_rendered = item.stash.get(NOT_RENDERED_KEY, None)
    if not_rendered is not None and report.when == "setup" and report.failed:
        report.sections.append((SECTION_TITLE, not_rendered))
        return report
    state = item.stash.get(PAGE_KEY, None)
    if state is None or state.page is None or report.when == "teardown":
        return report
    mode, _ = _setting(item.config, "gradio_console_errors", CONSOLE_ERRORS)
    if not report.failed and not (mode == "fail" and report.when == "call"):
        return report  # nothing to read from the page: spare a round trip per phase
    errors = _errors(state)
    if report.passed and report.when == "call" and mode == "fail" and errors:
        report.outcome = "failed"
        report.longrepr = (
            "The page had uncaught JavaScript errors (--gradio-console-errors=fail):\n"
            + "\n".join(f"  {e}" for e in _unique(errors))
        )
    if report.failed:
        report.sections.append((SECTION_TITLE, _failure_section(item, state, errors)))
    return report


def _errors(state: _PageState) -> list[str]:
    """The page's uncaught errors: as its recorder caught them, and from its console."""
    assert state.page is not None
    return [*state.page.page_errors(), *(e for e in state.console if e.startswith("uncaught"))]


def _failure_section(item: pytest.Item, state: _PageState, errors: list[str]) -> str:
    """The report's browser section: artifacts saved now, the page's errors, console
    errors and failed requests."""
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
    # Into the item's properties: JUnit reads them from the teardown report, which
    # copies them from the item.
    for path in state.artifacts:
        item.user_properties.append(("gradio_artifact", str(path)))
    return "\n".join(lines)


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
