"""A stream as fast as the server can send it: 300 yields with no wait between."""

import gradio as gr


def count(n):
    text = ""
    for i in range(int(n)):
        text = str(i)
        yield text


with gr.Blocks() as demo:
    n = gr.Number(300, label="How many")
    out = gr.Textbox(label="Counted")
    gr.Button("Count").click(count, n, out, api_name="count")
