"""gradio's demo/chatbot_editable (for chatbot_editable.spec.ts); a message's text is
read as gradio 5 and 6 give it."""

import gradio as gr

MESSAGES = {"type": "messages"} if gr.__version__.startswith("5.") else {}


def text(message):
    content = message["content"]
    if isinstance(content, list):  # gradio 6: a list of parts
        return "".join(part.get("text", "") for part in content)
    return str(content)


with gr.Blocks() as demo:
    chatbot = gr.Chatbot(value=[], editable="user", **MESSAGES)
    add_message_btn = gr.Button("Add Message")
    add_user_message_btn = gr.Button("Add User Message")
    concatenated = gr.Textbox(label="Concatenated Chat 1")
    edited = gr.Textbox(label="Edited Message")

    def add_message(history):
        history.append({"role": "user", "content": "I'm a user"})
        history.append({"role": "assistant", "content": "I'm a bot"})
        return history

    def add_user_message(history):
        history.append({"role": "user", "content": "I'm a user"})
        return history

    def edit_message(data: gr.EditData):
        return f"from {data.previous_value} to {data.value} at {data.index}"

    add_message_btn.click(add_message, chatbot, chatbot)
    add_user_message_btn.click(add_user_message, chatbot, chatbot)
    chatbot.change(lambda m: "|".join(text(x) for x in m), chatbot, concatenated)
    chatbot.edit(edit_message, None, edited)
