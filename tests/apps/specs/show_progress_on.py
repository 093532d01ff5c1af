"""gradio's demo/show_progress_on (for show_progress_on.spec.ts), with images made
here (no download) and a job that runs until the test opens its gate."""

import os
import tempfile
import time
from pathlib import Path

import gradio as gr


def fake_gan(gate):
    deadline = time.monotonic() + 60
    while gate and not Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    from PIL import Image

    images = []
    for i in range(3):
        path = Path(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR"))) / f"{i}.png"
        Image.new("RGB", (8, 8), (80 * i, 0, 0)).save(path)
        images.append((str(path), f"label {i}"))
    return images, "Done"


with gr.Blocks() as demo:
    gallery = gr.Gallery(label="Generated images", show_label=False, elem_id="gallery")
    t = gr.Textbox(label="Progress", elem_id="progress_textbox")
    gate = gr.Textbox(label="Gate")
    btn = gr.Button("Generate images", scale=0)
    btn.click(fake_gan, gate, [gallery, t], show_progress="minimal", show_progress_on=t)
