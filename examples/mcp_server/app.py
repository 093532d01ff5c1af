"""A small app for agents: every endpoint is also an MCP tool (mcp_server=True).

Run it with `python app.py`; agents connect to http://127.0.0.1:7860/gradio_api/mcp/.
"""

import time

import gradio as gr
import numpy as np


def word_count(text: str) -> int:
    """Count the words in a text.

    Args:
        text: the text to count
    """
    return len(text.split())


def slow_sum(n: float, progress=gr.Progress()) -> float:  # noqa: B008 (how Gradio asks)
    """Add 1 + 2 + ... + n, one step at a time.

    Args:
        n: the last number to add
    """
    total = 0
    for i in progress.tqdm(range(1, int(n) + 1), desc="adding"):
        time.sleep(0.05)
        total += i
    return total


def swatch(hex_color: str) -> np.ndarray:
    """A 16x16 image of one color.

    Args:
        hex_color: the color, as #rrggbb
    """
    if not hex_color.startswith("#") or len(hex_color) != 7:
        raise gr.Error(f"{hex_color!r} is not a #rrggbb color")
    rgb = [int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]
    return np.full((16, 16, 3), rgb, dtype=np.uint8)


def line_count(document: str) -> int:
    """Count the lines of a text file.

    Args:
        document: the file
    """
    with open(document, encoding="utf-8") as handle:
        return sum(1 for _ in handle)


@gr.mcp.resource("glossary://{term}")
def glossary(term: str) -> str:
    """What a term means."""
    return {"tool": "a function an agent can call"}.get(term, f"{term}: not in the glossary")


@gr.mcp.prompt()
def summarize(text: str) -> str:
    """A prompt asking for a one-line summary."""
    return f"Summarize in one line:\n{text}"


with gr.Blocks(title="Agent tools") as demo:
    text = gr.Textbox(label="text")
    number = gr.Number(label="number")
    image = gr.Image(label="swatch")
    document = gr.File(label="document", type="filepath")
    gr.Button("count words").click(word_count, text, number, api_name="word_count")
    gr.Button("slow sum").click(slow_sum, number, number, api_name="slow_sum")
    gr.Button("swatch").click(swatch, text, image, api_name="swatch")
    gr.Button("count lines").click(line_count, document, number, api_name="line_count")
    gr.api(glossary)
    gr.api(summarize)

if __name__ == "__main__":
    demo.launch(mcp_server=True)
