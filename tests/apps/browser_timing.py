"""A page job whose processing the test paces: the timing of page jobs
(tests/test_browser.py). The job waits until the file it is given exists, then
sleeps SLEEP seconds, so the test knows what lies between PROCESSING and FINISHED."""

import time
from pathlib import Path

import gradio as gr

SLEEP = 0.2


def paced(gate):
    give_up = time.monotonic() + 60
    while not Path(gate).exists() and time.monotonic() < give_up:
        time.sleep(0.005)
    time.sleep(SLEEP)
    return "done"


with gr.Blocks() as demo:
    gate = gr.Textbox(label="Gate")
    out = gr.Textbox(label="Out")
    gr.Button("Go").click(paced, gate, out, api_name="paced")

if __name__ == "__main__":
    demo.launch()
