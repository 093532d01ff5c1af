"""A FastAPI app with no Gradio in it, served by the script itself."""

import gradio as gr  # noqa: F401 (imported, but nothing mounted)
import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000)
