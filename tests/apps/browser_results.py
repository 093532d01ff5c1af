"""The app of the page-job result tests (issue 22 item 8): a generator that a Stop
button cancels (`cancels=[...]`), and a Gallery of URLs the client cannot download."""

import time

import gradio as gr


def ticks(path):
    """A long generator that leaves a trace of each step in the file `path`."""
    for i in range(600):
        with open(path, "a") as trace:
            trace.write(".")
        yield i
        time.sleep(0.05)


def pictures(url):
    return [url]


with gr.Blocks() as demo:
    ticks_file = gr.Textbox(label="Ticks file")
    tick = gr.Number(label="Tick")
    start = gr.Button("Start").click(ticks, ticks_file, tick, api_name="tick")
    gr.Button("Stop").click(None, None, None, cancels=[start])
    url = gr.Textbox(label="Picture URL")
    gallery = gr.Gallery(label="Pictures")
    gr.Button("Show").click(pictures, url, gallery, api_name="pictures")
