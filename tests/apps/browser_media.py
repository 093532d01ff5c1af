"""The app of the browser tests for uploads of each kind, HTML, a checkbox group and
a cancelled job: every input says what it received (a file's suffix and size)."""

import os
import time
from pathlib import Path

import gradio as gr


def received(value):
    if not value:
        return "nothing"
    paths = value if isinstance(value, list) else [value]
    # A gallery gives (path, caption) pairs.
    paths = [p[0] if isinstance(p, (tuple, list)) else p for p in paths]
    return ", ".join(f"{Path(p).suffix} {os.path.getsize(p)} bytes" for p in paths)


def ticks(path):
    """A long generator that leaves a trace of each step in the file `path`."""
    for i in range(600):
        with open(path, "a") as trace:
            trace.write(".")
        yield i
        time.sleep(0.05)


with gr.Blocks() as demo:
    sound = gr.Audio(type="filepath", label="Sound")
    document = gr.File(label="Document")
    clip = gr.Video(label="Clip")
    album = gr.Gallery(label="Album", type="filepath")
    got = gr.Textbox(label="Received")
    gr.HTML("<p>Plain <b>bold</b> text</p>", elem_id="page")
    sizes = gr.CheckboxGroup(["small", "medium", "large"], value=["medium"], label="Sizes")
    ticks_file = gr.Textbox(label="Ticks file")
    tick = gr.Number(label="Tick")
    gr.Button("Start ticking").click(ticks, ticks_file, tick, api_name="tick")
    sizes.change(lambda chosen: " & ".join(chosen) or "none", sizes, got, api_name="sizes")

    def more_sizes():
        time.sleep(0.5)  # the app looks the sizes up: the new choice shows a moment later
        return gr.CheckboxGroup(choices=["small", "medium", "large", "huge"])

    gr.Button("More sizes").click(more_sizes, None, sizes, api_name="more_sizes")
    sound.upload(received, sound, got, api_name="sound")
    document.upload(received, document, got, api_name="document")
    clip.upload(received, clip, got, api_name="clip")
    album.upload(received, album, got, api_name="album")
