"""Issue 14 item 14: code after launch() uses what launch sets (as gradio's
slider_release demo does)."""

import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda: LAUNCHED_AT, None, box, api_name="where")

demo.launch(prevent_thread_lock=True)
LAUNCHED_AT = f"{demo.local_url.rstrip('/')} port {int(demo.server_port)}"
