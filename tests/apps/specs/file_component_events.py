"""gradio's demo/file_component_events, its single-file and delete parts (for
file_component_events.spec.ts)."""

import gradio as gr


def delete_file(n, file: gr.DeletedFileData):
    return [file.file.path, n + 1]


with gr.Blocks() as demo:
    single = gr.File(label="Upload Single File", file_count="single")
    output_single = gr.File(label="Upload Single File Output", file_count="single")
    num_single = gr.Number(label="# Load Upload Single File", value=0)
    single.upload(lambda s, n: (s, n + 1), [single, num_single], [output_single, num_single])
    deletable = gr.File(label="Delete File", file_count="multiple")
    deleted = gr.Textbox(label="Delete file data")
    num_deleted = gr.Number(label="# Deleted File", value=0)
    deletable.delete(delete_file, num_deleted, [deleted, num_deleted])
