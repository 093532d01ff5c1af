"""A FastAPI service with a Gradio UI mounted in it, as many production apps are.

`python app.py` serves it on 0.0.0.0:8000 behind a proxy that publishes it under
/proxy (uvicorn's `root_path`). Under pytest-gradio the same `uvicorn.run(...)` call
is taken over: the app is served on 127.0.0.1 and a free port, with its other
arguments (the root_path here) kept, and the tests talk to Gradio at its mount.
"""

import os
import tempfile

import gradio as gr
import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    """The service's own route, next to the Gradio UI."""
    return {"status": "ok"}


def shout(text: str) -> str:
    return text.upper() + "!"


def export(text: str) -> str:
    """Write the text to a file the user downloads."""
    # Under GRADIO_TEMP_DIR when it is set (pytest-gradio sets it to a directory of
    # the run, removed with it), so test runs leave nothing in /tmp.
    path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR")), "export.txt")
    with open(path, "w") as handle:
        handle.write(text)
    return path


with gr.Blocks(title="Shouter") as demo:
    text = gr.Textbox(label="Text")
    loud = gr.Textbox(label="Loud")
    file = gr.File(label="Export")
    gr.Button("Shout").click(shout, text, loud, api_name="shout")
    gr.Button("Export").click(export, text, file, api_name="export")

app = gr.mount_gradio_app(app, demo, path="/ui")

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000, root_path="/proxy")
