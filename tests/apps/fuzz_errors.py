"""Endpoints whose errors fuzzing must tell apart: a gr.Error on purpose, an
exception a test may allow, a hang, a trivial echo, and a function that needs the
event data of a select (which no API call carries)."""

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


def slow_picky(n):
    # A failing input is slow, enough that shrinking a finding outlasts a 4 s budget
    # many times; a passing one is answered at once, so the search finds one early.
    if n > 3:
        never.wait(1)
    return picky(n)


def stall(text):
    if text == "":
        never.wait(20)
    return text


def echo(text):
    return text


def bad_output(text):
    # A gr.Chatbot cannot take a message whose content is a tuple (Gradio 5's file
    # message): gradio's postprocess fails on the server.
    return [{"role": "user", "content": ("not a file",)}]


def picked(selection: gr.SelectData):
    return selection.value


with gr.Blocks() as demo:
    text = gr.Textbox()
    number = gr.Slider(0, 10, step=1)
    gr.Button().click(refuse, text, text, api_name="refuse")
    gr.Button().click(picky, number, number, api_name="picky")
    gr.Button().click(stall, text, text, api_name="stall")
    big = gr.Slider(0, 10**6, step=1)
    gr.Button().click(slow_picky, big, big, api_name="slow_picky")
    gr.Button().click(echo, text, text, api_name="echo")
    text.select(picked, None, text, api_name="picked")
    gr.Button().click(bad_output, text, gr.Chatbot(), api_name="bad_output")

if __name__ == "__main__":
    demo.launch()
