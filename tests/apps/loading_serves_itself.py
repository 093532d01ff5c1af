"""A script that serves with a server the plugin cannot take over (http.server), on
loopback, before it ever launches Gradio: it blocks there for good."""

from http.server import BaseHTTPRequestHandler, HTTPServer

import gradio as gr

with gr.Blocks() as demo:
    gr.Textbox()

if __name__ == "__main__":
    HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler).serve_forever()
    demo.launch()
