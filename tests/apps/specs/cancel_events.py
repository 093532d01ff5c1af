"""gradio's demo/cancel_events, its iterating part (for cancel_events.spec.ts)."""

import time

import gradio as gr


def fake_diffusion(steps):
    for i in range(steps):
        time.sleep(0.2)
        yield str(i)


with gr.Blocks() as demo:
    # Up to 100 steps (the demo has 10): the stop test runs 100, so that its stop
    # lands mid-iteration however slowly a busy machine clicks.
    n = gr.Slider(1, 100, value=9, step=1, label="Number Steps")
    run = gr.Button(value="Start Iterating")
    output = gr.Textbox(label="Iterative Output")
    stop = gr.Button(value="Stop Iterating")
    cancel_followup = gr.Textbox(label="Cancel Follow-up")
    click_event = run.click(fake_diffusion, n, output)
    stop.click(fn=None, inputs=None, outputs=None, cancels=[click_event]).then(
        lambda: "Cancel follow-up ran", outputs=cancel_followup
    )
