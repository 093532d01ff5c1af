"""An app whose first render is slow: the code of its components (loaded by the page
after the `load` event, as dynamic imports) is served 1.5 s late."""

import asyncio

import gradio as gr

with gr.Blocks() as demo:
    gr.Textbox("rendered", label="Status")


class SlowComponentCode:
    """ASGI middleware: the app sleeps, not the test (a slow network or CDN)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if "/assets/Index-" in path or "/assets/Textbox" in path:
            await asyncio.sleep(1.5)
        await self.app(scope, receive, send)
