"""The app most of the plugin's own tests talk to: one endpoint per behaviour."""

import os
import time

import gradio as gr


def add(a, b):
    return a + b


def count(n):
    for i in range(int(n)):
        time.sleep(0.02)
        yield str(i)


# Each step outlasts several of the server's progress samples (gradio 6 samples every
# 10 ms, gradio 5 every 100 ms: tests/versions.py), so that most arrive. Not all, on
# a busy machine: a server that did not sample for 300 ms lost one (CI, gradio 5.50).
# A test that needs every step gives `gate`.
STEP_SECONDS = 0.1 if int(gr.__version__.split(".")[0]) >= 6 else 0.3


def stepper(n, gate="", progress=gr.Progress()):  # noqa: B008 (gradio's idiom)
    """With `gate` (a directory), step i lasts until the file <gate>/<i> exists: the
    test makes it once its client has seen the step, so every step arrives."""
    gr.Info("starting")
    for i in range(int(n)):
        progress((i, int(n)), desc="working")
        if not gate:
            time.sleep(STEP_SECONDS)
            continue
        deadline = time.monotonic() + 60
        while not os.path.exists(os.path.join(gate, str(i))) and time.monotonic() < deadline:
            time.sleep(0.005)
    if n > 2:
        gr.Warning("that was many steps")
    return f"did {int(n)} steps"


def fail(message):
    raise gr.Error(message)


def crash(x):
    return 1 / 0


def remember(item, items):
    items = [*(items or []), item]
    return ", ".join(items), items


def slow(seconds):
    time.sleep(float(seconds))
    return "done"


def make_file(text):
    import os
    import tempfile

    # In the run's GRADIO_TEMP_DIR (removed with the run), not loose in /tmp.
    path = tempfile.mktemp(suffix=".txt", prefix="report_", dir=os.environ.get("GRADIO_TEMP_DIR"))
    with open(path, "w") as f:
        f.write(text)
    return path


with gr.Blocks(title="basic") as demo:
    a = gr.Number()
    b = gr.Number()
    out = gr.Number()
    text = gr.Textbox()
    state = gr.State([])
    file_out = gr.File()
    gr.Button().click(add, [a, b], out, api_name="add")
    gr.Button().click(count, [a], text, api_name="count")
    gate = gr.Textbox("", label="Gate")
    gr.Button().click(stepper, [a, gate], text, api_name="stepper")
    gr.Button().click(fail, [text], text, api_name="fail")
    gr.Button().click(crash, [a], out, api_name="crash")
    gr.Button().click(remember, [text, state], [text, state], api_name="remember")
    gr.Button().click(slow, [a], text, api_name="slow")
    gr.Button().click(make_file, [text], file_out, api_name="make_file")

if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", server_port=7860, show_error=True)
