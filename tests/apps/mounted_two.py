"""Two Gradio apps mounted in one FastAPI app: the tests say which with path=."""

import gradio as gr
import uvicorn
from fastapi import FastAPI

app = FastAPI()

for name in ("a", "b"):
    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(lambda name=name: name, None, box, api_name="which")
    app = gr.mount_gradio_app(app, demo, path=f"/{name}")

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000)
