"""Finding a Chromium and starting it once per session (per xdist worker).

Where the browser comes from, first found wins (pytest-playwright's `browser` fixture
is used by the glue before any of this, when that plugin is installed):

1. `--gradio-browser=PATH` or ini `gradio_browser`;
2. Playwright's own Chromium (`playwright install chromium`);
3. a Chromium or Chrome on PATH (Debian's `chromium`, `google-chrome`, ...); for a
   headless run, a headless shell on PATH first (Debian's `chromium-headless-shell`,
   Google's `chrome-headless-shell`), as Playwright runs its own build headless.

Why the headless shell: the full browser in headless mode still runs the browser's
own interface (tab strip and other WebUI pages, each in a renderer of its own) and a
zygote per launch. In the browser's CPU the shell took 0.71x for the same page tests
and 0.27x per launch (`benchmarks/browser_cpu.py 20 2`). Pages render with the same
Blink; Playwright's default for `headless=True` has been its headless shell since
Playwright 1.49.

Nothing here imports playwright at module level: the plugin imports this lazily.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import GradioTestError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

# Why each flag: `--no-sandbox` because CI containers run as root, where Chromium's
# sandbox refuses to start; the rest keep a headless test browser from talking to
# anything but the app (update checks, sync, field trials), which on a closed network
# only produces retries and noise. `--disable-features=...`: the page reports its jobs
# to a recorder on 127.0.0.1 (see recording.py); Chromium's Local/Private Network
# Access checks block that from a page on a public address (a Space), so they are off.
NETWORK_ACCESS_FLAG = (
    "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,"
    "PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests"
)
LAUNCH_ARGS = (
    NETWORK_ACCESS_FLAG,
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
)

# Headless shells looked up on PATH before the browsers below, for a headless run.
HEADLESS_SHELLS = ("chromium-headless-shell", "chrome-headless-shell")
# System browsers looked up on PATH, in this order.
SYSTEM_BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)

HOW_TO_GET_ONE = (
    "Get one with `playwright install chromium` (Playwright's own build), or your OS "
    "package (Debian/Ubuntu: `apt-get install chromium`), or point at any Chromium or "
    "Chrome with --gradio-browser=PATH (ini gradio_browser)."
)


class BrowserNotFoundError(GradioTestError):
    """No browser to drive: the message says which places were searched and the fix."""


class PlaywrightMissingError(GradioTestError):
    """The `[browser]` extra is not installed."""


@dataclass(frozen=True)
class BrowserChoice:
    """Which executable to launch (None: Playwright's own), and where it came from."""

    executable: str | None
    source: str


def require_playwright() -> None:
    """Raise PlaywrightMissingError with the fix when playwright is not importable."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PlaywrightMissingError(
            "gradio_page needs Playwright for Python, which is not installed. Install the "
            'browser extra: pip install "pytest-gradio[browser]" (then make sure a '
            f"browser exists: {HOW_TO_GET_ONE})"
        ) from None


def find_browser(
    explicit: str | None,
    explicit_source: str,
    playwright_path: str | None,
    *,
    headless: bool = True,
) -> BrowserChoice:
    """The browser to launch, first found wins (see the module docstring).

    `playwright_path` is where Playwright's own Chromium would be
    (`playwright.chromium.executable_path`), which may not exist. A headless shell
    cannot show a window: `headless=False` skips them.

    >>> find_browser(None, "", None).source
    'PATH: /usr/bin/chromium-headless-shell'
    >>> find_browser(None, "", None, headless=False).source
    'PATH: /usr/bin/chromium'
    """
    searched = []
    if explicit:
        path = Path(explicit).expanduser()
        found = shutil.which(explicit) if not path.exists() else str(path)
        if found is None or not os.access(found, os.X_OK):
            raise BrowserNotFoundError(
                f"The browser {explicit!r} from {explicit_source} does not exist or is not "
                f"executable. Give the path of a Chromium or Chrome executable. {HOW_TO_GET_ONE}"
            )
        return BrowserChoice(found, explicit_source)
    searched.append("--gradio-browser / ini gradio_browser (not set)")
    if playwright_path:
        if Path(playwright_path).exists():
            return BrowserChoice(None, f"Playwright's Chromium: {playwright_path}")
        searched.append(f"Playwright's Chromium ({playwright_path}: not installed)")
    names = (*HEADLESS_SHELLS, *SYSTEM_BROWSERS) if headless else SYSTEM_BROWSERS
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return BrowserChoice(found, f"PATH: {found}")
    searched.append(f"PATH ({', '.join(names)}: none found)")
    raise BrowserNotFoundError(
        "gradio_page needs a Chromium-based browser and none was found. Searched: "
        + "; ".join(searched)
        + f". {HOW_TO_GET_ONE}"
    )


class BrowserSession:
    """Playwright and one headless Chromium for the session; `close()` ends both.

    >>> session = BrowserSession.start(None, "")
    >>> page = session.browser.new_page(); session.close()
    """

    def __init__(self, playwright: Playwright, browser: Browser, choice: BrowserChoice) -> None:
        self.playwright = playwright
        self.browser = browser
        self.choice = choice

    @classmethod
    def start(
        cls,
        explicit: str | None,
        explicit_source: str,
        *,
        headless: bool = True,
        launch_kwargs: dict[str, Any] | None = None,
    ) -> BrowserSession:
        require_playwright()
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            headless = bool((launch_kwargs or {}).get("headless", headless))
            choice = find_browser(
                explicit, explicit_source, _playwright_chromium(playwright), headless=headless
            )
            kwargs: dict[str, Any] = {"headless": headless, "args": list(LAUNCH_ARGS)}
            if choice.executable is not None:
                kwargs["executable_path"] = choice.executable
            kwargs.update(launch_kwargs or {})
            try:
                browser = playwright.chromium.launch(**kwargs)
            except Exception as exc:
                raise BrowserNotFoundError(
                    f"The browser from {choice.source} did not start: {exc}. {HOW_TO_GET_ONE}"
                ) from None
        except BaseException:
            playwright.stop()
            raise
        return cls(playwright, browser, choice)

    def close(self) -> None:
        try:
            # After a Ctrl-C (or a signal-method timeout) inside a Playwright call, the
            # driver's late answer to that call has no caller left, and Playwright
            # raises "Cannot find command to respond" from the next call instead:
            # often this one. Stopping Playwright below ends the browser with its
            # driver all the same; the run ends with its own outcome, not that error.
            with contextlib.suppress(Exception):
                self.browser.close()
        finally:
            self.playwright.stop()


def _playwright_chromium(playwright: Playwright) -> str | None:
    try:
        return str(playwright.chromium.executable_path)
    except Exception:
        return None
