"""Text inputs and outputs: Textbox, Number, Slider, MultimodalTextbox,
Markdown, HTML, JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import Component, Valued

if TYPE_CHECKING:
    from playwright.sync_api import Locator


class Textbox(Valued):
    kind = "textbox"

    @property
    def input(self) -> Locator:
        return self.locator.locator("textarea, input").first

    def set(self, value: Any) -> None:
        """Replace the text as a user's typing does: the textbox fires `.change` and
        `.input` once each, with the whole text. (Gradio 6 sends `.input` from key
        presses: the text is filled in, then its last character typed again over
        itself, which leaves it the same.) An empty text fires `.change` only, as
        clearing the box does; text with no key on a US keyboard fires `.input`
        only on gradio 5. To type key by key, with an event per key, `type()`."""
        text = str(value)
        field = self.input
        field.fill(text, timeout=self._timeout_ms)
        key = next((i for i in range(len(text) - 1, -1, -1) if " " <= text[i] <= "~"), None)
        if key is None:
            return
        field.evaluate("(el, i) => el.setSelectionRange(i, i + 1)", key)
        field.press(text[key], timeout=self._timeout_ms)

    def type(self, text: str) -> None:
        """Type `text` after the text there, key by key, as a user does: each key
        fires `.change` and, on gradio 6, `.input` (sent from the key press, so with
        the text as it was just before or after that key; gradio 5 sends `.input`
        with each `.change`)."""
        field = self.input
        field.evaluate(
            "(el) => { el.focus(); el.setSelectionRange(el.value.length, el.value.length); }"
        )
        field.press_sequentially(text, timeout=self._timeout_ms)

    def submit(self, value: Any | None = None) -> None:
        """Optionally set the text, then press Enter (the textbox's submit event)."""
        if value is not None:
            self.set(value)
        self.input.press("Enter", timeout=self._timeout_ms)

    def value(self) -> str:
        return str(self.input.input_value())


class Number(Valued):
    kind = "number"

    @property
    def input(self) -> Locator:
        return self.locator.locator("input[type=number]").first

    def set(self, value: Any) -> None:
        self.input.fill(str(value), timeout=self._timeout_ms)
        self.input.blur()

    def submit(self, value: Any | None = None) -> None:
        """Optionally set the number, then press Enter (the number's submit event)."""
        if value is not None:
            self.input.fill(str(value), timeout=self._timeout_ms)
        self.input.press("Enter", timeout=self._timeout_ms)

    def value(self) -> float | None:
        text = self.input.input_value()
        return float(text) if text.strip() else None


class Slider(Number):
    kind = "slider"

    @property
    def input(self) -> Locator:
        return self.locator.locator("input[type=range]").first

    def set(self, value: Any) -> None:
        self.input.fill(str(value), timeout=self._timeout_ms)


class MultimodalTextbox(Textbox):
    """A MultimodalTextbox: text (`set`, `type`, `value`, as a Textbox) and files
    (`upload`); `submit(text, files=[...])` sends both, as Enter does."""

    kind = "multimodaltextbox"

    @property
    def input(self) -> Locator:
        return self.locator.locator("textarea").first

    def upload(self, *paths: str | Path) -> None:
        files = [str(Path(p)) for p in paths]
        self.locator.locator("input[type=file]").first.set_input_files(
            files, timeout=self._timeout_ms
        )

    def submit(self, value: Any | None = None, *, files: Any = ()) -> None:
        """Optionally set the text and upload `files`, then press Enter (the submit
        event), once the uploads are shown."""
        if value is not None:
            self.set(value)
        paths = [files] if isinstance(files, (str, Path)) else list(files)
        if paths:
            before = self._thumbnails().count()
            self.upload(*paths)
            self._expect()(self._thumbnails()).to_have_count(
                before + len(paths), timeout=self._timeout_ms
            )
        self.input.press("Enter", timeout=self._timeout_ms)

    def _thumbnails(self) -> Locator:
        return self.locator.locator(".thumbnail-item")


class JSON(Valued):
    kind = "json"

    def value(self) -> Any:
        text = str(self.locator.locator(".json-holder").first.inner_text())
        return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


class Markdown(Component):
    kind = "markdown"

    def expect_value(self, expected: Any, *, timeout: float | None = None) -> None:
        """Until the rendered text matches `expected` (a string, regex or matcher)."""
        __tracebackhide__ = True
        self._retry("text", lambda: self.text().strip(), expected, timeout)


class HTML(Markdown):
    kind = "html"
