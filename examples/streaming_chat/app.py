"""A chat bot that streams its reply: it echoes your message back word by word."""

import time
from collections.abc import Iterator

import gradio as gr


def echo(message: str, history: list[dict]) -> Iterator[str]:
    """Yield the growing reply, one more word each time, like a token stream."""
    reply = ""
    for word in message.split():
        time.sleep(0.02)
        reply = f"{reply} {word}" if reply else word
        yield reply


# Gradio 5 named this endpoint /chat; Gradio 6 names it after the function. Pin it.
demo = gr.ChatInterface(echo, title="Echo bot", api_name="chat")


if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", server_port=7860)
