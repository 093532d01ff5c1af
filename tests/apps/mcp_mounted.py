"""Gradio mounted in a FastAPI app at /gradio with its MCP server on, served by the
script's own uvicorn (the plugin serves it on loopback): tests/test_mcp.py."""

import gradio as gr
import uvicorn
from fastapi import FastAPI

app = FastAPI()


def shout(text: str) -> str:
    """Shout a text.

    Args:
        text: what to shout
    """
    return text.upper() + "!"


with gr.Blocks() as demo:
    box = gr.Textbox()
    out = gr.Textbox()
    gr.Button().click(shout, box, out, api_name="shout")

app = gr.mount_gradio_app(app, demo, path="/gradio", mcp_server=True)

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000)
