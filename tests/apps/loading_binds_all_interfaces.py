"""A script whose own server listens on every interface (0.0.0.0:8000)."""

from http.server import BaseHTTPRequestHandler, HTTPServer

import gradio as gr

with gr.Blocks() as demo:
    gr.Textbox()

if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), BaseHTTPRequestHandler).serve_forever()
