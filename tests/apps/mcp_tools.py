"""An app whose endpoints are MCP tools of every kind the tests need (tests/test_mcp.py).

It launches itself with the MCP server on, so that subprocess mode (which runs the
script as production does) serves MCP too.
"""

import os
import time

import gradio as gr
import numpy as np


def greet(name: str) -> str:
    """Greet someone by name.

    Args:
        name: who to greet
    """
    return f"Hello, {name}!"


def count(n: float, progress=gr.Progress()) -> str:  # noqa: B008 (how Gradio asks)
    """Count to n, reporting each step.

    Args:
        n: how far to count
    """
    for _ in progress.tqdm(range(int(n)), desc="counting"):
        # Spaced well apart: gradio's server coalesces progress sent closer than ~10 ms.
        time.sleep(0.05)
    return f"counted to {int(n)}"


def refuse(reason: str) -> str:
    """Refuse with a gr.Error.

    Args:
        reason: why
    """
    raise gr.Error(f"refused: {reason}")


def crash(text: str) -> str:
    """Crash with an unhandled exception.

    Args:
        text: anything
    """
    raise ZeroDivisionError(f"cannot divide {text}")


def red_square(size: float) -> np.ndarray:
    """A red square image.

    Args:
        size: side in pixels
    """
    side = int(size)
    pixels = np.zeros((side, side, 3), dtype=np.uint8)
    pixels[..., 0] = 255
    return pixels


def file_size(document: str) -> int:
    """The size of a file in bytes.

    Args:
        document: the file
    """
    return os.path.getsize(document)


def stats(text: str) -> dict:
    """Word statistics of a text.

    Args:
        text: the text
    """
    return {"words": len(text.split()), "chars": len(text)}


def caller(text: str, request: gr.Request) -> str:
    """Says who called, from the request's headers: Gradio's MCP server passes the
    agent's headers on (an MCP client accepts event streams), and gradio 6 also
    calls as user "mcp".

    Args:
        text: anything
    """
    headers = request.headers
    agent = (
        "text/event-stream" in headers.get("accept", "") or headers.get("x-gradio-user") == "mcp"
    )
    return f"{text} from a {'agent' if agent else 'person'}"


@gr.mcp.resource("notes://{topic}")
def note(topic: str) -> str:
    """A note about a topic."""
    return f"A note about {topic}."


@gr.mcp.prompt()
def review(code: str) -> str:
    """A prompt asking for a code review."""
    return f"Please review this code:\n{code}"


with gr.Blocks(title="MCP tools") as demo:
    text = gr.Textbox(label="text")
    out = gr.Textbox(label="out")
    number = gr.Number(label="number")
    image = gr.Image(label="image")
    document = gr.File(label="document", type="filepath")
    data = gr.JSON(label="data")
    gr.Button("greet").click(greet, text, out, api_name="greet")
    gr.Button("count").click(count, number, out, api_name="count")
    gr.Button("refuse").click(refuse, text, out, api_name="refuse")
    gr.Button("crash").click(crash, text, out, api_name="crash")
    gr.Button("red").click(red_square, number, image, api_name="red_square")
    gr.Button("size").click(file_size, document, number, api_name="file_size")
    gr.Button("stats").click(stats, text, data, api_name="stats")
    gr.Button("caller").click(caller, text, out, api_name="caller")
    gr.api(note)
    gr.api(review)

if __name__ == "__main__":
    demo.launch(mcp_server=True)
