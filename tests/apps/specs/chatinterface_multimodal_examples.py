"""gradio's demo/test_chatinterface_multimodal_examples (for
test_chatinterface_multimodal_examples.spec.ts), with an image made here."""

import os
import tempfile
from pathlib import Path

import gradio as gr
from PIL import Image

image = str(Path(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR"))) / "avatar.png")
Image.new("RGB", (8, 8), (200, 0, 0)).save(image)
MESSAGES = {"type": "messages"} if gr.__version__.startswith("5.") else {}


def echo(message, history):
    return f"You wrote: {message['text']} and uploaded {len(message['files'])} files."


demo = gr.ChatInterface(
    fn=echo,
    examples=[{"text": "hello"}, {"text": "hola", "files": [image]}],
    title="Echo Bot",
    multimodal=True,
    **MESSAGES,
)
