"""Browser contexts kept warm between page tests, cleared before each reuse.

Why: in a new context Chromium starts a renderer with an empty HTTP cache and no
compiled code, so Gradio's frontend (about 40 files) is fetched from the app's server
and compiled again for every test: twice the CPU of a page in a context that has
seen the app before (measured: about 1.7 s against 0.8 s of CPU per page). A reused
context keeps only its HTTP cache and compiled code; everything a page can leave
behind is removed before the next test's page is opened in it:

- cookies and permissions (`clear_cookies`, `clear_permissions`);
- each origin's storage the context's pages reached (local and session storage,
  IndexedDB, Cache Storage, service workers, file systems: DevTools'
  `Storage.clearDataForOrigin`, "all" types), while no other page of it is open;
- anything the test changed on the context itself (routes, init scripts, bindings,
  headers, geolocation, offline, timeouts, clock, tracing, listeners) cannot be
  undone: a context a test changed so is closed, never reused ("dirty").

Each context also keeps its page: a test's page is navigated away (to about:blank)
when the test ends and back to the app for a later test, which then gets a new
document, so a new Gradio session (the frontend makes its session hash per
document). Why: a new page is a new renderer process, whose first render of the app
takes about twice as long as one in a renderer that has drawn it before (its memory
cache keeps the parsed styles and compiled scripts). Between tests the page also loses
its session storage and its history; a page the test changed (its own listeners,
routes, init scripts, viewport, media...) or closed is not kept: a new one is made.
Only Chromium has the DevTools calls: other browsers (pytest-playwright's Firefox or
WebKit) get a new context per test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

# What a test can change on a context that clearing storage does not undo. Calling
# one of these (on the context, or `clock` through the page) marks it dirty.
CONTEXT_CHANGES = (
    "add_init_script",
    "expose_binding",
    "expose_function",
    "grant_permissions",
    "route",
    "route_from_har",
    "route_web_socket",
    "set_default_navigation_timeout",
    "set_default_timeout",
    "set_extra_http_headers",
    "set_geolocation",
    "set_offline",
    "set_storage_state",
    "on",
    "once",
    "close",  # by the test: a closed context is no use to the next one
)
CONTEXT_PROPERTIES = ("clock", "tracing")
# The same for a kept page: what a navigation does not undo. (Default timeouts are
# set again for each test.)
PAGE_CHANGES = (
    "add_init_script",
    "add_locator_handler",
    "emulate_media",
    "expose_binding",
    "expose_function",
    "on",
    "once",
    "route",
    "route_from_har",
    "route_web_socket",
    "set_default_navigation_timeout",
    "set_extra_http_headers",
    "set_viewport_size",
)

# Context options that make each test's context its own (a recording per test, a
# starting storage state the clearing would remove): never reused.
PER_TEST_OPTIONS = ("storage_state", "record_har_path", "record_video_dir")

# How long a kept page may take to reach about:blank; else it is closed.
KEPT_PAGE_TIMEOUT = 5.0

# Local storage is cleared here too, by the document that wrote it, not only by
# `Storage.clearDataForOrigin` later: a write the page made just before (gr.BrowserState
# writes as an output arrives) travels to the storage service on the renderer's own
# channel, and on a busy machine it can arrive after the DevTools clear, which comes on
# another; the next test's page then read it (seen once, under xdist). A clear from the
# page is queued behind the page's own writes.
_FORGET_JS = """() => {
    try { sessionStorage.clear(); } catch (e) {}
    try { localStorage.clear(); } catch (e) {}
    window.name = "";
}"""

_watched_classes: dict[tuple[type, tuple[str, ...], tuple[str, ...], str], type] = {}


def reusable(browser: Any, context_args: dict[str, Any]) -> bool:
    """Whether contexts of `browser` made with `context_args` can be reused."""
    try:
        chromium = browser.browser_type.name == "chromium"
    except Exception:
        return False
    return chromium and not any(k in context_args for k in PER_TEST_OPTIONS)


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class WarmContext:
    """A browser context and what its pages have touched since it was last cleared."""

    def __init__(self, context: Any, app_url: str, permissions: list[str] | None = None) -> None:
        self.context = context
        self.dirty: str | None = None  # why it cannot be reused
        self.used = False  # a page of it has been handed to a test since the last clear
        self.origins: set[str] = set()
        # Granted by the context's options: clear_permissions() takes them away too.
        self.permissions = list(permissions or [])
        self.page: Any = None  # the page kept for the next test, on about:blank
        self.page_dirty: str | None = None  # why `page` cannot serve again
        app = origin(app_url)
        if app:
            self.origins.add(app)
        _watch(context, self._changed)

    def _changed(self, what: str) -> None:
        if self.dirty is None:
            self.dirty = f"the test used context.{what}"

    def _page_changed(self, what: str) -> None:
        if self.page_dirty is None:
            self.page_dirty = f"the test used page.{what}"

    def track(self, page: Any) -> None:
        """Record the origins `page` navigates to, to clear their storage later, and
        what the test changes on it."""
        _watch(page, self._page_changed, names=PAGE_CHANGES, properties=())
        # page.clock is the context's clock.
        _watch(page, self._changed, names=(), properties=("clock",), key="_pytest_gradio_ctx")

        def navigated(frame: Any) -> None:
            found = origin(frame.url)
            if found:
                self.origins.add(found)

        with quietly(page):
            page.on("framenavigated", navigated)

    def new_page(self) -> Any:
        """The kept page, or a new one, on a context cleared of what earlier pages
        left, if any did. No other page of the context may be open (they would see
        its storage)."""
        page, self.page = self.page, None
        if page is not None and page.is_closed():
            page = None
        reused = page is not None
        if page is None:
            page = self.context.new_page()
            self.track(page)
        if self.used:
            self.context.clear_cookies()
            self.context.clear_permissions()
            if self.permissions:
                with quietly(self.context):
                    self.context.grant_permissions(self.permissions)
            session = self.context.new_cdp_session(page)
            try:
                for each in sorted(self.origins):
                    session.send(
                        "Storage.clearDataForOrigin", {"origin": each, "storageTypes": "all"}
                    )
                if reused:
                    # Else the test's `go_back()` reaches the test before's document.
                    session.send("Page.resetNavigationHistory")
            finally:
                session.detach()
            self.used = False
        return page

    def keep(self, page: Any) -> bool:
        """Keep `page`, the test's, for the next test of this context: navigated to
        about:blank, so that nothing of the test's document runs on (its jobs, its
        timers). False, and the page closed, if it cannot serve again."""
        if self.dirty is None and self.page_dirty is None and not page.is_closed():
            try:
                # The window's name belongs to the page and outlives its documents, as
                # session storage does (which `Storage.clearDataForOrigin` also clears,
                # on Chromium 156: this is for the page's current origin in any case).
                page.evaluate(_FORGET_JS)
                # Waited for (not left to run during the next test): a context closed
                # while its page is on a navigation the page started never closes
                # (Playwright 1.65, Chromium 156).
                page.goto("about:blank", timeout=KEPT_PAGE_TIMEOUT * 1000)
            except Exception:
                pass
            else:
                self.page = page
                return True
        self.page_dirty = None
        with contextlib.suppress(Exception):
            page.close()
        return False

    def close_pages(self) -> None:
        """Close every page but the kept one (popups the test opened, a page not kept)."""
        for page in list(self.context.pages):
            if page is not self.page:
                page.close()

    def close(self) -> None:
        # The browser may have gone first: nothing left to close then.
        with contextlib.suppress(Exception):
            self.context.close()


@contextlib.contextmanager
def quietly(target: Any) -> Iterator[Any]:
    """Calls on a watched `target` that are the plugin's own, not the test's."""
    target.__dict__["_pytest_gradio_quiet"] = True
    try:
        yield target
    finally:
        target.__dict__["_pytest_gradio_quiet"] = False


def _watch(
    target: Any,
    on_change: Callable[[str], None],
    names: tuple[str, ...] = CONTEXT_CHANGES,
    properties: tuple[str, ...] = CONTEXT_PROPERTIES,
    key: str = "_pytest_gradio_changed",
) -> None:
    """Make `target` report calls of `names` and reads of `properties` to `on_change`
    (kept in the instance's `key`), unless they come from inside `quietly(target)`.

    Why a subclass put on the instance: Playwright hands the test this very object
    (`gradio_page.context`, `page.context`), and `clock`/`tracing` are properties,
    which an instance attribute cannot shadow.
    """
    base = type(target)
    found = (base, names, properties, key)
    cls = _watched_classes.get(found)
    if cls is None:
        namespace: dict[str, Any] = {}
        for name in names:
            namespace[name] = _reporting_method(name, getattr(base, name), key)
        for name in properties:
            namespace[name] = _reporting_property(name, getattr(base, name), key)
        cls = type(base.__name__, (base,), namespace)
        _watched_classes[found] = cls
    target.__class__ = cls
    target.__dict__[key] = on_change


def _reporting_method(name: str, method: Any, key: str) -> Any:
    def reporting(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.__dict__.get("_pytest_gradio_quiet"):
            self.__dict__[key](name)
        return method(self, *args, **kwargs)

    reporting.__name__ = name
    reporting.__doc__ = method.__doc__
    return reporting


def _reporting_property(name: str, prop: property, key: str) -> property:
    def reporting(self: Any) -> Any:
        if not self.__dict__.get("_pytest_gradio_quiet"):
            self.__dict__[key](name)
        return prop.fget(self)  # type: ignore[misc]

    return property(reporting, doc=prop.__doc__)
