"""One Blocks with an endpoint per shape the fidelity suite compares across the plain
gradio_client.Client and GradioClient's two transports."""

import hashlib
import os
import tempfile
import time
from pathlib import Path

import gradio as gr
import numpy as np


def echo(text):
    return text


def stream(text):
    # Three steps, the last the whole text: outputs grow as a chat reply does.
    n = len(text)
    for end in (n // 3, 2 * n // 3, n):
        yield text[:end]


def add(a, b):
    return a + b


def fail(text):
    raise gr.Error(f"bad input: {text}")


def crash(text):
    return {}[text]  # KeyError in the app: no message without show_error


def notify(text, progress=gr.Progress()):  # noqa: B008 - gradio's idiom
    gr.Info(f"info {text}")
    gr.Warning("line\u2028separator")
    for _ in progress.tqdm(range(3), desc="steps"):
        time.sleep(0.01)
    return text.upper()


def make_file(text):
    # Under the session's temp dir (the plugin sets GRADIO_TEMP_DIR): nothing left behind.
    path = Path(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR"))) / "out.txt"
    path.write_text(text)
    return str(path)


def read_file(path):
    data = Path(path).read_bytes()
    return f"{len(data)} {hashlib.sha256(data).hexdigest()[:16]}"


def make_image(size):
    n = int(size)
    return (np.arange(n * n * 3).reshape(n, n, 3) % 256).astype(np.uint8)


def image_shape(image):
    return str(image.shape)


def to_json(text):
    return {"text": text, "list": [1, 2.5, None, True], "nested": {"k": [text]}}


def double(frame):
    return frame * 2


def batch_upper(texts):
    return [[t.upper() for t in texts]]


def increment(count):
    count = (count or 0) + 1
    return count, count


def slow(text):
    time.sleep(0.2)
    return text


def count(n):
    for i in range(int(n)):
        time.sleep(0.02)
        yield str(i)


def long_count(n):
    for i in range(int(n)):
        time.sleep(0.1)
        yield str(i)


def pair(text):
    return text, len(text)


with gr.Blocks() as demo:
    text = gr.Textbox()
    out = gr.Textbox()
    number = gr.Number()
    number2 = gr.Number()
    out_number = gr.Number()
    file_out = gr.File()
    file_in = gr.File(type="filepath")
    image_out = gr.Image(type="numpy")
    image_in = gr.Image(type="numpy")
    json_out = gr.JSON()
    frame = gr.Dataframe(type="numpy", datatype="number")
    frame_out = gr.Dataframe(type="numpy", datatype="number")
    state = gr.State(0)
    gr.Button().click(echo, text, out, api_name="echo")
    gr.Button().click(stream, text, out, api_name="stream")
    gr.Button().click(add, [number, number2], out_number, api_name="add")
    gr.Button().click(fail, text, out, api_name="fail")
    gr.Button().click(crash, text, out, api_name="crash")
    gr.Button().click(notify, text, out, api_name="notify")
    gr.Button().click(make_file, text, file_out, api_name="make_file")
    gr.Button().click(read_file, file_in, out, api_name="read_file")
    gr.Button().click(make_image, number, image_out, api_name="make_image")
    gr.Button().click(image_shape, image_in, out, api_name="image_shape")
    gr.Button().click(to_json, text, json_out, api_name="to_json")
    gr.Button().click(double, frame, frame_out, api_name="double")
    gr.Button().click(batch_upper, text, out, api_name="batch_upper", batch=True, max_batch_size=4)
    gr.Button().click(increment, state, [state, out_number], api_name="increment")
    gr.Button().click(slow, text, out, api_name="slow", concurrency_limit=1)
    gr.Button().click(count, number, out, api_name="count")
    gr.Button().click(long_count, number, out, api_name="long_count")
    gr.Button().click(pair, text, [out, out_number], api_name="pair")

    @gr.render(inputs=text)
    def rendered(value):
        box = gr.Textbox(value)
        gr.Button().click(lambda s: f"rendered {s}", box, out, api_name="rendered")
