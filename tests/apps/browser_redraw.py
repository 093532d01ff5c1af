"""A dropdown the app redraws every 0.2 s (a timer sends its choices again), so that a
list opened to pick a choice is often redrawn before the click lands (issue 22, 5a)."""

import gradio as gr

CITIES = ["Paris", "Lyon", "Nice", "Lille", "Nantes"]

with gr.Blocks() as demo:
    city = gr.Dropdown(CITIES, value="Paris", label="City")
    chosen = gr.Textbox(label="Chosen")
    timer = gr.Timer(0.2)
    timer.tick(lambda: gr.Dropdown(choices=CITIES), None, city, show_progress="hidden")
    city.change(lambda name: f"city {name}", city, chosen)
