"""URL mode: an app that already runs somewhere the plugin can reach."""

from __future__ import annotations

from ..errors import AppLoginError, NotAGradioAppError
from ..options import AppOptions
from ..specs import AppSpec
from .base import GradioApp, accepts_connections, wait_for_gradio


class UrlApp(GradioApp):
    """An app that already runs somewhere the plugin can reach."""

    def __init__(self, spec: AppSpec, options: AppOptions) -> None:
        super().__init__(spec, options, url=spec.target, mode="url")

    def wait_ready(self) -> None:
        try:
            wait_for_gradio(self.url, self.spec, self.options.startup_timeout)
        except NotAGradioAppError:
            if not self._asks_login():
                raise
            if "auth" not in self.options.client_kwargs:
                # Imported here: the client layer loads gradio_client.
                from ..client.recording import AUTH_SOURCES

                raise AppLoginError(
                    f"gradio app {self.spec.describe()} at {self.url} asks for a login "
                    f"(HTTP 401 for /config: its launch(auth=...)), and the client gave none. "
                    f"Give the user name and password as {AUTH_SOURCES}."
                ) from None
            # An app behind Gradio's login answers /config only after it: the client
            # logs in with client_kwargs['auth'], and says so if the app refuses them.

    def _asks_login(self) -> bool:
        import httpx

        from ..client import tls

        try:
            config = httpx.get(self.url + "config", timeout=5.0, verify=tls.verify())
            return config.status_code == 401
        except httpx.HTTPError:
            return False

    def is_alive(self) -> bool:
        # A TCP connect, not a request: cheap enough for every test, and it tells an
        # app that went away (the pool then starts it "again", which waits for it and
        # fails naming the app and URL) from one that answers slowly.
        return accepts_connections(self.url)
