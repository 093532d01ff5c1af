"""A script that ends without serving, whose loading thread ends 1 s after its code
did: a value in a thread-local is freed as that thread winds down, and freeing it
takes a second (as a library's per-thread resources can)."""

import threading
import time

import gradio as gr


class SlowToFree:
    def __del__(self) -> None:
        time.sleep(1)


_per_thread = threading.local()
_per_thread.value = SlowToFree()

with gr.Blocks() as demo:
    gr.Textbox(label="Name")
