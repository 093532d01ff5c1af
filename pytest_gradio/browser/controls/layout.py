"""Layout a test drives, and what the page shows over it: Tabs, Tab,
Accordion, toasts."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from ...matchers import matches
from .base import Component, ComponentNotFoundError, exact, retry_until
from .script import ID_CLASS

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from ..page import GradioPage


class Tabs(Component):
    """A `gr.Tabs`: `select(label)`, `selected()` (the selected tab's label),
    `expect_selected(label)`, `labels()`."""

    kind = "tabs"

    def _buttons(self, selected: bool = False) -> Locator:
        # Tabs nested in this one draw their tab bars in its tab items: only this one's.
        more = "[aria-selected=true]" if selected else ""
        return self.locator.locator(f":scope > :not(.tabitem) [role=tab]{more}")

    def labels(self) -> list[str]:
        """The labels of the tabs shown in the tab bar, in order."""
        self._buttons().first.wait_for(state="attached", timeout=self._timeout_ms)
        return _unique([" ".join(str(t).split()) for t in self._buttons().all_inner_texts()])

    def select(self, label: str) -> None:
        """Open the tab of this label."""
        button = self._buttons().filter(has_text=exact(label)).first
        try:
            button.click(timeout=self._timeout_ms)
        except Exception:
            raise ComponentNotFoundError(
                f"{self!r} has no tab {label!r} to select; its tabs: {self.labels()!r}."
            ) from None

    def selected(self) -> str | None:
        texts = self._buttons(selected=True).all_inner_texts()
        return " ".join(str(texts[0]).split()) if texts else None

    def expect_selected(self, label: str, *, timeout: float | None = None) -> None:
        """Until the tab of this label is the selected one."""
        __tracebackhide__ = True
        self._retry("selected tab", self.selected, label, timeout)


class Tab(Component):
    """A `gr.Tab`, by its label: `select()`, `is_selected()`, `expect_selected()`.
    Its `locator` is the tab's content."""

    kind = "tabitem"

    @property
    def label(self) -> str:
        return str((self.config.get("props") or {}).get("label") or self.name)

    def _tabs(self) -> Tabs:
        parent = self.config.get("_parent_tabs")
        if parent is None:
            raise ComponentNotFoundError(f"{self!r}: the page does not say which Tabs hold it.")
        locator = self.gradio_page.page.locator(f".{ID_CLASS}{parent}").first
        return Tabs(self.gradio_page, locator, f"tabs of {self.name}", {})

    def select(self) -> None:
        self._tabs().select(self.label)

    def is_selected(self) -> bool:
        return self._tabs().selected() == self.label

    def expect_selected(self, selected: bool = True, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("selected", self.is_selected, selected, timeout)


class Accordion(Component):
    """A `gr.Accordion`, by its label: `open()`, `close()`, `is_open()`,
    `expect_open(True | False)`."""

    kind = "accordion"

    def _toggle(self) -> Locator:
        return self.locator.locator("button.label-wrap, .label-wrap").first

    def is_open(self) -> bool:
        return bool(
            self._toggle().evaluate("el => el.classList.contains('open')", timeout=self._timeout_ms)
        )

    def open(self) -> None:
        if not self.is_open():
            self._toggle().click(timeout=self._timeout_ms)

    def close(self) -> None:
        if self.is_open():
            self._toggle().click(timeout=self._timeout_ms)

    def expect_open(self, is_open: bool = True, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("open", self.is_open, is_open, timeout)


class Toasts:
    """The toasts the page shows (`gr.Info`, `gr.Warning`, `gr.Error`, an app's
    error): `gradio_page.toasts`. `messages()` lists them as `{"kind", "title",
    "text"}`; `expect(text, kind=...)`, `expect_count(n)`, `close(text)`.
    Gradio 5 removes an event's toasts when that event runs again; gradio 6 keeps them.

    >>> gradio_page.toasts.expect("counting", kind="info")
    """

    KINDS = ("info", "warning", "error", "success")

    def __init__(self, page: GradioPage) -> None:
        self.gradio_page = page
        self.locator = page.page.locator("[data-testid=toast-body]")

    def __repr__(self) -> str:
        return "<Toasts>"

    def messages(self) -> list[dict[str, str]]:
        """Each message shown, in order: kind (info, warning, error, success), title
        and text. (Gradio 6 groups a kind's messages in one toast: one entry each.)"""
        read = self.locator.evaluate_all(
            """(bodies, kinds) => bodies.flatMap(b => {
                 const kind = kinds.find(k => b.classList.contains(k)) || "";
                 const title = b.querySelector('.toast-title');
                 const head = title ? title.innerText.replace(/\\(\\d+\\)\\s*$/, '').trim() : '';
                 // gradio 6 marks each message of a toast; gradio 5 has one .toast-text.
                 let texts = [...b.querySelectorAll('[data-testid=toast-text]')];
                 if (!texts.length) texts = [...b.querySelectorAll('.toast-text')];
                 return (texts.length ? texts : [b]).map(t => ({
                   kind, title: head, text: (t.innerText || '').trim() }));
               })""",
            list(self.KINDS),
        )
        return [{k: str(v) for k, v in m.items()} for m in read]

    def _check(self, kind: str | None) -> None:
        if kind is not None and kind not in self.KINDS:
            raise ValueError(f"kind={kind!r}: a toast's kind is one of {self.KINDS}.")

    def expect(self, text: Any, *, kind: str | None = None, timeout: float | None = None) -> None:
        """Until a toast (of `kind`, if given) shows `text`: a substring, or a regex
        or matcher of the whole text."""
        __tracebackhide__ = True
        self._check(kind)

        class _Shown:
            def __eq__(self, shown: object) -> bool:
                return isinstance(shown, list) and any(
                    (kind is None or m["kind"] == kind)
                    and (text in m["text"] if isinstance(text, str) else matches(text, m["text"]))
                    for m in shown
                )

            def __repr__(self) -> str:
                return f"a {kind or 'any'} toast with {text!r}"

        retry_until(self.gradio_page, "toasts", "messages", self.messages, _Shown(), timeout)

    def expect_count(
        self, count: int, *, kind: str | None = None, timeout: float | None = None
    ) -> None:
        """Until `count` messages (of `kind`, if given) are shown."""
        __tracebackhide__ = True
        self._check(kind)

        def read() -> int:
            return len([m for m in self.messages() if kind is None or m["kind"] == kind])

        retry_until(
            self.gradio_page, "toasts", f"number of {kind or 'all'} messages", read, count, timeout
        )

    def close(self, text: str | None = None) -> None:
        """Close the toast showing `text` (a substring), else every toast shown."""
        bodies = self.locator if text is None else self.locator.filter(has_text=text)
        if text is not None and not bodies.count():
            raise ComponentNotFoundError(f"No toast shows {text!r}; shown: {self.messages()!r}.")
        deadline = time.monotonic() + self.gradio_page.timeout
        # Toasts are redrawn as others come and go: a close button can detach under
        # the click, so click again until none is left (bounded).
        while bodies.count():
            if time.monotonic() >= deadline:
                raise AssertionError(f"Could not close the toasts: {self.messages()!r}.")
            with contextlib.suppress(Exception):
                bodies.first.locator("[data-testid=toast-close]").click(timeout=1000)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
