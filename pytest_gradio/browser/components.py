"""Controllers for Gradio components on a page: actions and bounded expectations.

A component is found in the page's live config (the loaded one, plus what
`gr.render` made since) by label as the page shows it, `elem_id`, button text or
kind, which says its kind; its element is found by the id class the page's init
script gave it (`LIVE_CONFIG_JS`), or, on a page opened without it, by `elem_id`,
label or position among the components of its kind. Expectations retry
until they hold or the page's timeout (the job timeout) passes, as Playwright's
`expect` does, and fail with the expected and the last actual value.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import GradioTestError
from ..matchers import matches

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from .page import GradioPage

# Elements that carry a component's label, across Gradio's components.
LABEL_SELECTOR = (
    "[data-testid=block-info], [data-testid=block-label], .label-text, "
    ".header-row .label p, input[data-testid=checkbox] ~ span"
)
_BLOCK = (
    "xpath=ancestor-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' block ')][1]"
)
# Config types that are layout, not components a test drives.
_LAYOUT = {
    "row",
    "column",
    "group",
    "form",
    "tabs",
    "tabitem",
    "accordion",
    "state",
    "browserstate",
    "sidebar",
}
_RETRY_MS = 50
# A component's status tracker: gradio 6 gives it a test id; gradio 5 draws it as
# `div.wrap.<variant>.<show_progress>` (variant "default" or "center").
_TRACKER = (
    "[data-testid=status-tracker], :is(.wrap.default, .wrap.center):is(.full, .minimal, .hidden)"
)

# Which element on the page is which component of the config. Gradio draws no
# component id into the page, and a component's label, position or kind does not say
# it either (tabs draw their children lazily, two components may share a label, a
# label may be translated). So, before Gradio's frontend reads its config, each
# component gets one more CSS class, `pytest-gradio-id-<id>`, which Gradio draws on
# the component's root element: an exact, lazily drawn handle per config id. The
# same is done to the components that `gr.render` makes later (they arrive in a job's
# `render_config`, parsed by `JSON.parse` or `Response.json`), and those render
# configs are kept (`renders`, by render id) as the page's live component tree.
#
# An event's output may carry `elem_classes` too: a returned `gr.Textbox(...)` or
# `gr.update(elem_classes=...)`, and every Examples click (gradio sends each input's
# whole constructor props back). Gradio's frontend replaces the prop with it, which
# would drop the id class and lose the element. So each output is given its id class
# back before the frontend sees it: the page's requests say which dependency
# (`fn_index`) a response or a queue event (`event_id`) answers, and the dependency's
# `outputs` say which component each output value is for.
ID_CLASS = "pytest-gradio-id-"
LIVE_CONFIG_JS = r"""
(() => {
  if (window.__pytestGradioLive) return;
  const live = { renders: {}, order: 0 };
  window.__pytestGradioLive = live;
  const PREFIX = "%PREFIX%";
  const SKIP = new Set(["state", "browserstate"]);
  const outputs = {};  // dependency id -> the component ids of its outputs
  const events = {};   // queue event id -> dependency id
  const withMine = (classes, id) => {
    if (typeof classes === "string") classes = [classes];
    if (!Array.isArray(classes)) classes = [];
    const mine = PREFIX + id;
    return classes.includes(mine) ? classes : [...classes, mine];
  };
  const tag = (config) => {
    if (!config || !Array.isArray(config.components)) return;
    for (const c of config.components) {
      if (!c || c.id === undefined || SKIP.has(c.type)) continue;
      const props = c.props || (c.props = {});
      props.elem_classes = withMine(props.elem_classes, c.id);
    }
    for (const d of config.dependencies || []) {
      if (d && d.id !== undefined && Array.isArray(d.outputs)) outputs[String(d.id)] = d.outputs;
    }
  };
  const isUpdate = (v) => !!v && typeof v === "object" && !Array.isArray(v)
    && v.__type__ === "update";
  // Give each output that sets `elem_classes` its component's id class back.
  const keep = (dep, data, diffs) => {
    const ids = outputs[String(dep)];
    if (!ids || !Array.isArray(data)) return;
    data.forEach((value, i) => {
      const id = ids[i];
      if (id === undefined) return;
      if (isUpdate(value) && "elem_classes" in value) {
        value.elem_classes = withMine(value.elem_classes, id);
      } else if (diffs && Array.isArray(value)) {
        // A generator's later yields come as edits of the previous value.
        for (const op of value) {
          if (!Array.isArray(op) || !Array.isArray(op[1])) continue;
          if (op[1].length === 0 && isUpdate(op[2]) && "elem_classes" in op[2]) {
            op[2].elem_classes = withMine(op[2].elem_classes, id);
          } else if (op[1].length === 1 && op[1][0] === "elem_classes") {
            op[2] = withMine(op[2], id);
          }
        }
      }
    });
  };
  const seen = (obj) => {
    try {
      if (!obj || typeof obj !== "object") return;
      const render = obj.render_config || (obj.output && obj.output.render_config);
      if (render && Array.isArray(render.components)) {
        tag(render);
        live.renders[String(render.render_id)] = {
          order: ++live.order, components: render.components };
      }
      const dep = events[String(obj.event_id)];
      if (dep !== undefined && obj.output && Array.isArray(obj.output.data)) {
        keep(dep, obj.output.data, obj.msg === "process_generating");
      }
    } catch (e) { /* never break the app's own parsing */ }
  };
  let config;
  Object.defineProperty(window, "gradio_config", {
    configurable: true, enumerable: true,
    get() { return config; },
    set(value) { try { tag(value); } catch (e) {} config = value; },
  });
  const parse = JSON.parse;
  JSON.parse = function (text, reviver) {
    const obj = parse.call(this, text, reviver);
    if (typeof text === "string" && (text.includes("render_config")
        || (text.includes("event_id") && text.includes("elem_classes")))) seen(obj);
    return obj;
  };
  // Which dependency each of the page's calls is for: queue/join answers with the
  // event id of its queue messages, run/<api name> (queue=False) with the outputs.
  const calls = new WeakMap();
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const result = fetch.apply(window, arguments);
    try {
      const url = String(input && input.url ? input.url : input);
      if (/\/(queue\/join|run\/)/.test(url) && init && typeof init.body === "string") {
        const dep = parse(init.body).fn_index;
        if (dep !== undefined) {
          return result.then((response) => { calls.set(response, dep); return response; });
        }
      }
    } catch (e) { /* not a call of the app's */ }
    return result;
  };
  const json = Response.prototype.json;
  Response.prototype.json = async function () {
    const obj = await json.call(this);
    seen(obj);
    try {
      const dep = calls.get(this);
      if (dep !== undefined && obj && typeof obj === "object") {
        if (obj.event_id !== undefined) events[String(obj.event_id)] = dep;
        keep(dep, obj.data, false);
      }
    } catch (e) { /* never break the app's own parsing */ }
    return obj;
  };
})();
""".replace("%PREFIX%", ID_CLASS)


class ComponentNotFoundError(GradioTestError, LookupError):
    """No component (or more than one) answers to the name given."""


def _retry(
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
    while True:
        try:
            actual = read()
        except Exception as exc:
            actual = f"(could not read: {type(exc).__name__}: {str(exc).splitlines()[0]})"
        if matches(expected, actual) is not negate:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"{who}: {what} did not {'stop matching' if negate else 'match'} within "
                f"{bound:.1f} s.\n"
                f"  {'not expected' if negate else 'expected'}: {expected!r}\n"
                f"  actual:   {actual!r}"
            )
        page.page.wait_for_timeout(_RETRY_MS)


def _exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class Component:
    """Any component: visibility, interactivity and its element (`locator`)."""

    kind = "component"

    def __init__(
        self, page: GradioPage, locator: Locator, name: str, config: dict[str, Any]
    ) -> None:
        self.gradio_page = page
        self._locator = locator
        self.name = name
        self.config = config
        # Set for a component a `gr.render` block made: see `locator`.
        self._find_again: Callable[[], Locator | None] | None = None

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
        _retry(self.gradio_page, repr(self), what, read, expected, timeout, negate=negate)

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
        option = self.locator.locator("label").filter(has_text=_exact(str(value)))
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
        wanted = {str(v) for v in _as_list(value)}
        labels = self._choices()
        shown = [str(t).strip() for t in labels.all_inner_texts()]
        unknown = wanted - set(shown)
        if unknown:
            raise ComponentNotFoundError(
                f"{self!r} has no choice {sorted(unknown)!r}; its choices: {shown!r}."
            )
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
                page.wait_for_timeout(_RETRY_MS)
        shown = [str(t).strip() for t in page.get_by_role("option").all_inner_texts()]
        raise ComponentNotFoundError(
            f"{self!r}: could not choose {label!r} within {self.gradio_page.timeout:.0f} s "
            f"(last: {type(last).__name__ if last else 'no attempt'}). Choices shown: "
            f"{shown!r}. Pass one of them, or give the dropdown allow_custom_value=True."
        )

    def value(self) -> Any:
        if self.multiselect:
            # Drawn once its input is: then no token means no choice.
            self.input.wait_for(state="attached", timeout=self._timeout_ms)
            shown = self.locator.locator(".token > span").all_inner_texts()
            return [self._value_of(t.strip()) for t in shown]
        return self._value_of(str(self.input.input_value()))


class Button(Component):
    kind = "button"

    def click(self) -> None:
        self.locator.click(timeout=self._timeout_ms)

    def _control(self) -> Locator:
        return self.locator


class Upload(Component):
    """Image, File, Audio, Video, Gallery input: `upload(path)`."""

    def upload(self, *paths: str | Path) -> None:
        files = [str(Path(p)) for p in paths]
        self.locator.locator("input[type=file]").first.set_input_files(
            files, timeout=self._timeout_ms
        )


class File(Upload):
    kind = "file"

    def files(self) -> list[dict[str, str]]:
        """The files shown: name and download URL of each."""
        links = self.locator.locator("a[download], a[href*='file=']")
        found = []
        for i in range(links.count()):
            link = links.nth(i)
            found.append(
                {
                    "name": str(link.get_attribute("download") or link.inner_text()).strip(),
                    "url": str(link.get_attribute("href") or ""),
                }
            )
        return found

    def download(self, index: int = 0) -> Any:
        """Click file `index`'s link: the Playwright `Download` (`suggested_filename`)."""
        links = self.locator.locator("a[download], a[href*='file=']")
        return _download(self, links.nth(index))

    def remove(self, index: int = 0) -> None:
        """Remove file `index` (its remove button): the `.delete` event."""
        buttons = self.locator.get_by_label(re.compile(r"^Remove this file$", re.I))
        buttons.nth(index).click(timeout=self._timeout_ms)

    def expect_count(self, count: int, *, timeout: float | None = None) -> None:
        """Until the component shows `count` files."""
        __tracebackhide__ = True
        self._retry("number of files", lambda: len(self.files()), count, timeout)

    def expect_file(
        self,
        *,
        name: str | None = None,
        content: bytes | str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Until the component shows a file with this name (and content, downloaded)."""
        __tracebackhide__ = True
        page = self.gradio_page.page

        def read() -> list[dict[str, Any]]:
            shown = []
            for f in self.files():
                entry: dict[str, Any] = {"name": f["name"]}
                if content is not None:
                    response = page.request.get(f["url"])
                    entry["content"] = response.body()
                shown.append(entry)
            return shown

        want: dict[str, Any] = {}
        if name is not None:
            want["name"] = name
        if content is not None:
            want["content"] = content.encode() if isinstance(content, str) else content

        class _HasFile:
            def __eq__(self, shown: object) -> bool:
                return isinstance(shown, list) and any(
                    all(f.get(k) == v for k, v in want.items()) for f in shown
                )

            def __repr__(self) -> str:
                return f"a file with {want!r}"

        self._retry("files", read, _HasFile(), timeout)


def _button(component: Component, *labels: str) -> Locator:
    """The component's own button of one of these labels (Gradio's icon buttons are
    named by aria-label; the case differs across versions)."""
    names = "|".join(re.escape(label) for label in labels)
    return component.locator.get_by_role("button", name=re.compile(rf"^({names})$", re.I))


def _download(component: Component, button: Locator) -> Any:
    """Click a download button; the Playwright `Download` (`suggested_filename`,
    `path()`, `save_as()`)."""
    page = component.gradio_page.page
    with page.expect_download(timeout=component._timeout_ms) as info:
        button.first.click(timeout=component._timeout_ms)
    return info.value


class Image(Upload):
    """An Image: `upload(path)`, `src()`, `download()`, `clear()`, `click()` (its
    `.select` event)."""

    kind = "image"

    def src(self) -> str | None:
        image = self.locator.locator("img").first
        return str(image.get_attribute("src")) if image.count() else None

    def download(self) -> Any:
        """Click the image's download button: the Playwright `Download`."""
        return _download(self, self.locator.get_by_label("Download"))

    def clear(self) -> None:
        """Remove the image (its clear button): the `.clear` event."""
        _button(self, "Remove Image", "Clear").first.click(timeout=self._timeout_ms)

    def click(self, x: float | None = None, y: float | None = None) -> None:
        """Click the image (at `x`, `y` pixels, else its middle): a selectable
        image's `.select` event."""
        image = self.locator.locator("img").first
        position = {"x": x, "y": y} if x is not None and y is not None else None
        image.click(position=position, timeout=self._timeout_ms)  # type: ignore[arg-type]


class Audio(Upload):
    kind = "audio"


class Video(Upload):
    kind = "video"


class Gallery(Upload):
    kind = "gallery"

    def images(self) -> list[str]:
        images = self.locator.locator("img")
        return [str(images.nth(i).get_attribute("src")) for i in range(images.count())]

    def expect_count(self, count: int, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("image count", lambda: len(set(self.images())), count, timeout)

    def _thumbnail(self, index: int) -> Locator:
        named = self.locator.get_by_label(re.compile(rf"^Thumbnail {index + 1} of \d+$"))
        return named.filter(visible=True).first

    def select(self, index: int) -> None:
        """Click item `index` (0-based): the `.select` event; the preview opens."""
        self._thumbnail(index).click(timeout=self._timeout_ms)

    def preview_open(self) -> bool:
        """Whether the gallery shows one item large (its preview)."""
        return bool(self.locator.locator(".preview").filter(visible=True).count())

    def expect_preview(self, is_open: bool = True, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("preview open", self.preview_open, is_open, timeout)

    def close_preview(self) -> None:
        _button(self, "Close").first.click(timeout=self._timeout_ms)

    def download(self) -> Any:
        """Download the item in preview (its download button): the Playwright
        `Download`."""
        return _download(self, self.locator.get_by_label("Download", exact=True))

    def clear(self) -> None:
        """Remove the gallery's items (its clear button)."""
        _button(self, "Clear", "Remove Image").first.click(timeout=self._timeout_ms)


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
        """Click the chat's stop button (shown while a reply streams)."""
        self._after("stop-button").click(timeout=self._timeout_ms)

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


class JSON(Valued):
    kind = "json"

    def value(self) -> Any:
        text = str(self.locator.locator(".json-holder").first.inner_text())
        return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


class Dataframe(Valued):
    kind = "dataframe"

    def headers(self) -> list[str]:
        cells = self.locator.locator("thead th .header-content")
        return [str(cells.nth(i).inner_text()).strip() for i in range(cells.count())]

    def value(self) -> list[list[str]]:
        """The rows shown, as text (a virtualised table shows the rows in view)."""
        # Gradio 6 draws rows as grid rows; older tables as <tr> (the sizing body of
        # Gradio 6's header table is a hidden copy, not data).
        rows = self.locator.locator("[role=row].virtual-row")
        cell = "[role=gridcell]"
        if not rows.count():
            # Gradio 5: the data rows are in tbody.tbody (another tbody sizes columns).
            rows, cell = self.locator.locator("tbody.tbody tr"), "td"
        if not rows.count():
            rows, cell = self.locator.locator("tbody:not(.sizing-body) tr"), "td"
        found = []
        for i in range(rows.count()):
            cells = rows.nth(i).locator(cell)
            found.append([str(cells.nth(j).inner_text()).strip() for j in range(cells.count())])
        return found

    def _cell(self, row: int, col: int) -> Locator:
        """The cell's element (of the rows in view)."""
        testid = self.locator.get_by_test_id(f"cell-{row}-{col}")
        if testid.count():
            return testid.first  # gradio 6
        rows = self.locator.locator("[role=row].virtual-row")
        if rows.count():
            return rows.nth(row).locator("[role=gridcell]").nth(col)
        rows = self.locator.locator("tbody.tbody tr")
        if not rows.count():
            rows = self.locator.locator("tbody:not(.sizing-body) tr")
        return rows.nth(row).locator("td").nth(col)

    def cell(self, row: int, col: int, *, timeout: float | None = None) -> str:
        """The text of a cell, by row and column (0-based, of the rows in view)."""
        text = str(self._cell(row, col).inner_text(timeout=self._bound_ms(timeout)))
        return re.sub(r"\s*⋮\s*$", "", text).strip()  # a selected cell's menu button

    def expect_cell(
        self, row: int, col: int, expected: Any, *, timeout: float | None = None
    ) -> None:
        """Until the cell's text matches `expected` (matchers allowed)."""
        __tracebackhide__ = True
        self._retry(
            f"cell ({row}, {col})", lambda: self.cell(row, col, timeout=0.5), expected, timeout
        )

    def select_cell(self, row: int, col: int) -> None:
        """Click a cell: the dataframe's `.select` event."""
        self._cell(row, col).click(timeout=self._timeout_ms)

    def set_cell(self, row: int, col: int, value: Any) -> None:
        """Type `value` in a cell (an interactive dataframe) and press Enter: its
        `.change` and `.input` events."""
        cell = self._cell(row, col)
        cell.dblclick(timeout=self._timeout_ms)
        field = cell.locator("textarea, input").first
        field.fill(str(value), timeout=self._timeout_ms)
        field.press("Enter", timeout=self._timeout_ms)

    def search(self, text: str) -> None:
        """Type in the dataframe's search box (`show_search="search"`): the rows in
        view are those that match."""
        box = self.locator.get_by_placeholder(re.compile("search", re.I)).first
        try:
            box.fill(text, timeout=self._timeout_ms)
        except Exception:
            raise ComponentNotFoundError(
                f"{self!r} shows no search box: give the Dataframe show_search='search'."
            ) from None


class Markdown(Component):
    kind = "markdown"

    def expect_value(self, expected: Any, *, timeout: float | None = None) -> None:
        """Until the rendered text matches `expected` (a string, regex or matcher)."""
        __tracebackhide__ = True
        self._retry("text", lambda: self.text().strip(), expected, timeout)


class HTML(Markdown):
    kind = "html"


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
        button = self._buttons().filter(has_text=_exact(label)).first
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


class Dataset(Component):
    """A `gr.Examples` table (a `gr.Dataset`): `rows()` (each sample's texts, the
    page shown), `click_row(n)`, `expect_rows(...)`, `expect_count(n)`."""

    kind = "dataset"

    def _rows(self) -> Locator:
        # A table for several inputs; a gallery of buttons for one.
        return self.locator.locator("tr.tr-body, button.gallery-item")

    def rows(self) -> list[list[str]]:
        return [
            [" ".join(str(cell).split()) for cell in row]
            for row in self._rows().evaluate_all(
                "rows => rows.map(r => r.tagName === 'TR' ? "
                "[...r.querySelectorAll('td')].map(td => td.innerText) : [r.innerText])"
            )
        ]

    def click_row(self, index: int) -> None:
        """Click sample `index` (0-based, on the page shown): its values go to the inputs."""
        rows = self._rows()
        rows.first.wait_for(state="attached", timeout=self._timeout_ms)
        if index >= rows.count():
            raise ComponentNotFoundError(
                f"{self!r} shows {rows.count()} samples; index={index} asked."
            )
        rows.nth(index).click(timeout=self._timeout_ms)

    def expect_rows(self, expected: Any, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("rows", self.rows, expected, timeout)

    def expect_count(self, count: int, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("number of samples", lambda: len(self.rows()), count, timeout)


class Toasts:
    """The toasts the page shows (`gr.Info`, `gr.Warning`, `gr.Error`, an app's
    error): `gradio_page.toasts`. `messages()` lists them as `{"kind", "title",
    "text"}`; `expect(text, kind=...)`, `expect_count(n)`, `close(text)`.

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
                 const texts = [...b.querySelectorAll('[data-testid=toast-text]')];
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

        _retry(self.gradio_page, "toasts", "messages", self.messages, _Shown(), timeout)

    def expect_count(
        self, count: int, *, kind: str | None = None, timeout: float | None = None
    ) -> None:
        """Until `count` messages (of `kind`, if given) are shown."""
        __tracebackhide__ = True
        self._check(kind)

        def read() -> int:
            return len([m for m in self.messages() if kind is None or m["kind"] == kind])

        _retry(
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


CONTROLLERS: dict[str, type[Component]] = {
    cls.kind: cls
    for cls in (
        Textbox,
        Number,
        Slider,
        Checkbox,
        Radio,
        CheckboxGroup,
        Dropdown,
        Button,
        File,
        Image,
        Audio,
        Video,
        Gallery,
        Chatbot,
        JSON,
        Dataframe,
        Markdown,
        HTML,
        MultimodalTextbox,
        Tabs,
        Tab,
        Accordion,
        Dataset,
    )
}
CONTROLLERS["uploadbutton"] = Upload
# Layout a test drives: found by label when no component answers to it, or by kind.
DRIVEN_LAYOUT = {"tabs", "tabitem", "accordion"}


_I18N = "__i18n__"

# What the page shows of each tagged component (see `page.LIVE_CONFIG_JS`): its label
# as drawn (translated labels, default labels such as "Textbox"), and the configs of
# the `gr.render` blocks drawn since the page loaded, in the order they arrived.
_READ_LIVE = """([prefix, labels]) => {
  const live = window.__pytestGradioLive;
  if (!live) return { tagged: false, renders: [], shown: {} };
  const shown = {};
  for (const el of document.querySelectorAll('[class*="' + prefix + '"]')) {
    for (const cls of el.classList) {
      if (!cls.startsWith(prefix)) continue;
      const label = el.querySelector(labels);
      const text = label ? (label.innerText || label.textContent || "").trim() : "";
      if (text) shown[cls.slice(prefix.length)] = text;
    }
  }
  const renders = Object.entries(live.renders)
    .sort((a, b) => a[1].order - b[1].order)
    .map(([id, r]) => ({ id, components: r.components }));
  return { tagged: true, renders, shown };
}"""


class _Live:
    """The page's components now: the loaded config with each `gr.render` block's
    latest components in place of its first ones, and the labels the page shows."""

    def __init__(self, page: GradioPage) -> None:
        data = page.page.evaluate(_READ_LIVE, [ID_CLASS, LABEL_SELECTOR])
        self.tagged = bool(data.get("tagged"))
        self.shown: dict[str, str] = {str(k): str(v) for k, v in data["shown"].items()}
        base = list(page.config.get("components") or [])
        renders = {str(r["id"]): list(r["components"] or []) for r in data["renders"]}
        self.rendered = {str(e.get("id")) for r in renders.values() for e in r}
        self.has_renders = bool(renders) or any("renderable" in e for e in base)
        entries: list[dict[str, Any]] = []
        for e in base:
            if str(e.get("rendered_in")) in renders:
                continue  # redrawn since: its render block's newer components replace it
            entries.append(e)
            if str(e.get("renderable")) in renders:
                # A render block's components are drawn where the block is.
                entries.extend(renders.pop(str(e["renderable"])))
        for rest in renders.values():
            entries.extend(rest)
        seen: set[Any] = set()
        self.entries = []
        self.layout: list[dict[str, Any]] = []  # tabs, tabs' items and accordions
        parents = _tabs_of(page.config.get("layout"))
        for e in entries:
            if e.get("id") in seen:
                continue
            seen.add(e.get("id"))
            kind = str(e.get("type"))
            if kind in DRIVEN_LAYOUT:
                if kind == "tabitem" and e.get("id") in parents:
                    e = {**e, "_parent_tabs": parents[e["id"]]}
                self.layout.append(e)
            elif kind not in _LAYOUT:
                self.entries.append(e)

    def label(self, entry: dict[str, Any]) -> str | None:
        """The label as the page shows it: drawn, else the config's (a translated one
        named by the last part of its key)."""
        shown = self.shown.get(str(entry.get("id")))
        if shown and entry.get("type") not in DRIVEN_LAYOUT:  # theirs: a child's label
            return shown
        label = (entry.get("props") or {}).get("label")
        if isinstance(label, str) and label.startswith(_I18N):
            try:
                key = str(json.loads(label[len(_I18N) :]).get("key") or "")
            except ValueError:
                return label
            return key.rsplit(".", 1)[-1].replace("_", " ").capitalize() or label
        return label if isinstance(label, str) and label else None

    def answers_to(self, entry: dict[str, Any], name: str) -> bool:
        props = entry.get("props") or {}
        return (
            props.get("elem_id") == name
            or props.get("label") == name
            or self.label(entry) == name
            or (entry.get("type") == "button" and props.get("value") == name)
        )

    def describe(self, entry: dict[str, Any]) -> str:
        props = entry.get("props") or {}
        kind = str(entry.get("type"))
        bits = []
        label = self.label(entry)
        if label and props.get("show_label", True) is not False:
            bits.append(repr(label))
        elif label:
            bits.append(f"{label!r} (label hidden)")
        if kind == "button" and props.get("value"):
            bits.append(repr(props["value"]))
        if props.get("elem_id"):
            bits.append(f"#{props['elem_id']}")
        return f"{kind} {' '.join(bits)}".strip()


def _tabs_of(layout: Any) -> dict[Any, Any]:
    """Each tab item's Tabs, by id, from the config's layout tree."""
    found: dict[Any, Any] = {}

    def walk(node: Any, parent: Any) -> None:
        if not isinstance(node, dict):
            return
        for child in node.get("children") or []:
            if isinstance(child, dict):
                found[child.get("id")] = node.get("id")
                walk(child, node.get("id"))

    walk(layout, None)
    return found


def find_component(
    page: GradioPage, name: str | None, *, kind: str | None, index: int | None
) -> Component:
    """See `GradioPage.component`."""
    if name is None and kind is None:
        raise ComponentNotFoundError(
            "component() needs a label, elem_id or button text, or kind=... ."
        )
    deadline = time.monotonic() + page.timeout
    while True:
        live = _Live(page)
        try:
            return _find(page, live, name, kind=kind, index=index)
        except ComponentNotFoundError:
            # A `gr.render` block makes its components when its event has run: wait
            # for them (bounded) rather than say they do not exist.
            if not live.has_renders or time.monotonic() >= deadline:
                raise
        page.page.wait_for_timeout(_RETRY_MS * 2)


def expect_absent(
    page: GradioPage, name: str | None, *, kind: str | None, timeout: float | None
) -> None:
    """See `GradioPage.expect_absent`."""
    __tracebackhide__ = True
    if name is None and kind is None:
        raise ComponentNotFoundError("expect_absent() needs a label, elem_id or kind=... .")

    def drawn() -> list[str]:
        live = _Live(page)
        entries = live.layout if kind in DRIVEN_LAYOUT or kind == "tab" else live.entries
        hits = [
            e
            for e in entries
            if (name is None or live.answers_to(e, name))
            and (kind is None or e.get("type") == kind)
        ]
        return [
            live.describe(e) for e in hits if page.page.locator(f".{ID_CLASS}{e.get('id')}").count()
        ]

    who = f"component {name!r}" if name is not None else f"components of kind {kind!r}"
    _retry(page, who, "drawn", drawn, [], timeout)


def _find(
    page: GradioPage, live: _Live, name: str | None, *, kind: str | None, index: int | None
) -> Component:
    if kind == "tab":
        kind = "tabitem"
    entries = live.entries
    if kind in DRIVEN_LAYOUT:
        entries = live.layout
    root = page.page.locator(".gradio-container").first
    if name is not None:
        hits = [e for e in entries if live.answers_to(e, name)]
        if not hits and kind is None:
            # A tab or an accordion, by its label, when no component answers to it.
            hits = [e for e in live.layout if live.answers_to(e, name)]
        if kind is not None:
            hits = [e for e in hits if e.get("type") == kind]
        if not hits:
            if not live.tagged:
                # A page opened without pytest-gradio's init script: by label only.
                label = root.locator(LABEL_SELECTOR).filter(has_text=_exact(name))
                if label.count():
                    return Component(page, label.first.locator(_BLOCK), name, {})
            raise ComponentNotFoundError(
                f"No component {name!r} on the page at {page.url}. Components there: "
                + ", ".join(live.describe(e) for e in entries)
                + ". Use a label, an elem_id or a button's text (or kind=...)."
            )
        if index is None and len(hits) > 1:
            raise ComponentNotFoundError(
                f"{len(hits)} components answer to {name!r} on the page at {page.url}: "
                + ", ".join(live.describe(e) for e in hits)
                + ". Pass index=0, 1, ... (their order in the app) or give them distinct "
                "labels or elem_ids."
            )
        index = index or 0
        if index >= len(hits):
            raise ComponentNotFoundError(
                f"{len(hits)} component(s) answer to {name!r} on the page at {page.url} ("
                + ", ".join(live.describe(e) for e in hits)
                + f"); index={index} is out of range."
            )
        entry = hits[index]
    else:
        hits = [e for e in entries if e.get("type") == kind]
        index = index or 0
        if index >= len(hits):
            kinds = sorted({str(e.get("type")) for e in entries})
            raise ComponentNotFoundError(
                f"The page at {page.url} has {len(hits)} component(s) of kind {kind!r}; "
                f"index={index} asked. Kinds there: {', '.join(kinds)}."
            )
        entry = hits[index]
    cls = CONTROLLERS.get(str(entry.get("type")), Component)
    if live.tagged:
        # Drawn or not yet (a tab not opened, a render to come), visible or hidden:
        # the locator waits for this component's own element.
        locator = root.locator(f".{ID_CLASS}{entry.get('id')}").first
    else:
        locator = _locate(root, live, entry, entries)
    shown = name or f"{kind}[{index}]"
    if name is not None and index:
        shown = f"{name}[{index}]"
    component = cls(page, locator, shown, entry)
    if live.tagged and str(entry.get("id")) in live.rendered:

        def find_again() -> Locator | None:
            try:
                return _find(page, _Live(page), name, kind=kind, index=index).locator
            except ComponentNotFoundError:
                return None  # gone: its reads fail on the old element, saying so

        component._find_again = find_again
    return component


def _locate(
    root: Locator, live: _Live, entry: dict[str, Any], entries: list[dict[str, Any]]
) -> Locator:
    """Without the id classes: by elem_id, button text, label, else position."""
    props = entry.get("props") or {}
    kind = str(entry.get("type"))
    if props.get("elem_id"):
        return root.locator(f"[id='{props['elem_id']}']").first
    if kind == "button":
        # Not a tab of the same name, nor the copy of the tab bar that Gradio keeps to
        # measure overflow (hidden by CSS, yet "visible" to Playwright; its buttons
        # have no role and, before gradio 6.31, no tabindex either).
        buttons = root.locator(
            "button:not([role=tab]):not([tabindex='-1']):not(.tab-wrapper button)"
        ).filter(visible=True)
        same = [
            e
            for e in entries
            if e.get("type") == "button" and e["props"].get("value") == props.get("value")
        ]
        return buttons.filter(has_text=_exact(str(props.get("value") or ""))).nth(same.index(entry))
    label = live.label(entry)
    same = [e for e in entries if live.label(e) == label]
    if label and props.get("show_label", True) is not False and len(same) == 1:
        return (
            root.locator(LABEL_SELECTOR).filter(has_text=_exact(str(label))).first.locator(_BLOCK)
        )
    # No usable label: the n-th element of this kind, by the kinds' own test ids.
    position = [e for e in entries if e.get("type") == kind].index(entry)
    testid = _TESTIDS.get(kind)
    if testid is None:
        raise ComponentNotFoundError(
            f"The {live.describe(entry)} cannot be told apart from the other components on "
            "a page opened without pytest-gradio's init script. Give it elem_id=... in the "
            "app, or open the page with the gradio_page fixture."
        )
    return root.locator(testid).nth(position).locator(_BLOCK)


_TESTIDS = {
    "markdown": "[data-testid=markdown]",
    "html": ".prose, [data-testid=html]",
    "textbox": "[data-testid=textbox]",
    "chatbot": "[aria-label='chatbot conversation']",
    "json": ".json-holder",
    "image": "[data-testid=image]",
}
