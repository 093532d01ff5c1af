"""gradio's own custom_path demo shape: Gradio mounted in a FastAPI app that is served
from outside (`uvicorn run:app`), so the spec names the app: mounted_plain.py:app."""

import gradio as gr
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def read_main():
    return {"message": "This is your main app"}


io = gr.Interface(lambda x: "Hello, " + x + "!", "textbox", "textbox", api_name="greet")
app = gr.mount_gradio_app(app, io, path="/gradio")
