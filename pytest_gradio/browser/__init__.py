"""Browser tests: a Playwright page on the app, component controllers, and the jobs
the page triggers, recorded as timelines. Needs the `[browser]` extra (playwright).

Layers: `launch` (finding and starting Chromium), `recording` (jobs from the page),
`page` (GradioPage, readiness), `controls/` (controllers, by family). The pytest glue is
`pytest_gradio.browser_plugin`.
"""

from __future__ import annotations

from .controls import Component, ComponentNotFoundError
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
