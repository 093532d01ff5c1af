"""A streaming input event (`.stream()`), as webcam and microphone demos have."""

import gradio as gr


def flip(image):
    return image[::-1] if image is not None else None


with gr.Blocks() as demo:
    cam = gr.Image(sources=["webcam"], streaming=True, type="numpy")
    out = gr.Image(type="numpy")
    cam.stream(flip, cam, out, time_limit=1, stream_every=0.2, api_name="flip")
