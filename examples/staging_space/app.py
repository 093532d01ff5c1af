"""A small text-tools app, deployed to a staging Space (org/app-staging) by CI.

It is also what the example tests run against locally: the same file, launched by
pytest-gradio on 127.0.0.1 and a free port instead of the port below.
"""

import time

import gradio as gr


def word_count(text: str) -> int:
    """How many words `text` has."""
    if not text.strip():
        raise gr.Error("Give me some text to count.")
    return len(text.split())


def spell(word: str):
    """Stream `word` one letter more at a time."""
    for end in range(1, len(word) + 1):
        time.sleep(0.01)
        yield word[:end]


def remember(item: str, items: list[str]) -> tuple[str, list[str]]:
    """Add `item` to this session's list."""
    items = [*items, item]
    return ", ".join(items), items


with gr.Blocks(title="Text tools") as demo:
    text = gr.Textbox(label="Text")
    count = gr.Number(label="Words", precision=0)
    gr.Button("Count").click(word_count, text, count, api_name="word_count")

    spelled = gr.Textbox(label="Spelled")
    gr.Button("Spell").click(spell, text, spelled, api_name="spell")

    items = gr.State([])
    listed = gr.Textbox(label="This session's items")
    gr.Button("Remember").click(remember, [text, items], [listed, items], api_name="remember")


if __name__ == "__main__":
    # How the Space runs it (python app.py). The plugin keeps show_error and owns
    # host, port and share.
    demo.queue(max_size=20).launch(server_name="0.0.0.0", server_port=7860, show_error=True)
