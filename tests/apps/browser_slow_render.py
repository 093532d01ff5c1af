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


class MissingComponentCode:
    """ASGI middleware: the components' code is not found (404), so the page never
    renders; the layout's own code is served."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if "/assets/Index-" in path or "/assets/Textbox" in path:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"not found"})
            return
        await self.app(scope, receive, send)
