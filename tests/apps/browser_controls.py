"""The app of the controller tests (issue 22 item 10): tabs, an accordion, toasts,
a multimodal textbox, an examples table, progress, a dataframe, a number's submit,
a render that removes a component, outputs that replace a component's elem_classes."""

import time

import gradio as gr

MESSAGES = {"type": "messages"} if gr.__version__.startswith("5.") else {}


def toast(kind, text):
    # duration=300: a toast stays until the test closes it. With gradio's 10 s, the
    # first toast went before the second came on a busy machine (the count read 0).
    # Not None: gradio 5.50 then shows only the newest toast (a plain Playwright page
    # shows 1 of 2 too).
    if kind in ("info", "warning"):
        {"info": gr.Info, "warning": gr.Warning}[kind](text, duration=300)
    if kind == "error":
        raise gr.Error(text)
    return f"{kind}: {text}"


def slow(gate, progress=gr.Progress()):  # noqa: B008 (gradio's idiom)
    from pathlib import Path

    deadline = time.monotonic() + 60
    progress(0.5, desc="halfway")
    while gate and not Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return "slow done"


with gr.Blocks() as demo:
    with gr.Tabs():
        with gr.Tab("First"):
            gr.Markdown("first tab")
        with gr.Tab("Second"):
            gr.Markdown("second tab")
    with gr.Accordion("More", open=False):
        hidden_text = gr.Textbox(label="Inside")
    kind = gr.Radio(["info", "warning", "error"], value="info", label="Kind")
    text = gr.Textbox(label="Toast text")
    said = gr.Textbox(label="Said")
    gr.Button("Toast").click(toast, [kind, text], said)
    # A second event for a second toast: gradio 5 clears an event's toasts when that
    # event runs again (6 keeps them), so one button clicked twice leaves one toast
    # there, and two only while the first fades out.
    gr.Button("Toast again").click(toast, [kind, text], said)

    mm = gr.MultimodalTextbox(label="Message", file_count="multiple")
    got = gr.Textbox(label="Got")
    mm.submit(lambda m: f"{m['text']} + {len(m['files'])} files", mm, got)

    a = gr.Textbox(label="A")
    b = gr.Number(label="B")
    examples = gr.Examples([["one", 1], ["two", 2], ["three", 3]], [a, b])

    def more_examples():
        time.sleep(0.5)  # the app looks them up: the new sample shows a moment later
        return gr.Dataset(samples=[["one", 1], ["two", 2], ["three", 3], ["four", 4]])

    gr.Button("More examples").click(more_examples, None, examples.dataset)

    gate = gr.Textbox(label="Gate")
    slow_out = gr.Textbox(label="Slow")
    gr.Button("Run slow").click(slow, gate, slow_out)

    table = gr.Dataframe(
        [[1, "apple"], [2, "banana"], [3, "cherry"]],
        headers=["n", "fruit"],
        interactive=True,
        label="Fruits",
        **({"show_search": "search"} if not gr.__version__.startswith("5.0") else {}),
    )
    fruit = gr.Textbox(label="Fruit")
    table.change(lambda t: ",".join(str(x) for x in t["fruit"]), table, fruit)

    def picked(evt: gr.SelectData):
        return f"picked {evt.value} at {evt.index}"

    # A box of its own: editing a cell selects it too, and the select's and the
    # change's jobs run side by side; on one box, whichever ended last won.
    table.select(picked, None, gr.Textbox(label="Picked"))

    number = gr.Number(label="Number")
    doubled = gr.Number(label="Doubled")
    number.submit(lambda n: (n or 0) * 2, number, doubled)

    # Outputs that replace a component's elem_classes: a returned component, and a
    # generator's updates (its later yields reach the page as edits of the first).
    restyled = gr.Textbox(label="Restyled")
    gr.Button("Restyle").click(
        lambda t: gr.Textbox(value=f"styled {t}", elem_classes=["x"]), restyled, restyled
    )

    def updates(t):
        yield gr.update(value=f"updating {t}", elem_classes=["y"])
        yield gr.update(value=f"updated {t}", elem_classes=["y", "z"])

    gr.Button("Update").click(updates, restyled, restyled)

    count = gr.Number(label="How many", value=2, precision=0)

    @gr.render(inputs=count)
    def boxes(n):
        for i in range(int(n or 0)):
            gr.Textbox(f"box {i}", label=f"Box {i}")
