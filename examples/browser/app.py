"""A small app tested through its web page: a greeting, a chat, an image upload, a
slider that drives a Markdown summary, and a panel that appears on click."""

import gradio as gr

# An event with no API: Gradio 6 says api_visibility="private", Gradio 5 api_name=False.
PRIVATE = {"api_name": False} if gr.__version__.startswith("5.") else {"api_visibility": "private"}
# Chat messages as role/content dicts: the default in Gradio 6, asked for in Gradio 5.
MESSAGES = {"type": "messages"} if gr.__version__.startswith("5.") else {}


def greet(name):
    return f"Hello {name}!"


def chat(message, history):
    reply = message[::-1]
    return "", [
        *history,
        {"role": "user", "content": message},
        {"role": "assistant", "content": reply},
    ]


def describe(path):
    from PIL import Image

    with Image.open(path) as image:
        return f"{image.width}×{image.height} pixels"


def stars(level):
    return "★" * int(level) or "no stars"


with gr.Blocks() as demo:
    with gr.Tab("Greet"):
        name = gr.Textbox(label="Name")
        greeting = gr.Textbox(label="Greeting")
        gr.Button("Greet").click(greet, name, greeting, api_name="greet")
    with gr.Tab("Chat"):
        conversation = gr.Chatbot(label="Conversation", **MESSAGES)
        message = gr.Textbox(label="Message")
        message.submit(chat, [message, conversation], [message, conversation], api_name="chat")
    with gr.Tab("Image"):
        picture = gr.Image(type="filepath", label="Picture")
        size = gr.Textbox(label="Size")
        picture.upload(describe, picture, size, api_name="describe")
    with gr.Tab("Rating"):
        rating = gr.Slider(0, 5, value=0, step=1, label="Rating")
        shown = gr.Markdown("no stars", elem_id="stars")
        rating.release(stars, rating, shown, api_name="stars")
    with gr.Tab("More"):
        more = gr.Button("Show details")
        with gr.Group(visible=False) as details:
            gr.Textbox("Made with Gradio", label="Details")
        more.click(lambda: gr.Group(visible=True), None, details, **PRIVATE)
