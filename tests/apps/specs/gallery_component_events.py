"""gradio's demo/gallery_component_events (for gallery_component_events.spec.ts),
with files made here instead of remote URLs (no test reaches the internet)."""

import inspect
import os
import tempfile
from pathlib import Path

import gradio as gr
from PIL import Image

folder = Path(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR")))
files = []
for i, name in enumerate(["cheetah-003.jpg", "world.png", "TheCheethcat.jpg"]):
    Image.new("RGB", (16, 16), (80 * i, 40, 0)).save(folder / name)
    files.append(str(folder / name))


def select(data: gr.SelectData):
    return Path(data.value["image"]["path"]).name


with gr.Blocks() as demo:
    # Gallery(sources=...) is newer than gradio 6.0 (5.50 and 6.0.2 have none): there
    # an interactive gallery takes uploads only.
    takes = inspect.signature(gr.Gallery.__init__).parameters
    sources = {"sources": ["upload", "clipboard"]} if "sources" in takes else {}
    gal = gr.Gallery(columns=4, interactive=True, label="Input Gallery", **sources)
    btn = gr.Button("Run")
    output_gal = gr.Gallery(columns=4, interactive=True, label="Output Gallery")
    num_upload = gr.Number(value=0, label="Num Upload")
    num_change = gr.Number(value=0, label="Num Change")
    select_output = gr.Textbox(label="Select Data")
    gal.upload(lambda v, n: (v, n + 1), [gal, num_upload], [output_gal, num_upload])
    gal.change(lambda n: n + 1, num_change, num_change)
    btn.click(lambda: files, None, [output_gal])
    output_gal.select(select, None, select_output)
