"""A slow job that reports progress, info and warning toasts, and an error path."""

import time

import gradio as gr


# Gradio finds the progress tracker by this default value; that is its documented idiom.
def process(n: int, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
    """Run `n` steps, reporting each one as progress."""
    gr.Info("Started")
    if n > 3:
        gr.Warning(f"{n} steps is a lot, this will take a while")
    for i in range(n):
        progress((i, n), desc="Processing")
        # 50 ms per step keeps updates well over the ~10 ms the server coalesces.
        time.sleep(0.05)
    return f"Processed {n} steps"


def fail(x: int) -> str:
    """Reject non-positive input with a message the user sees."""
    if x <= 0:
        raise gr.Error("Input must be positive")
    return f"{x} is positive"


with gr.Blocks(title="Progress and logs") as demo:
    steps = gr.Number(label="Steps", value=5, precision=0)
    summary = gr.Textbox(label="Summary")
    gr.Button("Process", variant="primary").click(
        process, inputs=steps, outputs=summary, api_name="process"
    )

    x = gr.Number(label="x", value=1, precision=0)
    verdict = gr.Textbox(label="Verdict")
    gr.Button("Check").click(fail, inputs=x, outputs=verdict, api_name="fail")


if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", server_port=7860)
