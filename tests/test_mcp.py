"""The face an app shows to agents: `gradio_mcp`, tool calls as recorded jobs,
`mcp_contract`, `assert_tool_matches_endpoint` (issue 21).

Real Gradio MCP servers on loopback, the real MCP client library; no mocks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pytest_gradio import (
    GradioMCP,
    McpImage,
    McpUnavailableError,
    ToolError,
    ToolNotFoundError,
    assert_job_error,
    assert_job_progress,
    assert_job_result,
    assert_job_statuses,
    assert_tool_matches_endpoint,
    mcp_contract,
)

from .fake_hub import FakeHub

APPS = Path(__file__).parent / "apps"
TOOLS = str(APPS / "mcp_tools.py")

pytestmark = pytest.mark.gradio_app("apps/mcp_tools.py", launch_kwargs={"mcp_server": True})


# --- tool calls are jobs ------------------------------------------------------------------


def test_a_tool_call_is_a_recorded_job(gradio_mcp: GradioMCP) -> None:
    call = gradio_mcp.call_tool("greet", {"name": "Ada"})
    assert_job_result(call, "Hello, Ada!")
    assert_job_statuses(call, ["STARTING", "IN_QUEUE", "PROCESSING", "FINISHED"], match="exact")
    assert call.outputs() == ["Hello, Ada!"]
    assert call.timeline.endpoint == "mcp:greet"
    assert call.timeline.kwargs == {"name": "Ada"}
    assert "timeline of mcp:greet(name='Ada')" in str(call.timeline)
    # The raw answer stays reachable.
    assert [item.type for item in call.content] == ["text"]
    assert call.raw.isError is False


def test_progress_notifications_are_recorded_in_order_with_times(gradio_mcp: GradioMCP) -> None:
    call = gradio_mcp.call_tool("count", {"n": 4})
    # What arrives is a sample (gradio 5's MCP server reads only the latest update of
    # the job behind the tool, and the last step is sent as the function returns).
    assert_job_progress(call, [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)], min_seen=2)
    steps = call.timeline.progress()
    indexes = [step.index for step in steps]
    assert indexes == sorted(set(indexes))  # in order, each once
    assert {step.desc for step in steps} == {"counting"}
    times = [event.time for event in call.timeline.events]
    assert times == sorted(times)
    assert call.timeline.duration is not None
    assert call.timeline.duration >= 0.2
    # Each notification as it came: a counter, no total, Gradio's words.
    notes = call.notifications
    assert [n.progress for n in notes] == list(range(len(notes)))
    assert any(re.fullmatch(r"Progress counting: Step \d of 4", n.message or "") for n in notes)
    in_queue = next(e for e in call.timeline.events if e.code == "IN_QUEUE")
    assert (in_queue.rank, in_queue.queue_size) == (0, 1)
    # Gradio adds an estimate once this app has timed a job of this tool (another test
    # in the module may have run one first); the timeline keeps the figure it gave.
    estimate = "" if in_queue.eta is None else f" Estimated time remaining: {in_queue.eta} seconds."
    assert notes[0].message == "In queue. Position 0 out of 1." + estimate


def test_without_progress_the_timeline_has_the_request_and_the_answer(
    gradio_mcp: GradioMCP,
) -> None:
    call = gradio_mcp.call_tool("count", {"n": 2}, progress=False)
    assert_job_result(call, "counted to 2")
    assert call.timeline.statuses() == ["STARTING", "FINISHED"]
    assert call.notifications == []


def test_image_content_is_an_image_with_its_url(gradio_mcp: GradioMCP, gradio_app: Any) -> None:
    call = gradio_mcp.call_tool("red_square", {"size": 6})
    image = call.result()
    assert isinstance(image, McpImage)
    assert image.size == (6, 6)
    assert image.mime_type.startswith("image/")
    assert image.url is not None
    assert image.url.startswith(gradio_app.url)
    assert image.open().convert("RGB").getpixel((2, 2))[0] > 240  # red, despite re-encoding
    assert [item.type for item in call.content] == ["image", "text"]
    assert call.images == [image]


def test_a_file_input_is_sent_from_a_path(gradio_mcp: GradioMCP, tmp_path: Path) -> None:
    document = tmp_path / "notes.txt"
    document.write_bytes(b"x" * 1234)
    assert_job_result(gradio_mcp.call_tool("file_size", {"document": document}), "1234")


def test_a_loopback_url_as_file_input_is_refused_before_it_is_sent(
    gradio_mcp: GradioMCP, gradio_app: Any
) -> None:
    # Gradio would refuse it, after asking a public DNS resolver about the host.
    with pytest.raises(ValueError, match="loopback URL.*pathlib.Path") as info:
        gradio_mcp.call_tool("file_size", {"document": gradio_app.url + "favicon.ico"})
    assert "'document'" in str(info.value)
    assert gradio_mcp.calls == []


def test_structured_text_parses_as_json(gradio_mcp: GradioMCP) -> None:
    call = gradio_mcp.call_tool("stats", {"text": "to be or not"})
    assert call.json() == {"words": 4, "chars": 12}


# --- errors --------------------------------------------------------------------------------


def test_a_gr_error_is_the_calls_error(gradio_mcp: GradioMCP) -> None:
    call = gradio_mcp.call_tool("refuse", {"reason": "too late"})
    error = assert_job_error(call, match="refused: too late")
    assert isinstance(error, ToolError)
    assert call.timeline.final is not None
    assert call.timeline.final.success is False


def test_an_unhandled_exception_is_the_calls_error(gradio_mcp: GradioMCP) -> None:
    call = gradio_mcp.call_tool("crash", {"text": "x"})
    assert_job_error(call)
    with pytest.raises(AssertionError) as info:
        assert_job_result(call, "anything")
    message = str(info.value)
    assert "the job raised instead of returning a result" in message
    assert "raised:   ToolError:" in message
    assert "timeline of mcp:crash(text='x'):" in message


def test_an_unknown_tool_names_the_tools_and_the_nearest(gradio_mcp: GradioMCP) -> None:
    with pytest.raises(ToolNotFoundError) as info:
        gradio_mcp.call_tool("gret", {"name": "Ada"})
    message = str(info.value)
    assert "has no MCP tool 'gret'. Did you mean 'greet'?" in message
    assert "'count'" in message
    assert "'red_square'" in message


# --- resources, prompts ----------------------------------------------------------------------


def test_resources_and_prompts(gradio_mcp: GradioMCP) -> None:
    resources = gradio_mcp.list_resources()
    assert [getattr(r, "uriTemplate", None) for r in resources] == ["notes://{topic}"]
    assert gradio_mcp.read_resource("notes://cats") == "A note about cats."
    prompts = gradio_mcp.list_prompts()
    assert [p.name for p in prompts] == ["review"]
    assert [a.name for a in prompts[0].arguments] == ["code"]
    result = gradio_mcp.get_prompt("review", {"code": "x = 1"})
    assert result.messages[0].content.text == "Please review this code:\nx = 1"


def test_list_tools_describes_each_tool(gradio_mcp: GradioMCP) -> None:
    tools = {tool.name: tool for tool in gradio_mcp.list_tools()}
    assert tools["greet"].description.startswith("Greet someone by name.")
    assert tools["greet"].inputSchema["properties"]["name"]["type"] == "string"


# --- the API and the tool agree ------------------------------------------------------------


def test_tools_agree_with_their_endpoints(
    gradio_mcp: GradioMCP, gradio_client: Any, tmp_path: Path
) -> None:
    assert_tool_matches_endpoint(gradio_mcp, gradio_client, "greet", {"name": "Ada"})
    assert_tool_matches_endpoint(gradio_mcp, gradio_client, "stats", {"text": "a b c"})
    assert_tool_matches_endpoint(gradio_mcp, gradio_client, "red_square", {"size": 5})
    document = tmp_path / "doc.bin"
    document.write_bytes(b"\0" * 99)
    assert_tool_matches_endpoint(gradio_mcp, gradio_client, "file_size", {"document": document})
    assert_tool_matches_endpoint(gradio_mcp, gradio_client, "refuse", {"reason": "x"})


def test_a_real_difference_between_tool_and_endpoint_is_found(
    gradio_mcp: GradioMCP, gradio_client: Any
) -> None:
    # `caller` looks at who called: Gradio's MCP server passes the agent's headers on.
    with pytest.raises(AssertionError) as info:
        assert_tool_matches_endpoint(gradio_mcp, gradio_client, "caller", {"text": "hi"})
    message = str(info.value)
    assert "tool 'caller' and endpoint '/caller' disagree on output 0" in message
    assert "the tool gave 'hi from a agent', the endpoint 'hi from a person'" in message
    assert "timeline of mcp:caller(text='hi'):" in message
    assert "timeline of /caller" in message


# --- snapshots, transports, xdist, reports (pytester) ----------------------------------------

SNAPSHOT_SUITE = """
import pytest
from pytest_gradio import mcp_contract

pytestmark = pytest.mark.gradio_app("app.py", launch_kwargs={"mcp_server": True})

def test_contract(gradio_mcp, gradio_snapshot):
    assert mcp_contract(gradio_mcp) == gradio_snapshot

@pytest.mark.parametrize("n", [2, 3])
def test_count(gradio_mcp, gradio_snapshot, n):
    assert gradio_mcp.call_tool("count", {"n": n}) == gradio_snapshot

def test_image(gradio_mcp, gradio_snapshot):
    assert gradio_mcp.call_tool("red_square", {"size": 4}) == gradio_snapshot
"""


def test_snapshots_are_the_same_across_runs_transports_and_workers(
    pytester: pytest.Pytester,
) -> None:
    """Written once over streamable HTTP in one process; then the same suite over SSE
    on two xdist workers (other ports, other temp dirs) matches them byte for byte."""
    (pytester.path / "app.py").write_text((APPS / "mcp_tools.py").read_text())
    pytester.makepyfile(test_agents=SNAPSHOT_SUITE)
    written = pytester.runpytest("--snapshot-update")
    written.assert_outcomes(passed=4)
    snapshot = pytester.path / "__snapshots__" / "test_agents.ambr"
    first = snapshot.read_bytes()
    text = first.decode()
    assert "'endpoint': 'mcp:count'" in text
    assert "'greet': Tool({" in text
    assert "'notes://{topic}': Resource({" in text
    assert "McpImage({" in text
    assert "'width': 4" in text
    assert "127.0.0.1" not in text or ":<port>" in text
    again = pytester.runpytest("-n", "2", "--gradio-mcp-transport=sse")
    again.assert_outcomes(passed=4)
    assert snapshot.read_bytes() == first


def test_the_sse_transport(gradio_app: Any) -> None:
    with GradioMCP(gradio_app.url, transport="sse") as client:
        assert client.url.endswith("/gradio_api/mcp/sse")
        call = client.call_tool("count", {"n": 3})
        assert_job_progress(call, [(0, 3), (1, 3), (2, 3), (3, 3)])
        assert_job_result(call, "counted to 3")
        assert client.read_resource("notes://sse") == "A note about sse."


def test_an_app_without_the_mcp_server_says_how_to_turn_it_on(pytester: pytest.Pytester) -> None:
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.gradio_app("app.py")
        def test_tools(gradio_mcp):
            gradio_mcp.list_tools()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "gradio app 'app.py'* has no MCP server (*/gradio_api/mcp/schema"
            " is HTTP 404): launch it with the MCP server on: @pytest.mark.gradio_app(...,"
            ' launch_kwargs={"mcp_server": True}), demo.launch(mcp_server=True), or the'
            " environment variable GRADIO_MCP_SERVER=True."
        ]
    )


def test_without_the_mcp_library_the_fixture_names_the_extra(pytester: pytest.Pytester) -> None:
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makeconftest(
        """
        import sys
        sys.modules["mcp"] = None  # as if the [mcp] extra were not installed
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.gradio_app("app.py")
        def test_tools(gradio_mcp):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*pip install pytest-gradio?mcp?*"])
    # Said before the app is started: no server log section.
    assert "server log of app.py" not in result.stdout.str()


def test_tool_calls_are_in_the_failure_report_and_the_html_report(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "app.py").write_text((APPS / "mcp_tools.py").read_text())
    pytester.makepyfile(
        """
        import pytest
        from pytest_gradio import assert_job_result

        pytestmark = pytest.mark.gradio_app("app.py", launch_kwargs={"mcp_server": True})

        def test_wrong(gradio_mcp):
            assert_job_result(gradio_mcp.call_tool("greet", {"name": "Ada"}), "Hi, Ada!")

        def test_right(gradio_mcp):
            assert_job_result(gradio_mcp.call_tool("count", {"n": 2}), "counted to 2")
        """
    )
    result = pytester.runpytest("--gradio-report=report.html", "--gradio-summary")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*assert_job_result: the result differs.",
            "*expected: 'Hi, Ada!'",
            "*actual:   'Hello, Ada!'",
            "*timeline of mcp:greet(name='Ada'):",
        ]
    )
    result.stdout.fnmatch_lines(["*mcp:count*1*"])
    html = (pytester.path / "report.html").read_text()
    assert "mcp:greet" in html
    assert "mcp:count" in html


def test_teardown_cancels_a_call_still_running(pytester: pytest.Pytester) -> None:
    (pytester.path / "app.py").write_text((APPS / "mcp_tools.py").read_text())
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py", launch_kwargs={"mcp_server": True})
        CALLS = []

        def test_leave_it_running(gradio_mcp):
            CALLS.append(gradio_mcp.call_tool("count", {"n": 100}))

        def test_it_was_cancelled():
            call = CALLS[0]
            assert call.done() and call.cancel_requested
            assert call.timeline.statuses()[-1] == "CANCELLED"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


# --- every kind of target --------------------------------------------------------------------


def _shout_or_greet(client: GradioMCP) -> None:
    names = client.tool_names()
    if "shout" in names:
        assert_job_result(client.call_tool("shout", {"text": "hey"}), "HEY!")
    else:
        assert_job_result(client.call_tool("greet", {"name": "Ada"}), "Hello, Ada!")


@pytest.mark.parametrize(
    ("spec", "options"),
    [
        pytest.param(TOOLS, {"mode": "subprocess"}, id="subprocess"),
        pytest.param(str(APPS / "mcp_mounted.py"), {}, id="mounted-thread"),
        pytest.param(str(APPS / "mcp_mounted.py"), {"mode": "subprocess"}, id="mounted-subprocess"),
    ],
)
def test_every_local_kind_of_app(gradio_launch: Any, spec: str, options: dict[str, Any]) -> None:
    from pytest_gradio.mcp_client.session import open_for_app

    app = gradio_launch(spec, **options)
    with open_for_app(app) as client:
        _shout_or_greet(client)


def test_an_app_at_a_url(gradio_app: Any, gradio_launch: Any) -> None:
    from pytest_gradio.mcp_client.session import open_for_app

    target = gradio_launch(gradio_app.url)
    assert target.mode == "url"
    with open_for_app(target) as client:
        _shout_or_greet(client)


def test_a_space_on_the_local_hub(fake_hub: FakeHub, gradio_launch: Any, monkeypatch: Any) -> None:
    import gradio as gr

    # The fake Space's host mounts the Blocks with gr.mount_gradio_app, which turns the
    # MCP server on from this variable, as a Space's settings do.
    monkeypatch.setenv("GRADIO_MCP_SERVER", "True")
    with gr.Blocks() as blocks:
        box = gr.Textbox()

        def greet(name: str) -> str:
            """Greet.

            Args:
                name: who
            """
            return f"Hello, {name}!"

        gr.Button().click(greet, box, box, api_name="greet")
    space = fake_hub.add_space("org/agents", blocks, private=True)
    app = gradio_launch("space:org/agents", token=fake_hub.token)
    from pytest_gradio.mcp_client.session import open_for_app

    with open_for_app(app) as client:
        assert client.tool_names() == ["greet"]
        assert "Authorization" in client.headers
    mcp_requests = [r for r in space.host_requests if "/gradio_api/mcp" in r.path]
    assert mcp_requests
    assert all(r.authorized for r in mcp_requests)
    assert fake_hub.token not in repr(client)


def test_the_session_is_closed_and_its_thread_ends(gradio_app: Any) -> None:
    import threading

    before = {t.ident for t in threading.enumerate() if t.name == "gradio-mcp"}
    client = GradioMCP(gradio_app.url)
    client.call_tool("greet", {"name": "x"}).result()
    client.close()
    after = {t.ident for t in threading.enumerate() if t.name == "gradio-mcp"}
    assert after <= before
    with pytest.raises(RuntimeError, match="is closed"):
        client.list_tools()


def test_a_url_without_an_app_fails_in_one_line() -> None:
    """Refused at once, every time. A hundred opens: the session's task once failed
    before GradioMCP had made the future it reports to (about 1 open in 20 against a
    closed port), and the open then waited out its whole timeout (TimeoutError, in
    two CI runs at -n 3)."""
    from pytest_gradio.apps.base import free_port

    for _ in range(100):
        url = f"http://127.0.0.1:{free_port()}/"
        with pytest.raises(McpUnavailableError, match=re.escape(url)):
            GradioMCP(url)


def test_mcp_contract_reads_like_the_app(gradio_mcp: GradioMCP) -> None:
    contract = mcp_contract(gradio_mcp)
    assert list(contract) == ["tools", "resources", "prompts"]
    assert list(contract["tools"]) == sorted(contract["tools"])
    greet = contract["tools"]["greet"]
    assert greet["description"].startswith("Greet someone by name.")
    assert greet["input_schema"]["properties"]["name"] == {
        "type": "string",
        "description": "who to greet",
    }
    assert contract["prompts"]["review"]["arguments"] == [
        {"name": "code", "description": "", "required": True}
    ]
