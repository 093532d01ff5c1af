"""The app most of the plugin's own tests talk to: one endpoint per behaviour."""

import time

import gradio as gr


def add(a, b):
    return a + b


def count(n):
    for i in range(int(n)):
        time.sleep(0.02)
        yield str(i)


# Every step outlasts several of the server's progress samples, so that each one
# arrives even on a busy machine (test_progress_exact wants all three): gradio 6
# samples every 10 ms, gradio 5 every 100 ms (tests/versions.py).
STEP_SECONDS = 0.1 if int(gr.__version__.split(".")[0]) >= 6 else 0.3


def stepper(n, progress=gr.Progress()):  # noqa: B008 (gradio's idiom)
    gr.Info("starting")
    for i in range(int(n)):
        progress((i, int(n)), desc="working")
        time.sleep(STEP_SECONDS)
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
    gr.Button().click(stepper, [a], text, api_name="stepper")
    gr.Button().click(fail, [text], text, api_name="fail")
    gr.Button().click(crash, [a], out, api_name="crash")
    gr.Button().click(remember, [text, state], [text, state], api_name="remember")
    gr.Button().click(slow, [a], text, api_name="slow")
    gr.Button().click(make_file, [text], file_out, api_name="make_file")

if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", server_port=7860, show_error=True)
