"""gradio's demo/blocks_flipper (for blocks_flipper.spec.ts)."""

import gradio as gr
import numpy as np

with gr.Blocks() as demo:
    gr.Markdown("Flip text or image files using this demo.")
    with gr.Tab("Flip Text"):
        text_input = gr.Textbox()
        text_output = gr.Textbox()
        text_button = gr.Button("Flip")
    with gr.Tab("Flip Image"):
        with gr.Row():
            image_input = gr.Image()
            image_output = gr.Image()
        image_button = gr.Button("Flip")
    with gr.Accordion("Open for More!", open=False):
        gr.Markdown("Look at me...")
        gr.Slider(0, 1, value=0.1, step=0.1, interactive=True, label="Slide me")
    text_button.click(lambda x: x[::-1], text_input, text_output)
    image_button.click(np.fliplr, image_input, image_output)
