"""A four-function calculator, plus a per-session click counter.

This script launches at module level on purpose: many real apps do, and
pytest-gradio must cope with it (it owns the host and port when it runs the app).
"""

import gradio as gr


def calculate(a: float, operation: str, b: float) -> float:
    """Apply `operation` to `a` and `b`."""
    a, b = float(a), float(b)  # JSON may deliver 2 for 2.0; always answer with a float
    if operation == "add":
        return a + b
    if operation == "subtract":
        return a - b
    if operation == "multiply":
        return a * b
    if operation == "divide":
        if b == 0:
            raise gr.Error("Cannot divide by zero.")
        return a / b
    raise gr.Error(f"Unknown operation: {operation!r}")


def count(clicks: int) -> tuple[int, int]:
    """Increment this session's counter; return it both to the State and for display."""
    clicks += 1
    return clicks, clicks


with gr.Blocks(title="Calculator") as demo:
    with gr.Row():
        a = gr.Number(label="a", value=4)
        operation = gr.Radio(
            ["add", "subtract", "multiply", "divide"], label="Operation", value="add"
        )
        b = gr.Number(label="b", value=2)
    result = gr.Number(label="Result")
    gr.Button("Calculate", variant="primary").click(
        calculate, inputs=[a, operation, b], outputs=result, api_name="calculate"
    )

    clicks = gr.State(0)  # one counter per browser session (per client)
    shown = gr.Number(label="Clicks this session", precision=0)
    gr.Button("Count").click(count, inputs=clicks, outputs=[clicks, shown], api_name="count")


demo.launch(server_name="0.0.0.0", server_port=7860)
