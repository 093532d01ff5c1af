"""What every controller has: finding its element's parts, visibility,
interactivity, progress, and bounded expectations (`retry_until`) that fail with
the expected and the last actual value, as Playwright's `expect` does."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...errors import GradioTestError
from ...matchers import matches

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from ..page import GradioPage


# Elements that carry a component's label, across Gradio's components.
LABEL_SELECTOR = (
    "[data-testid=block-info], [data-testid=block-label], .label-text, "
    ".header-row .label p, input[data-testid=checkbox] ~ span"
)

BLOCK = (
    "xpath=ancestor-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' block ')][1]"
)


RETRY_MS = 50


# A component's status tracker: gradio 6 gives it a test id; gradio 5 draws it as
# `div.wrap.<variant>.<show_progress>` (variant "default" or "center").
_TRACKER = (
    "[data-testid=status-tracker], :is(.wrap.default, .wrap.center):is(.full, .minimal, .hidden)"
)


class ComponentNotFoundError(GradioTestError, LookupError):
    """No component (or more than one) answers to the name given."""


def retry_until(
    page: GradioPage,
    who: str,
    what: str,
    read: Callable[[], Any],
    expected: Any,
    timeout: float | None,
    *,
    negate: bool = False,
) -> None:
    """Until `matches(expected, read())` (with `negate`: until it does not), bounded
    by `timeout` or the page's; else AssertionError with expected and last actual."""
    __tracebackhide__ = True
    bound = page.timeout if timeout is None else timeout
    deadline = time.monotonic() + bound
    actual: Any = "(not read yet)"
    last_read: tuple[Any] | None = None  # the last value a read gave
    failed = ""  # why the latest read gave none
    while True:
        try:
            actual = _bounded(page, read, deadline)
            last_read, failed = (actual,), ""
        except Exception as exc:
            failed = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            actual = f"(could not read: {failed})"
        if matches(expected, actual) is not negate:
            return
        if time.monotonic() >= deadline:
            shown = f"{actual!r}"
            if failed and last_read is not None:
                # The last read ran out of the time left (a busy machine), or the
                # element went: the value the page showed before says more.
                shown = f"{last_read[0]!r}\n  (the read after it failed: {failed})"
            raise AssertionError(
                f"{who}: {what} did not {'stop matching' if negate else 'match'} within "
                f"{bound:.1f} s.\n"
                f"  {'not expected' if negate else 'expected'}: {expected!r}\n"
                f"  actual:   {shown}"
            )
        page.page.wait_for_timeout(RETRY_MS)


# The longest one read of an expectation may block (Playwright waits for the element
# up to the page's default timeout, the job timeout): then the loop reads again, and a
# controller whose element a gr.render replaced finds the new one (see `locator`).
READ_SECONDS = 5.0


def _bounded(page: GradioPage, read: Callable[[], Any], deadline: float) -> Any:
    """`read()` with Playwright's default timeout at most READ_SECONDS for the call."""
    seconds = max(0.5, min(READ_SECONDS, deadline - time.monotonic()))
    page.page.set_default_timeout(seconds * 1000)
    try:
        return read()
    finally:
        page.page.set_default_timeout(page.timeout * 1000)


def exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class Component:
    """Any component: visibility, interactivity and its element (`locator`)."""

    kind = "component"

    def __init__(
        self,
        page: GradioPage,
        locator: Locator,
        name: str,
        config: dict[str, Any],
        *,
        find_again: Callable[[], Locator | None] | None = None,
    ) -> None:
        self.gradio_page = page
        self._locator = locator
        self.name = name
        self.config = config
        # Given for a component a `gr.render` block made: see `locator`.
        self._find_again = find_again

    @property
    def locator(self) -> Locator:
        """The component's element. A `gr.render` block that runs again may make its
        components anew, under new ids (gradio 5 does): when this one's element is
        gone, the component that answers to the same name now is this one."""
        if self._find_again is not None and not self._locator.count():
            self._locator = self._find_again() or self._locator
        return self._locator

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @property
    def _timeout_ms(self) -> float:
        return self.gradio_page.timeout * 1000

    def _bound_ms(self, timeout: float | None) -> float:
        """An expectation's bound in ms: `timeout` (seconds), else the job timeout."""
        return self._timeout_ms if timeout is None else timeout * 1000

    def _expect(self) -> Any:
        from playwright.sync_api import expect

        return expect

    def _retry(
        self,
        what: str,
        read: Callable[[], Any],
        expected: Any,
        timeout: float | None,
        *,
        negate: bool = False,
    ) -> None:
        """Until `matches(expected, read())` (with `negate`: until it does not),
        bounded; else AssertionError."""
        __tracebackhide__ = True
        retry_until(self.gradio_page, repr(self), what, read, expected, timeout, negate=negate)

    # -- visibility and interactivity --------------------------------------------------

    def is_visible(self) -> bool:
        return bool(self.locator.is_visible())

    def expect_visible(self, *, timeout: float | None = None) -> None:
        self._expect()(self.locator).to_be_visible(timeout=self._bound_ms(timeout))

    def expect_hidden(self, *, timeout: float | None = None) -> None:
        self._expect()(self.locator).to_be_hidden(timeout=self._bound_ms(timeout))

    def expect_absent(self, *, timeout: float | None = None) -> None:
        """Until the component's element is not in the page at all (a `gr.render`
        that no longer makes it, `visible=False` on gradio 6); `expect_hidden` also
        holds for an element drawn but not shown."""
        self._expect()(self.locator).to_have_count(0, timeout=self._bound_ms(timeout))

    def _control(self) -> Locator:
        return self.locator.locator("input, textarea, select, button").first

    def is_interactive(self) -> bool:
        return bool(self._control().is_enabled())

    def expect_interactive(self, interactive: bool = True, *, timeout: float | None = None) -> None:
        assertion = self._expect()(self._control())
        if interactive:
            assertion.to_be_enabled(timeout=self._bound_ms(timeout))
        else:
            assertion.to_be_disabled(timeout=self._bound_ms(timeout))

    def text(self) -> str:
        return str(self.locator.inner_text())

    def expect_text(self, expected: str | re.Pattern[str], *, timeout: float | None = None) -> None:
        """The component's visible text contains `expected` (a string or regex)."""
        self._expect()(self.locator).to_contain_text(expected, timeout=self._bound_ms(timeout))

    # -- the progress indicator (status tracker) -----------------------------------------

    def progress(self) -> str | None:
        """The progress the component shows while an event runs (its status
        tracker: "processing | 1.2s", a progress bar's "counting 2/3"...), or None
        when it shows none."""
        # The tracker is drawn only while (or once) an event has a status, and not at
        # all for show_progress="hidden": its absence is "no progress", not a wait.
        shown = self.locator.evaluate(
            "(el, sel) => { const t = el.querySelector(sel);"
            " return !t || t.classList.contains('hide') || !t.offsetParent ? null"
            " : (t.innerText || '').trim(); }",
            _TRACKER,
        )
        return None if shown is None else " ".join(str(shown).split())

    def expect_progress(self, text: Any = None, *, timeout: float | None = None) -> None:
        """Until the component shows progress (its status tracker), whose text
        contains `text` if given (a string; or a regex or matcher of the whole)."""
        __tracebackhide__ = True

        class _Shown:
            def __eq__(self, shown: object) -> bool:
                if not isinstance(shown, str):
                    return False
                if text is None:
                    return True
                if isinstance(text, str):
                    return text in shown
                return matches(text, shown)

            def __repr__(self) -> str:
                return "progress shown" + (f" with {text!r}" if text is not None else "")

        self._retry("progress", self.progress, _Shown(), timeout)

    def expect_no_progress(self, *, timeout: float | None = None) -> None:
        """Until the component shows no progress (its events ended)."""
        __tracebackhide__ = True
        self._retry("progress", self.progress, None, timeout)


class Valued(Component):
    """A component with a value: `set`, `value`, `expect_value`."""

    def set(self, value: Any) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def expect_value(self, expected: Any, *, timeout: float | None = None) -> None:
        """Until the value matches `expected` (matchers allowed), bounded by the job
        timeout or `timeout`."""
        __tracebackhide__ = True
        self._retry("value", self.value, expected, timeout)

    def expect_not_value(self, unexpected: Any, *, timeout: float | None = None) -> None:
        """Until the value does not match `unexpected` (matchers allowed)."""
        __tracebackhide__ = True
        self._retry("value", self.value, unexpected, timeout, negate=True)

    def expect_count(self, count: int, *, timeout: float | None = None) -> None:
        """Until the value holds `count` items (a list-like value: a CheckboxGroup's
        or a multiselect's choices, a Dataframe's rows)."""
        __tracebackhide__ = True
        self._retry("number of items", lambda: len(self.value()), count, timeout)


class Button(Component):
    kind = "button"

    def click(self) -> None:
        self.locator.click(timeout=self._timeout_ms)

    def _control(self) -> Locator:
        return self.locator
