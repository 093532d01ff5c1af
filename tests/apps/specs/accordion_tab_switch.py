"""gradio's demo/accordion_tab_switch (for accordion_tab_switch.spec.ts)."""

import gradio as gr

with gr.Blocks() as demo:
    with gr.Tabs() as tabs:
        with gr.Tab("Tab 1", id="t1"):
            with gr.Accordion("Accordion", open=False) as acc:
                name = gr.Textbox(label="Name")
            accordion_open = gr.Checkbox(label="Accordion Open", value=False)
            accordion_open.change(lambda is_open: gr.update(open=is_open), accordion_open, acc)
        with gr.Tab("Tab 2", id="t2"):
            gr.Markdown("This is Tab 2 content.")
    gr.Button("Switch to Tab 2").click(lambda: gr.Tabs(selected="t2"), None, tabs)
