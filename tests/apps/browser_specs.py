"""Ports of gradio's own e2e demos (gradio's repository, `demo/`), for the specs in
tests/test_browser_specs.py: change vs input, tabs, render, dropdowns, and pages
where several components share a kind or a label."""

import time

import gradio as gr

CITIES = {"France": ["Paris", "Lyon"], "Japan": ["Tokyo", "Osaka"]}

with gr.Blocks() as demo:
    # demo/change_vs_input: which event a textbox fires.
    text = gr.Textbox(label="TB Input")
    text_in = gr.Textbox(label="Textbox Input Event")
    text_ch = gr.Textbox(label="Textbox Change Event")
    text.input(lambda x: x, text, text_in)
    text.change(lambda x: x, text, text_ch)

    # demo/tabs: content drawn only once its tab is opened.
    with gr.Tabs():
        with gr.Tab("A"):
            gr.Markdown("Text A")
        with gr.Tab("B"):
            gr.Markdown("Text B")

    # Two buttons of the same text, two unlabelled textboxes, two videos of one label.
    which = gr.Textbox(label="Which")
    go_first = gr.Button("Go")
    go_second = gr.Button("Go")
    go_first.click(lambda: "first Go", None, which)
    go_second.click(lambda: "second Go", None, which)
    plain_1 = gr.Textbox()
    plain_2 = gr.Textbox()
    plain_1.change(lambda x: f"plain 1: {x}", plain_1, which)
    plain_2.change(lambda x: f"plain 2: {x}", plain_2, which)
    video_1 = gr.Video(label="Video")
    video_2 = gr.Video(label="Video")
    video_1.upload(lambda v: "video 1", video_1, which)
    video_2.upload(lambda v: "video 2", video_2, which)

    # demo/render_split_simple: components made by gr.render.
    letters = gr.Textbox(label="Letters")

    @gr.render(inputs=letters)
    def split(word):
        if not word:
            gr.Markdown("No Input Provided")
        for i, letter in enumerate(word):
            box = gr.Textbox(letter, label=f"Letter {i}", interactive=True)
            box.change(lambda x, i=i: f"letter {i} is {x}", box, which)

    # demo/dropdown_custom_value: (label, value) choices and values typed in.
    dropdown = gr.Dropdown(
        choices=[("hello", "goodbye"), ("abc", "123")], allow_custom_value=True, label="Dropdown"
    )
    output = gr.Textbox(label="Output")
    dropdown.change(lambda x: x, dropdown, output)

    # A country and its cities: choosing a country redraws the city dropdown, a
    # moment later (as an app that looks the cities up does).
    country = gr.Dropdown(list(CITIES), value="Japan", label="Country")
    city = gr.Dropdown(CITIES["Japan"], value="Tokyo", label="City")
    chosen = gr.Textbox(label="Chosen")

    def cities_of(name):
        time.sleep(0.3)
        return gr.Dropdown(choices=CITIES[name], value=None)

    country.change(cities_of, country, city)
    city.change(lambda c: f"city {c}", city, chosen)
