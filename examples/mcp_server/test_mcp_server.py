"""Testing what an app serves to agents over MCP: tools, progress, images, files,
errors, resources, prompts, and the contract agents rely on."""

import pytest
from syrupy.filters import paths

from pytest_gradio import (
    assert_job_error,
    assert_job_progress,
    assert_job_result,
    assert_job_statuses,
    assert_tool_matches_endpoint,
    mcp_contract,
)

pytestmark = pytest.mark.gradio_app("app.py", launch_kwargs={"mcp_server": True})


def test_a_tool_call_is_a_job(gradio_mcp):
    """call_tool() returns at once with a recorded call: every assert_job_* helper
    takes it. Tools answer with text, so a number comes back as its text."""
    call = gradio_mcp.call_tool("word_count", {"text": "to be or not to be"})
    assert_job_result(call, "6")
    assert_job_statuses(call, ["IN_QUEUE", "PROCESSING", "FINISHED"])


def test_progress_arrives_as_notifications(gradio_mcp):
    """gr.Progress reaches an agent as MCP progress notifications; the call's timeline
    reads them back as progress steps, checked as for an API job."""
    call = gradio_mcp.call_tool("slow_sum", {"n": 4})
    assert_job_progress(call, [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)])
    assert_job_result(call, "10")


def test_an_image_comes_back_as_an_image(gradio_mcp):
    """Image content is an McpImage: bytes, MIME type, size, and the app's URL for it."""
    image = gradio_mcp.call_tool("swatch", {"hex_color": "#ff8800"}).result()
    assert image.size == (16, 16)
    assert image.mime_type.startswith("image/")


def test_a_file_is_passed_as_a_path(gradio_mcp, tmp_path):
    """Agents pass files as URLs; a pathlib.Path is sent as a data: URL of its bytes."""
    notes = tmp_path / "notes.txt"
    notes.write_text("one\ntwo\nthree\n")
    assert_job_result(gradio_mcp.call_tool("line_count", {"document": notes}), "3")


def test_an_app_error_reaches_the_agent(gradio_mcp):
    """A gr.Error is the call's error, with the app's message."""
    call = gradio_mcp.call_tool("swatch", {"hex_color": "orange"})
    assert_job_error(call, match="is not a #rrggbb color")


def test_resources_and_prompts(gradio_mcp):
    assert gradio_mcp.read_resource("glossary://tool") == "a function an agent can call"
    prompt = gradio_mcp.get_prompt("summarize", {"text": "MCP lets agents call tools."})
    assert prompt.messages[0].content.text.startswith("Summarize in one line:")


def test_the_tool_and_its_endpoint_agree(gradio_mcp, gradio_client):
    """Gradio promises a tool gives what its API endpoint gives."""
    assert_tool_matches_endpoint(gradio_mcp, gradio_client, "word_count", {"text": "a b c"})
    assert_tool_matches_endpoint(gradio_mcp, gradio_client, "swatch", {"hex_color": "#00ff00"})


def test_what_agents_see(gradio_mcp, gradio_snapshot):
    """Tool names, descriptions, input schemas, resources and prompts, pinned: a
    renamed tool or a rewritten docstring shows up in review.

    Each schema's list of required parameters is left out only because this example
    runs on gradio 5.50 up to the latest, and Gradio's MCP server lists them only
    since a 6.x release (after 6.0.2): a suite on one gradio pins them too."""
    contract = mcp_contract(gradio_mcp)
    listed_by_newer_gradio = paths(
        *(f"tools.{tool}.input_schema.required" for tool in contract["tools"])
    )
    assert contract == gradio_snapshot(exclude=listed_by_newer_gradio)


def test_a_call_as_a_snapshot(gradio_mcp, gradio_snapshot):
    assert gradio_mcp.call_tool("slow_sum", {"n": 3}) == gradio_snapshot
