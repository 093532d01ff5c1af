"""An app behind a login: clients pass auth=("user", "pass")."""

import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda s: s[::-1], box, box, api_name="reverse")

demo.launch(auth=("user", "pass"))
