"""The Chatbot (a ChatInterface's too): send, messages, stop, retry, undo,
clear, edit, examples."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .base import Component, ComponentNotFoundError
from .text import Textbox

if TYPE_CHECKING:
    from playwright.sync_api import Locator


class Chatbot(Component):
    kind = "chatbot"

    def messages(self) -> list[dict[str, str]]:
        """The conversation shown: `{"role": "user" | "assistant", "content": text}`."""
        # In one read: a streaming reply redraws its row between two reads of it.
        rows = self.locator.locator("[data-testid=user], [data-testid=bot]")
        read = rows.evaluate_all(
            "rows => rows.map(r => [r.getAttribute('data-testid'), r.innerText])"
        )
        return [
            {"role": "user" if testid == "user" else "assistant", "content": str(text).strip()}
            for testid, text in read
        ]

    def send(self, text: str, *, input: str | None = None) -> None:
        """Type `text` in the chat's textbox and press Enter. The textbox is `input`
        (a label or elem_id), else the first textbox after the chatbot on the page."""
        if input is not None:
            box = self.gradio_page.component(input)
            if not isinstance(box, Textbox):
                raise ComponentNotFoundError(
                    f"Chatbot {self.name!r}: input={input!r} is a {box.kind}, not a textbox."
                )
            box.submit(text)
            return
        field = self.locator.locator("xpath=following::textarea[1]")
        field.fill(text, timeout=self._timeout_ms)
        field.press("Enter", timeout=self._timeout_ms)

    def expect_last_message(
        self, expected: Any, *, role: str = "assistant", timeout: float | None = None
    ) -> None:
        """Until the last message is from `role` and its text matches `expected`."""
        __tracebackhide__ = True

        def read() -> Any:
            shown = self.messages()
            if not shown or shown[-1]["role"] != role:
                return shown[-1] if shown else None
            return shown[-1]["content"]

        self._retry(f"last {role} message", read, expected, timeout)

    def expect_message_count(
        self, count: int, *, role: str | None = None, timeout: float | None = None
    ) -> None:
        """Until the chat shows `count` messages (of `role`, if given)."""
        __tracebackhide__ = True

        def read() -> int:
            return len([m for m in self.messages() if role is None or m["role"] == role])

        self._retry(f"number of {role or 'all'} messages", read, count, timeout)

    def expect_count(
        self, count: int, *, role: str | None = None, timeout: float | None = None
    ) -> None:
        """Until the chat shows `count` messages (of `role`, if given)."""
        __tracebackhide__ = True
        self.expect_message_count(count, role=role, timeout=timeout)

    def edit(self, *texts: str, index: int = 0) -> None:
        """Edit a message (an `editable=` chatbot): click the `index`-th Edit button
        shown (0-based, in the chat's order), type `texts` in the boxes it opens (one
        per message of that turn), and submit: the chatbot's `.edit` event."""
        edit = self.locator.get_by_role("button", name=re.compile(r"^edit$", re.I))
        edit.nth(index).click(timeout=self._timeout_ms)
        boxes = self.locator.locator("textarea")
        boxes.first.wait_for(timeout=self._timeout_ms)
        for i, text in enumerate(texts):
            boxes.nth(i).fill(text, timeout=self._timeout_ms)
        self.locator.get_by_role("button", name=re.compile(r"^submit$", re.I)).first.click(
            timeout=self._timeout_ms
        )

    # -- a ChatInterface's (or a chatbot's own) buttons ------------------------------------

    def _after(self, css_class: str) -> Locator:
        """The first button with this class after the chatbot: a ChatInterface's
        textbox holds its submit and stop buttons."""
        return self.locator.locator(
            "xpath=following::button[contains(concat(' ', normalize-space(@class), ' '), "
            f"' {css_class} ')][1]"
        )

    def _own(self, label: str) -> Locator:
        # Gradio 6 says "Retry", Gradio 5 "retry": the chatbot's icon buttons, by label.
        return self.locator.get_by_role("button", name=re.compile(rf"^{label}$", re.I)).last

    def stop(self) -> None:
        """Click the chat's stop button (shown while a reply streams).

        The click is dispatched in the page once the button shows, not made with the
        pointer: a pointer click waits for the button to be still for two frames, and
        while a reply streams Gradio may draw it anew at each message. With two CPU
        hogs beside the run, a pointer click never found it still during a 20 s reply
        ("element was detached from the DOM, retrying"), then waited for a button
        that had gone."""
        button = self._after("stop-button")
        button.wait_for(state="visible", timeout=self._timeout_ms)
        button.dispatch_event("click", timeout=self._timeout_ms)

    def retry(self) -> None:
        """Ask again: the last reply's retry button."""
        self._own("retry").click(timeout=self._timeout_ms)

    def undo(self) -> None:
        """Take back the last exchange (its message goes back in the textbox)."""
        self._own("undo").click(timeout=self._timeout_ms)

    def clear(self) -> None:
        """Clear the conversation: the chatbot's clear button."""
        self._own("clear").click(timeout=self._timeout_ms)

    def examples(self) -> list[str]:
        """The examples the empty chat offers (a ChatInterface's `examples=`)."""
        buttons = self.locator.locator(".examples button")
        # Without the icons drawn for the eye (a text example's "Aa").
        texts = buttons.evaluate_all(
            "bs => bs.map(b => { const c = b.cloneNode(true); "
            "c.querySelectorAll('[aria-hidden=true]').forEach(n => n.remove()); "
            "return c.textContent; })"
        )
        return [" ".join(str(t).split()) for t in texts]

    def expect_examples(self, expected: Any, *, timeout: float | None = None) -> None:
        """Until the examples shown match `expected` (a list; matchers allowed)."""
        __tracebackhide__ = True
        self._retry("examples", self.examples, expected, timeout)

    def click_example(self, text: str) -> None:
        """Click the example whose text contains `text`."""
        button = self.locator.locator(".examples button").filter(has_text=text).first
        button.click(timeout=self._timeout_ms)
