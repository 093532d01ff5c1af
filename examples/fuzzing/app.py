"""A small shop calculator with three planted bugs that hand-written tests miss.

1. /split divides a bill by a Slider whose minimum is 0: people=0 crashes.
2. /convert looks a Dropdown's choice up in a table that lacks one of them ("JPY").
3. /average takes the mean of a Dataframe's "price" column: an empty table crashes.

Each endpoint also says no on purpose with gr.Error where the app means to (a
negative bill): fuzzing does not report those.
"""

import gradio as gr

RATES = {"EUR": 0.9, "GBP": 0.8}  # bug 2: the Dropdown offers "JPY" too


def split(bill: float, people: float) -> float:
    if bill < 0:
        raise gr.Error("The bill cannot be negative.")
    return round(bill / people, 2)  # bug 1: the slider allows 0 people


def convert(amount: float, currency: str) -> float:
    return round(amount * RATES[currency], 2)


def average(table) -> float:
    prices = [float(row) for row in table["price"]]
    return round(sum(prices) / len(prices), 2)  # bug 3: an empty table


with gr.Blocks() as demo:
    with gr.Tab("Split"):
        bill = gr.Number(label="Bill", minimum=-100, maximum=1000, precision=2)
        people = gr.Slider(0, 10, step=1, value=2, label="People")
        share = gr.Number(label="Each pays")
        gr.Button("Split").click(split, [bill, people], share, api_name="split")
    with gr.Tab("Convert"):
        amount = gr.Number(label="Amount in USD", minimum=0, maximum=10000)
        currency = gr.Dropdown(["EUR", "GBP", "JPY"], value="EUR", label="Currency")
        converted = gr.Number(label="Converted")
        gr.Button("Convert").click(convert, [amount, currency], converted, api_name="convert")
    with gr.Tab("Average"):
        table = gr.Dataframe(headers=["item", "price"], datatype=["str", "number"])
        mean = gr.Number(label="Average price")
        gr.Button("Average").click(average, table, mean, api_name="average")

if __name__ == "__main__":
    demo.launch()
