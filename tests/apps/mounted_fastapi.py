"""The production shape of issue 16: a FastAPI app with its own route, Gradio mounted
into it, the whole behind an outer app at /myapp, served by the script's own uvicorn
on 0.0.0.0:8000 under `__main__` (with a proxy's root_path). The plugin must serve it
on loopback. MOUNTED_SERVE picks how the script serves: uvicorn.run (default),
Server.run or Server.serve (under asyncio.run)."""

import asyncio
import os
import tempfile

import gradio as gr
import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}


def greet(name):
    return f"Hello, {name}!"


def write_file(text):
    path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("GRADIO_TEMP_DIR")), "note.txt")
    with open(path, "w") as handle:
        handle.write(text)
    return path


with gr.Blocks() as demo:
    name = gr.Textbox()
    out = gr.Textbox()
    file = gr.File()
    gr.Button().click(greet, name, out, api_name="greet")
    gr.Button().click(write_file, name, file, api_name="write")

app = gr.mount_gradio_app(app, demo, path="/gradio")

# Starlette runs only the outermost app's lifespan, so the outer app runs the inner
# one's (where Gradio starts its queue), as a real deployment must.
outer = FastAPI(lifespan=lambda _: app.router.lifespan_context(app))
outer.mount("/myapp", app)

if __name__ == "__main__":
    serve = os.environ.get("MOUNTED_SERVE", "uvicorn.run")
    if serve == "uvicorn.run":
        uvicorn.run(outer, host="0.0.0.0", port=8000, root_path="/proxy")
    else:
        server = uvicorn.Server(
            uvicorn.Config(outer, host="0.0.0.0", port=8000, root_path="/proxy")
        )
        if serve == "Server.run":
            server.run()
        else:
            asyncio.run(server.serve())
