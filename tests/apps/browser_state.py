"""An app with every kind of state a page test could leave behind for the next one:
per-session state (gr.State), per-browser state (gr.BrowserState, in localStorage),
and a button that shows both. It sends no event at load, so the next test's page is
prepared while a test runs."""

import gradio as gr

with gr.Blocks() as demo:
    count = gr.State(0)
    remembered = gr.BrowserState("nothing yet")
    shown = gr.Textbox(label="Shown")
    note = gr.Textbox(label="Note")

    def bump(n, text):
        return n + 1, text, f"count {n + 1}, remembered {text}"

    gr.Button("Bump").click(bump, [count, note], [count, remembered, shown])
    gr.Button("Show").click(lambda n, r: f"count {n}, remembered {r}", [count, remembered], shown)
