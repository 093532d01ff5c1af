"""Endpoints whose arguments are not one value per parameter: defaults (an initial
value, a function default of None), a gr.State between two inputs, a gr.Button as an
input (left out of the API description, yet a value the caller gives), and a
ChatInterface with an additional input. The fidelity suite calls each in every valid
way through the plain client and both transports (issue 19, item 6)."""

import gradio as gr


def join(first, second, third=None):
    return f"{first}|{second}|{third}"


def around_state(before, count, after):
    count = (count or 0) + 1
    return f"{before}|{after}|{count}", count


def pressed(text, button):
    return f"{text} via {button}"


def reply(message, history, tone):
    return f"{tone}: {message} ({len(history)} turns before)"


with gr.Blocks() as demo:
    first = gr.Textbox(label="first")
    second = gr.Textbox(label="second", value="two")  # an initial value: a default
    third = gr.Textbox(label="third")  # no value, but the function's default is None
    out = gr.Textbox()
    count = gr.State(0)
    button = gr.Button("press me")
    gr.Button().click(join, [first, second, third], out, api_name="join")
    gr.Button().click(around_state, [first, count, second], [out, count], api_name="around_state")
    button.click(pressed, [first, button], out, api_name="pressed")
    gr.ChatInterface(reply, additional_inputs=[gr.Textbox("calm", label="tone")], api_name="chat")
