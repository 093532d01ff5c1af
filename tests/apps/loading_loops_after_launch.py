"""Issue 14 item 6: launch without blocking, then keep the process alive itself."""

import time

import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda: "alive", None, box, api_name="ping")

demo.launch(prevent_thread_lock=True)
while True:
    time.sleep(0.1)
