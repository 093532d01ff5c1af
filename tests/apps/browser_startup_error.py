"""An app whose start-up event fails: its examples are cached at launch, and the
cached output is a file outside the paths gradio may serve (this very file)."""

import gradio as gr

demo = gr.Interface(
    lambda text: __file__,
    gr.Textbox(label="Text"),
    gr.File(label="Result"),
    examples=[["x"]],
    cache_examples=True,
)
