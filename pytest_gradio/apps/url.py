"""URL mode: an app that already runs somewhere the plugin can reach."""

from __future__ import annotations

from ..options import AppOptions
from ..specs import AppSpec
from .base import GradioApp, wait_for_gradio


class UrlApp(GradioApp):
    """An app that already runs somewhere the plugin can reach."""

    def __init__(self, spec: AppSpec, options: AppOptions) -> None:
        super().__init__(spec, options, url=spec.target, mode="url")

    def wait_ready(self) -> None:
        wait_for_gradio(self.url, self.spec, self.options.startup_timeout)

    def is_alive(self) -> bool:
        return True
