"""Text tools: statistics, a typewriter stream, a CSV export with progress, a badge image."""

import csv
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np


def stats(text: str, ignore_case: bool) -> dict:
    """Count the words of `text`; the average word length is a float."""
    words = text.split()
    if not words:
        raise gr.Error("Enter some text.")
    if ignore_case:
        words = [word.lower() for word in words]
    return {
        "words": len(words),
        "distinct": len(set(words)),
        "average_length": sum(len(word) for word in words) / len(words),
    }


def typewriter(text: str) -> Iterator[str]:
    """Yield the text one more word at a time."""
    shown = ""
    for word in text.split():
        time.sleep(0.02)
        shown = f"{shown} {word}" if shown else word
        yield shown


# Gradio finds the progress tracker by this default value; that is its documented idiom.
def export(text: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
    """Write one CSV row per word, reporting progress; return the file."""
    words = text.split()
    # Under GRADIO_TEMP_DIR when it is set (pytest-gradio sets it to a directory of
    # the run, removed with it), so test runs leave nothing in /tmp.
    folder = tempfile.mkdtemp(prefix="export_", dir=os.environ.get("GRADIO_TEMP_DIR"))
    path = Path(folder) / "words.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["index", "word"])
        for i, word in enumerate(words):
            progress((i, len(words)), desc="Exporting")
            # Long enough for the server to send it: gradio 6 sends progress every
            # 10 ms, gradio 5 every 100 ms.
            time.sleep(0.1)
            writer.writerow([i, word])
    gr.Info(f"Exported {len(words)} words")
    return str(path)


def badge(text: str) -> np.ndarray:
    """A 48 x 16 badge whose colour depends on the text."""
    shade = sum(map(ord, text)) % 256
    pixels = np.zeros((16, 48, 3), dtype=np.uint8)
    pixels[:, :, 0] = shade
    pixels[4:12, 4:44, 1] = 255
    return pixels


with gr.Blocks(title="Text tools") as demo:
    text = gr.Textbox(label="Text")
    ignore_case = gr.Checkbox(label="Ignore case", value=True)
    gr.Button("Stats").click(
        stats, inputs=[text, ignore_case], outputs=gr.JSON(label="Stats"), api_name="stats"
    )
    gr.Button("Type").click(
        typewriter, inputs=text, outputs=gr.Textbox(label="Typed"), api_name="typewriter"
    )
    gr.Button("Export").click(export, inputs=text, outputs=gr.File(label="CSV"), api_name="export")
    gr.Button("Badge").click(
        badge, inputs=text, outputs=gr.Image(label="Badge", format="png"), api_name="badge"
    )


if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", server_port=7860)
