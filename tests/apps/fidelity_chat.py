"""Two gr.ChatInterfaces, a streaming text one and a multimodal one, as tabs."""

import time

import gradio as gr


def reply(message, history):
    words = f"you said {message} after {len(history)} turns".split()
    for i in range(1, len(words) + 1):
        time.sleep(0.005)
        yield " ".join(words[:i])


def multimodal(message, history):
    files = message.get("files", [])
    return f"{message.get('text', '')} with {len(files)} file(s)"


with gr.Blocks() as demo:
    with gr.Tab("text"):
        gr.ChatInterface(reply, api_name="chat")
    with gr.Tab("multimodal"):
        gr.ChatInterface(multimodal, multimodal=True, api_name="chat_mm")
