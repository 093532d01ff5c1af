"""uvicorn.run by import string, with reload and workers (as in development): the
plugin serves one server, no reloader, on loopback."""

import gradio as gr
import uvicorn
from fastapi import FastAPI

app = FastAPI()
with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda: "reloaded", None, box, api_name="which")
app = gr.mount_gradio_app(app, demo, path="/gradio")

if __name__ == "__main__":
    uvicorn.run("mounted_reload:app", host="0.0.0.0", port=8000, reload=True, workers=2)
