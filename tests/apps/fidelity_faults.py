"""An app for the fault tests: a generator with ten spaced outputs, an echo, and an
endpoint that sleeps (a frozen app, as the client sees it)."""

import time

import gradio as gr


def count(n):
    for i in range(int(n)):
        time.sleep(0.05)
        # Long outputs: the fault proxy cuts a message in half and must keep its id.
        yield f"output {i} " + "." * 120


def echo(text):
    return text


def sleep(seconds):
    time.sleep(float(seconds))
    return "woke"


with gr.Blocks() as demo:
    box = gr.Textbox()
    out = gr.Textbox()
    gr.Button("count").click(count, box, out, api_name="count")
    gr.Button("echo").click(echo, box, out, api_name="echo")
    gr.Button("sleep").click(sleep, box, out, api_name="sleep")
