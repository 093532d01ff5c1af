"""A script stuck for good 40 calls deep, in a wait of C code (where no Python signal
handler runs, so only faulthandler's own can show where it is), before it ever
launches Gradio."""

import threading

import gradio as gr

with gr.Blocks() as demo:
    gr.Textbox()


def down(depth: int) -> None:
    if depth == 0:
        threading.Event().wait()
    down(depth - 1)


if __name__ == "__main__":
    down(40)
    demo.launch()
