"""The app the CI tests talk to: an endpoint that answers, one that never does, and
one with a bug (an unhandled exception, not gr.Error) whose message names its input."""

import threading

import gradio as gr

# Never set: /hang waits until its test gives up (the wait is bounded so that an
# in-process run leaves no thread behind for long).
never = threading.Event()


def add(a, b):
    return a + b


def hang(text):
    never.wait(120)
    return "never"


def crash(x):
    return {"known": 1}[f"key {int(x)}"]


with gr.Blocks() as demo:
    a = gr.Number()
    b = gr.Number()
    text = gr.Textbox()
    gr.Button().click(add, [a, b], a, api_name="add")
    # No concurrency limit: every test's hung job gets a worker, none waits in queue
    # behind another test's.
    gr.Button().click(hang, text, text, api_name="hang", concurrency_limit=None)
    gr.Button().click(crash, a, a, api_name="crash")
