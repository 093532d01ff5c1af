"""Browser tests: a Playwright page on the app, component controllers, and the jobs
the page triggers, recorded as timelines. Needs the `[browser]` extra (playwright).

Layers: `launch` (finding and starting Chromium), `recording` (jobs from the page),
`page` (GradioPage, readiness), `components` (controllers). The pytest glue is
`pytest_gradio.browser_plugin`.
"""

from __future__ import annotations

from .components import Component, ComponentNotFoundError
from .launch import BrowserNotFoundError, PlaywrightMissingError
from .page import GradioPage, PageNotReadyError
from .recording import PageJob

__all__ = [
    "BrowserNotFoundError",
    "Component",
    "ComponentNotFoundError",
    "GradioPage",
    "PageJob",
    "PageNotReadyError",
    "PlaywrightMissingError",
]
