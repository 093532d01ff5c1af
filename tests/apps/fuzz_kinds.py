"""Every component kind pytest_gradio.strategies knows, as inputs of endpoints that
check, in the app, what they were given: a value outside a component's constraints
raises (an unhandled exception), so fuzzing these finds nothing when the strategies
keep to them. /echo takes one of each kind; /numbers and /choices check bounds,
steps, precision and choices; /table a fixed row count; /custom takes a kind the
strategies do not know (gr.Gallery)."""

import math
import os

import gradio as gr


def echo(*values):
    # Files arrive as paths that exist; the rest as the component preprocessed them.
    for value in values:
        if isinstance(value, str) and value.startswith(os.sep) and not os.path.exists(value):
            raise ValueError(f"missing file {value}")
    return repr([type(v).__name__ for v in values])


def numbers(number, integer, slider, fine):
    if not -5 <= number <= 5 or round(number, 2) != number:
        raise ValueError(f"number {number!r} outside -5..5 or not 2 decimals")
    if not isinstance(integer, int) or not 0 <= integer <= 3:
        raise ValueError(f"integer {integer!r}")
    if not 0 <= slider <= 10 or not math.isclose(slider / 2.5, round(slider / 2.5)):
        raise ValueError(f"slider {slider!r} off its 2.5 steps")
    if not 0 <= fine <= 1 or not math.isclose(fine * 10, round(fine * 10)):
        raise ValueError(f"fine slider {fine!r} off its 0.1 steps")
    return "ok"


def choices(pair, custom, many, radio, group):
    if pair not in ("a", "b"):
        raise ValueError(f"pair {pair!r}: the value, not the label, must arrive")
    if not isinstance(custom, str):
        raise ValueError(f"custom {custom!r}")
    if not set(many) <= {"x", "y", "z"} or len(many) != len(set(many)):
        raise ValueError(f"many {many!r}")
    if radio not in ("r1", "r2"):
        raise ValueError(f"radio {radio!r}")
    if not set(group) <= {1, 2}:
        raise ValueError(f"group {group!r}")
    return "ok"


def table(frame):
    if list(frame.columns) != ["name", "price", "ok"] or len(frame) != 2:
        raise ValueError(f"table {frame!r}")
    return "ok"


def custom(gallery, text):
    return text


with gr.Blocks() as demo:
    kinds = [
        gr.Textbox(),
        gr.Number(),
        gr.Slider(),
        gr.Dropdown(["d1", "d2"]),
        gr.Radio(["r1", "r2"]),
        gr.CheckboxGroup(["c1", "c2"]),
        gr.Checkbox(),
        gr.JSON(),
        gr.Dataframe(headers=["a", "b"], datatype=["str", "number"]),
        gr.File(),
        gr.File(file_count="multiple"),
        gr.Image(),
        gr.Image(type="filepath"),
        gr.Audio(),
        gr.Audio(type="filepath"),
        gr.Video(),
        gr.State(),
        gr.ColorPicker(),
        gr.Code(),
        gr.DateTime(),
        gr.MultimodalTextbox(),
        gr.Chatbot(),
    ]
    out = gr.Textbox()
    gr.Button().click(echo, kinds, out, api_name="echo")

    nums = [
        gr.Number(minimum=-5, maximum=5, precision=2, label="number"),
        gr.Number(minimum=0, maximum=3, precision=0, label="integer"),
        gr.Slider(0, 10, step=2.5, label="slider"),
        gr.Slider(0, 1, step=0.1, label="fine"),
    ]
    gr.Button().click(numbers, nums, out, api_name="numbers")

    picks = [
        gr.Dropdown([("A", "a"), ("B", "b")], value="a", label="pair"),
        gr.Dropdown(["p"], allow_custom_value=True, label="custom"),
        gr.Dropdown(["x", "y", "z"], multiselect=True, label="many"),
        gr.Radio(["r1", "r2"], label="radio"),
        gr.CheckboxGroup([("one", 1), ("two", 2)], label="group"),
    ]
    gr.Button().click(choices, picks, out, api_name="choices")

    frame = gr.Dataframe(
        headers=["name", "price", "ok"],
        datatype=["str", "number", "bool"],
        row_count=(2, "fixed"),
        label="frame",
    )
    gr.Button().click(table, frame, out, api_name="table")

    gr.Button().click(custom, [gr.Gallery(label="photos"), gr.Textbox()], out, api_name="custom")

if __name__ == "__main__":
    demo.launch()
