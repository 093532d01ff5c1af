"""The client layer: `GradioClient` and `RecordedJob` (recording.py), the fast
transport (transport.py), bounded waits for a job (waiting.py), and the registry of
clients and jobs with daemon workers and bounded cancel (registry.py).

Nothing is imported here, so that the glue can import `registry` at plugin load
without gradio_client.
"""
