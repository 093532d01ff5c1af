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

Each test still gets a new page, so a new Gradio session (the frontend makes its
session hash per page) and a new sessionStorage. Only Chromium has the DevTools call:
other browsers (pytest-playwright's Firefox or WebKit) get a new context per test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
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

# Context options that make each test's context its own (a recording per test, a
# starting storage state the clearing would remove): never reused.
PER_TEST_OPTIONS = ("storage_state", "record_har_path", "record_video_dir")

_watched_classes: dict[tuple[type, tuple[str, ...], tuple[str, ...]], type] = {}


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

    def __init__(self, context: Any, app_url: str) -> None:
        self.context = context
        self.dirty: str | None = None  # why it cannot be reused
        self.used = False  # a page of it has been handed to a test since the last clear
        self.origins: set[str] = set()
        app = origin(app_url)
        if app:
            self.origins.add(app)
        _watch(context, self._changed)

    def _changed(self, what: str) -> None:
        if self.dirty is None:
            self.dirty = f"the test used context.{what}"

    def track(self, page: Any) -> None:
        """Record the origins `page` navigates to, to clear their storage later."""
        _watch(page, self._changed, names=(), properties=("clock",))

        def navigated(frame: Any) -> None:
            found = origin(frame.url)
            if found:
                self.origins.add(found)

        page.on("framenavigated", navigated)

    def new_page(self) -> Any:
        """A new page, on a context cleared of what earlier pages left, if any did.
        No other page of the context may be open (they would see its storage)."""
        page = self.context.new_page()
        self.track(page)
        if self.used:
            self.context.clear_cookies()
            self.context.clear_permissions()
            session = self.context.new_cdp_session(page)
            try:
                for each in sorted(self.origins):
                    session.send(
                        "Storage.clearDataForOrigin", {"origin": each, "storageTypes": "all"}
                    )
            finally:
                session.detach()
            self.used = False
        return page

    def close_pages(self) -> None:
        for page in list(self.context.pages):
            page.close()

    def close(self) -> None:
        # The browser may have gone first: nothing left to close then.
        with contextlib.suppress(Exception):
            self.context.close()


def _watch(
    target: Any,
    on_change: Callable[[str], None],
    names: tuple[str, ...] = CONTEXT_CHANGES,
    properties: tuple[str, ...] = CONTEXT_PROPERTIES,
) -> None:
    """Make `target` report calls of `names` and reads of `properties` to `on_change`.

    Why a subclass put on the instance: Playwright hands the test this very object
    (`gradio_page.context`, `page.context`), and `clock`/`tracing` are properties,
    which an instance attribute cannot shadow.
    """
    base = type(target)
    key = (base, names, properties)
    cls = _watched_classes.get(key)
    if cls is None:
        namespace: dict[str, Any] = {}
        for name in names:
            namespace[name] = _reporting_method(name, getattr(base, name))
        for name in properties:
            namespace[name] = _reporting_property(name, getattr(base, name))
        cls = type(base.__name__, (base,), namespace)
        _watched_classes[key] = cls
    target.__class__ = cls
    target.__dict__["_pytest_gradio_changed"] = on_change


def _reporting_method(name: str, method: Any) -> Any:
    def reporting(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.__dict__["_pytest_gradio_changed"](name)
        return method(self, *args, **kwargs)

    reporting.__name__ = name
    reporting.__doc__ = method.__doc__
    return reporting


def _reporting_property(name: str, prop: property) -> property:
    def reporting(self: Any) -> Any:
        self.__dict__["_pytest_gradio_changed"](name)
        return prop.fget(self)  # type: ignore[misc]

    return property(reporting, doc=prop.__doc__)
