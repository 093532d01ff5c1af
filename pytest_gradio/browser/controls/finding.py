"""Which component a name (label as shown, elem_id, button text) or kind means:
the page's live config (the loaded one, plus what `gr.render` made since), and
its element, by the id class the init script gave it or, on a page opened without
it, by elem_id, label or position among the components of its kind."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from .base import (
    BLOCK,
    LABEL_SELECTOR,
    RETRY_MS,
    Button,
    Component,
    ComponentNotFoundError,
    exact,
    retry_until,
)
from .chat import Chatbot
from .choices import Checkbox, CheckboxGroup, Dropdown, Radio
from .layout import Accordion, Tab, Tabs
from .media import Audio, File, Gallery, Image, Upload, Video
from .script import ID_CLASS
from .tables import Dataframe, Dataset
from .text import HTML, JSON, Markdown, MultimodalTextbox, Number, Slider, Textbox

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from ..page import GradioPage


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

# What the page shows of each tagged component (see `script.LIVE_CONFIG_JS`): its label
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
        # Whether a render may draw components: the config has a render's dependency
        # (`render_id`), whose run (on load, or on a click) may not have reached the
        # page yet. (Render configs arrive only for those; the loaded config's
        # components carry no `renderable`, on gradio 5.50 to 6.)
        self.has_renders = any(
            d.get("render_id") is not None for d in page.config.get("dependencies") or []
        )
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


class _NotYet(ComponentNotFoundError):
    """Not on the page (yet): a `gr.render` may still draw it."""


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
        except _NotYet as missing:
            # A `gr.render` block makes its components when its event has run: wait
            # for them (bounded) rather than say they do not exist. Only for a name
            # (or index) not there yet: an ambiguous name fails at once.
            if not live.has_renders or time.monotonic() >= deadline:
                raise ComponentNotFoundError(str(missing)) from None
        page.page.wait_for_timeout(RETRY_MS * 2)


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
    retry_until(page, who, "drawn", drawn, [], timeout)


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
                label = root.locator(LABEL_SELECTOR).filter(has_text=exact(name))
                if label.count():
                    return Component(page, label.first.locator(BLOCK), name, {})
            raise _NotYet(
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
            raise _NotYet(
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
            raise _NotYet(
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
    if not (live.tagged and str(entry.get("id")) in live.rendered):
        return cls(page, locator, shown, entry)

    def find_again() -> Locator | None:
        try:
            return _find(page, _Live(page), name, kind=kind, index=index).locator
        except ComponentNotFoundError:
            return None  # gone: its reads fail on the old element, saying so

    return cls(page, locator, shown, entry, find_again=find_again)


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
        return buttons.filter(has_text=exact(str(props.get("value") or ""))).nth(same.index(entry))
    label = live.label(entry)
    same = [e for e in entries if live.label(e) == label]
    if label and props.get("show_label", True) is not False and len(same) == 1:
        return root.locator(LABEL_SELECTOR).filter(has_text=exact(str(label))).first.locator(BLOCK)
    # No usable label: the n-th element of this kind, by the kinds' own test ids.
    position = [e for e in entries if e.get("type") == kind].index(entry)
    testid = _TESTIDS.get(kind)
    if testid is None:
        raise ComponentNotFoundError(
            f"The {live.describe(entry)} cannot be told apart from the other components on "
            "a page opened without pytest-gradio's init script. Give it elem_id=... in the "
            "app, or open the page with the gradio_page fixture."
        )
    return root.locator(testid).nth(position).locator(BLOCK)


_TESTIDS = {
    "markdown": "[data-testid=markdown]",
    "html": ".prose, [data-testid=html]",
    "textbox": "[data-testid=textbox]",
    "chatbot": "[aria-label='chatbot conversation']",
    "json": ".json-holder",
    "image": "[data-testid=image]",
}
