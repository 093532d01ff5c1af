"""Testing a Gradio UI mounted in a FastAPI app that serves itself with uvicorn.

Nothing special is needed: the marker names the script, as for any app. The plugin
takes over the script's `uvicorn.run(...)` (127.0.0.1, a free port), finds where
Gradio is mounted (/ui), and `gradio_app.url` is the Gradio app's own URL.
"""

import re

import httpx
import pytest

from pytest_gradio import File, assert_job_result

pytestmark = pytest.mark.gradio_app("app.py")


def test_the_url_is_gradios_mount(gradio_app):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/ui/", gradio_app.url)


def test_gradio_endpoints(gradio_client):
    assert gradio_client.predict("hello", api_name="/shout") == "HELLO!"


def test_file_outputs_download(gradio_client):
    job = gradio_client.submit("saved text", api_name="/export")
    assert_job_result(job, File(name="export.txt", content="saved text"))


def test_the_fastapi_routes_are_served_too(gradio_app):
    service = gradio_app.url.removesuffix("/ui/")
    assert httpx.get(f"{service}/health").json() == {"status": "ok"}


def test_the_scripts_own_uvicorn_arguments_are_kept(gradio_app):
    # root_path="/proxy" from the script's uvicorn.run(): FastAPI publishes it.
    service = gradio_app.url.removesuffix("/ui/")
    assert httpx.get(f"{service}/openapi.json").json()["servers"] == [{"url": "/proxy"}]
