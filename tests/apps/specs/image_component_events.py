"""gradio's demo/image_component_events (for image_component_events.spec.ts)."""

import gradio as gr


def selected(n, evt: gr.SelectData):
    assert isinstance(evt.index, list)
    assert isinstance(evt.index[0], int)
    return n + 1


with gr.Blocks() as demo:
    input_img = gr.Image(type="filepath", label="Input Image", sources=["upload", "clipboard"])
    output_img = gr.Image(type="filepath", label="Output Image", sources=["upload", "clipboard"])
    num_change = gr.Number(label="# Change Events", value=0)
    num_load = gr.Number(label="# Upload Events", value=0)
    num_change_o = gr.Number(label="# Change Events Output", value=0)
    num_clear = gr.Number(label="# Clear Events", value=0)
    num_select = gr.Number(label="# Select Events", value=0)
    input_img.upload(lambda s, n: (s, n + 1), [input_img, num_load], [output_img, num_load])
    input_img.change(lambda n: n + 1, num_change, num_change)
    input_img.clear(lambda n: n + 1, num_clear, num_clear)
    output_img.change(lambda n: n + 1, num_change_o, num_change_o)
    output_img.select(selected, num_select, num_select)
