"""A `gr.render` that runs only when a button is clicked, and takes a while: the
page has no render config at all until the click's job ends."""

import time

import gradio as gr

with gr.Blocks() as demo:
    draw = gr.Button("Draw")

    @gr.render(triggers=[draw.click])
    def late():
        time.sleep(1.0)  # the app is slow, not the test: a render that looks something up
        gr.Textbox("drawn late", label="Late")
