"""Choices: Checkbox, Radio, CheckboxGroup, Dropdown."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .base import RETRY_MS, ComponentNotFoundError, Valued, exact

if TYPE_CHECKING:
    from playwright.sync_api import Locator


class Checkbox(Valued):
    kind = "checkbox"

    def _control(self) -> Locator:
        return self.locator.locator("input[type=checkbox]").first

    def set(self, value: Any) -> None:
        self._control().set_checked(bool(value), timeout=self._timeout_ms)

    def value(self) -> bool:
        return bool(self._control().is_checked())


class Radio(Valued):
    kind = "radio"

    def set(self, value: Any) -> None:
        option = self.locator.locator("label").filter(has_text=exact(str(value)))
        option.locator("input").check(timeout=self._timeout_ms)

    def value(self) -> str | None:
        checked = self.locator.locator("label.selected")
        return str(checked.first.inner_text()).strip() if checked.count() else None


def _as_list(value: Any) -> list[Any]:
    """Choices given as one string or as an iterable of them."""
    return [value] if isinstance(value, str) else list(value)


class CheckboxGroup(Valued):
    """`set(["a", "c"])` checks exactly those choices; `value()` is the list of the
    checked ones, in the order shown."""

    kind = "checkboxgroup"

    def _choices(self) -> Locator:
        """The choices' labels, once drawn (after the block: bounded wait for the first)."""
        labels = self.locator.locator("label:has(input[type=checkbox])")
        labels.first.wait_for(state="attached", timeout=self._timeout_ms)
        return labels

    def set(self, value: Any) -> None:
        """Check exactly these choices. A choice not shown yet (an event that adds
        it may still run) is waited for, bounded by the job timeout."""
        wanted = {str(v) for v in _as_list(value)}
        bound = self.gradio_page.timeout
        deadline = time.monotonic() + bound
        shown: list[str] = []
        while True:
            try:
                labels = self._choices()
                shown = [str(t).strip() for t in labels.all_inner_texts()]
            except Exception:
                # Not drawn yet, or redrawn under the read, or a page too busy to
                # answer in time: read again until the bound, then say what was shown.
                shown = []
            unknown = wanted - set(shown)
            if not unknown:
                break
            if time.monotonic() >= deadline:
                raise ComponentNotFoundError(
                    f"{self!r} has no choice {sorted(unknown)!r} within {bound:.0f} s; "
                    f"its choices: {shown!r}."
                )
            self.gradio_page.page.wait_for_timeout(RETRY_MS)
        for i, text in enumerate(shown):
            box = labels.nth(i).locator("input[type=checkbox]")
            box.set_checked(text in wanted, timeout=self._timeout_ms)

    def value(self) -> list[str]:
        self._choices()
        checked = self.locator.locator("label:has(input[type=checkbox]:checked)")
        return [str(t).strip() for t in checked.all_inner_texts()]


class Dropdown(Valued):
    """A dropdown: `set("red")` and a `str` value; with `multiselect=True`,
    `set(["red", "blue"])` (replacing the choices made) and a `list`, in the order
    shown. For `(label, value)` choices, `value()` gives the values and `set()` takes
    a value or a label. With `allow_custom_value=True`, `set()` types a value that is
    not a choice and presses Enter."""

    kind = "dropdown"

    @property
    def input(self) -> Locator:
        # Gradio 6 says combobox, Gradio 5 listbox; before 6.31 a multiselect's input
        # has no role.
        return self.locator.locator(
            "input[role=combobox], input[role=listbox], .secondary-wrap input"
        ).first

    @property
    def multiselect(self) -> bool:
        return bool((self.config.get("props") or {}).get("multiselect"))

    def _choices(self) -> list[tuple[str, Any]]:
        """(label, value) of the choices the app was loaded with."""
        found = []
        for choice in (self.config.get("props") or {}).get("choices") or []:
            if isinstance(choice, (list, tuple)) and len(choice) == 2:
                found.append((str(choice[0]), choice[1]))
            else:
                found.append((str(choice), choice))
        return found

    def _label_of(self, value: Any) -> str:
        for label, val in self._choices():
            if val == value or str(val) == str(value):
                return label
        return str(value)

    def _value_of(self, label: str) -> Any:
        for shown, val in self._choices():
            if shown == label:
                return val
        return label

    def set(self, value: Any) -> None:
        if not self.multiselect:
            self._choose(value)
        else:
            values = _as_list(value)
            clear = self.locator.locator(".token-remove.remove-all")
            if clear.count():
                clear.first.click(timeout=self._timeout_ms)
            for one in values:
                self._choose(one)
        self.input.blur()

    def _choose(self, value: Any) -> None:
        """Open the list and click the choice. The app may redraw the dropdown while
        its list is open (another dropdown's `.change` updating it): the option then
        detaches under the click, so open and click again until the choice is made,
        bounded by the job timeout."""
        page = self.gradio_page.page
        label = self._label_of(value)
        custom = bool((self.config.get("props") or {}).get("allow_custom_value"))
        deadline = time.monotonic() + self.gradio_page.timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if last is not None and self._chosen(label):
                # The click that raised was delivered (a page too busy to answer
                # within the click's bound): clicking again would undo a
                # multiselect's choice.
                return
            option = page.get_by_role("option", name=label, exact=True)
            try:
                if not option.is_visible():
                    # A multiselect list stays open after a choice; a second click
                    # could close it.
                    self.input.click(timeout=self._timeout_ms)
                if not option.count():
                    # Not listed: the list shows the choices that match the text in
                    # the box (after a redraw, the choice made). Type, as a user does.
                    self.input.fill(label, timeout=self._timeout_ms)
                    if custom and not option.count():
                        self.input.press("Enter", timeout=self._timeout_ms)
                        return
                option.click(timeout=min(1000.0, self._timeout_ms))
                return
            except Exception as exc:
                last = exc
                page.wait_for_timeout(RETRY_MS)
        shown = [str(t).strip() for t in page.get_by_role("option").all_inner_texts()]
        raise ComponentNotFoundError(
            f"{self!r}: could not choose {label!r} within {self.gradio_page.timeout:.0f} s "
            f"(last: {type(last).__name__ if last else 'no attempt'}). Choices shown: "
            f"{shown!r}. Pass one of them, or give the dropdown allow_custom_value=True."
        )

    def _labels_shown(self) -> list[str]:
        """The labels of the choices the page shows as made (a multiselect's tokens,
        or the text in a single dropdown's box)."""
        if self.multiselect:
            return [str(t).strip() for t in self.locator.locator(".token > span").all_inner_texts()]
        # The page's default timeout: an expectation's read bounds it (base._bounded).
        return [str(self.input.input_value())]

    def _chosen(self, label: str) -> bool:
        """Whether the page shows the choice `label` as made."""
        try:
            return label in self._labels_shown()
        except Exception:
            return False

    def value(self) -> Any:
        if self.multiselect:
            # Drawn once its input is: then no token means no choice.
            self.input.wait_for(state="attached", timeout=self._timeout_ms)
            return [self._value_of(label) for label in self._labels_shown()]
        return self._value_of(self._labels_shown()[0])
