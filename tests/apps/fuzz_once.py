"""An endpoint that fails on its first call only (as an app whose output depends on
randomness or on state between calls): hypothesis's replay of the failing input
passes, which it reports as flaky."""

import gradio as gr

calls = []


def once(text: str) -> str:
    calls.append(text)
    if len(calls) == 1:
        raise ValueError("failed on the first call")
    return text


with gr.Blocks() as demo:
    box = gr.Textbox()
    box.submit(once, box, box, api_name="once")
