"""Issue 14 item 13: `demo` is a part rendered into `app`, and `app` is what the
script launches (and what `python app.py` serves)."""

import gradio as gr

with gr.Blocks() as demo:
    part = gr.Textbox(label="part")

with gr.Blocks() as app:
    demo.render()
    out = gr.Textbox()
    gr.Button().click(lambda: "the launched app", None, out, api_name="which")

if __name__ == "__main__":
    app.launch()
