"""A gr.Interface (the other app shape), with an example-free text and slider."""

import gradio as gr


def greet(name, times):
    return " ".join([f"hello {name}"] * int(times))


demo = gr.Interface(greet, [gr.Textbox(), gr.Slider(1, 5, step=1)], gr.Textbox())
