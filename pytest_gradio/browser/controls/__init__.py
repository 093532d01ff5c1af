"""Controllers for Gradio components on a page: actions and bounded expectations,
one module per family of components.

Layers (import-linter's `controls-layers`): `finding` (which component a name or
kind means, and its element) on the families (`text`, `choices`, `media`, `chat`,
`layout`, `tables`), on `base` (what every controller has), on `script` (the id
classes and the page's init script that puts them in).
"""

from __future__ import annotations

from .base import Button, Component, ComponentNotFoundError, Valued
from .chat import Chatbot
from .choices import Checkbox, CheckboxGroup, Dropdown, Radio
from .finding import CONTROLLERS, expect_absent, find_component
from .layout import Accordion, Tab, Tabs, Toasts
from .media import Audio, File, Gallery, Image, Upload, Video
from .script import ID_CLASS, LIVE_CONFIG_JS
from .tables import Dataframe, Dataset
from .text import HTML, JSON, Markdown, MultimodalTextbox, Number, Slider, Textbox

__all__ = [
    "CONTROLLERS",
    "HTML",
    "ID_CLASS",
    "JSON",
    "LIVE_CONFIG_JS",
    "Accordion",
    "Audio",
    "Button",
    "Chatbot",
    "Checkbox",
    "CheckboxGroup",
    "Component",
    "ComponentNotFoundError",
    "Dataframe",
    "Dataset",
    "Dropdown",
    "File",
    "Gallery",
    "Image",
    "Markdown",
    "MultimodalTextbox",
    "Number",
    "Radio",
    "Slider",
    "Tab",
    "Tabs",
    "Textbox",
    "Toasts",
    "Upload",
    "Valued",
    "Video",
    "expect_absent",
    "find_component",
]
