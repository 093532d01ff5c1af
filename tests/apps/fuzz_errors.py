"""Endpoints whose errors fuzzing must tell apart: a gr.Error on purpose, an
exception a test may allow, a hang, and a trivial echo (the benchmark's)."""

import threading

import gradio as gr

# Never set: /stall waits on it, bounded so that no thread outlives the run for long.
never = threading.Event()


def refuse(text):
    raise gr.Error(f"refused {text[:10]!r}")


def picky(n):
    if n > 3:
        raise ValueError("too big")
    return n


def stall(text):
    if text == "":
        never.wait(20)
    return text


def echo(text):
    return text


with gr.Blocks() as demo:
    text = gr.Textbox()
    number = gr.Slider(0, 10, step=1)
    gr.Button().click(refuse, text, text, api_name="refuse")
    gr.Button().click(picky, number, number, api_name="picky")
    gr.Button().click(stall, text, text, api_name="stall")
    gr.Button().click(echo, text, text, api_name="echo")

if __name__ == "__main__":
    demo.launch()
