"""The app the browser tests drive: one of each component the controllers handle,
and events that only the page can trigger (private, chained, from a textbox)."""

import os
import tempfile
import time
from pathlib import Path

import gradio as gr

# An event with no API: Gradio 6 says api_visibility="private", Gradio 5 api_name=False.
PRIVATE = {"api_name": False} if gr.__version__.startswith("5.") else {"api_visibility": "private"}
# Chat messages as role/content dicts: the default in Gradio 6, asked for in Gradio 5.
MESSAGES = {"type": "messages"} if gr.__version__.startswith("5.") else {}


def greet(name, shout):
    text = f"Hello {name}"
    return text.upper() if shout else text


def count(n, progress=gr.Progress()):  # noqa: B008 (gradio's idiom)
    gr.Info("counting")
    for i in range(int(n)):
        progress((i, int(n)), desc="counting")
        time.sleep(0.03)
    return int(n)


def check(greeting):
    # A slow step that skips the queue (queue=False): the page posts it to /run, and
    # its `.then()` starts only when the answer comes.
    time.sleep(0.5)
    return f"{greeting} (checked)"


def fail(name):
    raise gr.Error(f"no greeting for {name}")


def describe(level, choice, pick):
    return f"level {int(level)}, choice {choice}, pick {pick}", {"level": level, "choice": choice}


def make_file(name):
    path = Path(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR"))) / f"{name or 'empty'}.txt"
    path.write_text(f"file for {name}")
    return str(path)


def image_size(path):
    from PIL import Image

    with Image.open(path) as image:
        return f"{image.width}x{image.height}"


def respond(message, history):
    return "", [
        *history,
        {"role": "user", "content": message},
        {"role": "assistant", "content": f"echo: {message}"},
    ]


def table(n):
    return [[i, i * i] for i in range(int(n))]


def gallery(n):
    from PIL import Image

    paths = []
    for i in range(int(n)):
        path = Path(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR"))) / f"{i}.png"
        Image.new("RGB", (8, 8), (40 * i, 0, 0)).save(path)
        paths.append(str(path))
    return paths


with gr.Blocks() as demo:
    name = gr.Textbox(label="Name")
    shout = gr.Checkbox(label="Shout")
    greeting = gr.Textbox(label="Greeting")
    greet_btn = gr.Button("Greet")
    private_btn = gr.Button("Private greet")
    checked_btn = gr.Button("Checked greet")
    fail_btn = gr.Button("Fail")
    number = gr.Number(label="Steps", value=3)
    counted = gr.Number(label="Counted")
    count_btn = gr.Button("Count")
    level = gr.Slider(0, 10, value=2, step=1, label="Level")
    choice = gr.Dropdown(["red", "green", "blue"], value="red", label="Colour")
    pick = gr.Radio(["one", "two"], value="one", label="Pick")
    toppings = gr.Dropdown(
        ["cheese", "ham", "olives"], value=["cheese"], multiselect=True, label="Toppings"
    )
    order = gr.Textbox(label="Order")
    order_btn = gr.Button("Order")
    summary = gr.Markdown("nothing yet", elem_id="summary")
    data = gr.JSON(label="Data")
    describe_btn = gr.Button("Describe")
    file_out = gr.File(label="Download")
    file_btn = gr.Button("Make file")
    photo = gr.Image(type="filepath", label="Photo")
    size = gr.Textbox(label="Size")
    chat = gr.Chatbot(label="Chat", **MESSAGES)
    message = gr.Textbox(label="Message")
    rows = gr.Dataframe(headers=["n", "square"], label="Squares", interactive=False)
    pics = gr.Gallery(label="Pics")
    table_btn = gr.Button("Fill")
    with gr.Group(visible=False) as secret_group:
        secret = gr.Textbox("hidden value", label="Secret")
    reveal = gr.Button("Reveal")
    locked = gr.Textbox(label="Locked", interactive=False)

    greet_btn.click(greet, [name, shout], greeting, api_name="greet")
    private_btn.click(greet, [name, shout], greeting, **PRIVATE).then(
        lambda g: g + "!", greeting, greeting, **PRIVATE
    )
    checked_btn.click(greet, [name, shout], greeting, **PRIVATE).then(
        check, greeting, greeting, queue=False, **PRIVATE
    ).then(lambda g: g + "!", greeting, greeting, **PRIVATE)
    fail_btn.click(fail, name, greeting, api_name="fail")
    count_btn.click(count, number, counted, api_name="count")
    describe_btn.click(describe, [level, choice, pick], [summary, data], api_name="describe")
    file_btn.click(make_file, name, file_out, api_name="make_file")
    photo.upload(image_size, photo, size, api_name="size")
    message.submit(respond, [message, chat], [message, chat], api_name="respond")
    table_btn.click(table, number, rows, api_name="table").then(gallery, number, pics)
    reveal.click(lambda: gr.Group(visible=True), None, secret_group)
    order_btn.click(lambda t: " + ".join(t) or "plain", toppings, order, api_name="order")
