"""The app the snapshot tests pin: results, floats, a stream, files, an image,
progress with logs, an error, an endpoint with a default, and timing noise
(progress faster than the server sends it, a slow job)."""

import os
import tempfile
import time
from pathlib import Path

import gradio as gr
import numpy as np


def add(a, b):
    return a + b


def stream(text):
    words = text.split()
    for i in range(len(words)):
        time.sleep(0.01)
        yield " ".join(words[: i + 1])


def report(text):
    # A fresh directory per call, a fixed file name: the name is part of the snapshot.
    # In the run's GRADIO_TEMP_DIR (removed with the run), not loose in /tmp.
    temp = os.environ.get("GRADIO_TEMP_DIR")
    path = Path(tempfile.mkdtemp(prefix="report_", dir=temp)) / "report.txt"
    path.write_text(f"report: {text}\n")
    return str(path)


def picture(width, height):
    width, height = int(width), int(height)
    ramp = np.linspace(0, 255, width, dtype=np.uint8)
    pixels = np.stack([np.tile(ramp, (height, 1))] * 3, axis=-1)
    return pixels


# Every step outlasts two of the server's progress samples, so that the progress bar
# always shows: gradio 6 samples every 10 ms, gradio 5 every 100 ms (tests/versions.py).
STEP_SECONDS = 0.03 if int(gr.__version__.split(".")[0]) >= 6 else 0.25


def steps(n, progress=gr.Progress()):  # noqa: B008
    gr.Info("starting")
    for i in range(int(n)):
        progress((i, int(n)), desc="working")
        time.sleep(STEP_SECONDS)
    if n > 2:
        gr.Warning("that was many steps")
    return f"did {int(n)} steps"


def burst(n, progress=gr.Progress()):  # noqa: B008
    # Much faster than the server's ~10 ms progress interval: most calls are dropped,
    # and which ones arrive differs from run to run.
    for i in range(int(n)):
        progress((i, int(n)), desc="burst")
        time.sleep(0.001)
    return "burst done"


def slow(seconds):
    time.sleep(float(seconds))
    return "slept"


def fail(message):
    raise gr.Error(message)


def greet(name, greeting):
    return f"{greeting}, {name}!"


with gr.Blocks(title="snapshots") as demo:
    a = gr.Number()
    b = gr.Number()
    total = gr.Number()
    text = gr.Textbox()
    file_out = gr.File()
    image_out = gr.Image(format="png")
    name = gr.Textbox(label="Name")
    greeting = gr.Textbox(label="Greeting", value="Hello")
    gr.Button().click(add, [a, b], total, api_name="add")
    gr.Button().click(stream, [text], text, api_name="stream")
    gr.Button().click(report, [text], file_out, api_name="report")
    gr.Button().click(picture, [a, b], image_out, api_name="picture")
    gr.Button().click(steps, [a], text, api_name="steps")
    gr.Button().click(burst, [a], text, api_name="burst")
    gr.Button().click(slow, [a], text, api_name="slow")
    gr.Button().click(fail, [text], text, api_name="fail")
    gr.Button().click(greet, [name, greeting], text, api_name="greet")
