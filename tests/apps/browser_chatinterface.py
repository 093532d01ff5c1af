"""gradio's demo/test_chatinterface_streaming_echo and demo/test_chatinterface_examples
as one app: a streaming ChatInterface with examples, numbering its runs."""

import itertools
import time

import gradio as gr

runs = itertools.count(1)


def slow_echo(message, history):
    run = next(runs)
    for i in range(len(message)):
        time.sleep(0.02)
        yield f"Run {run} - You typed: " + message[: i + 1]


MESSAGES = {"type": "messages"} if gr.__version__.startswith("5.") else {}
demo = gr.ChatInterface(
    slow_echo,
    examples=["Hey", "Can you explain briefly to me what is the Python programming language?"],
    cache_examples=False,
    **MESSAGES,
)
