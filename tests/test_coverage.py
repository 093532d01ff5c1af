"""Endpoint coverage (--gradio-coverage): every endpoint of a real app with its trigger,
counted from API jobs, page jobs and MCP tool calls by outcome, in the terminal, the
summary JSON and the HTML report; merged over xdist; fail-under as pytest-cov does it.
Real pytest runs (pytester) against real apps on loopback, a real headless Chromium."""

from __future__ import annotations

import html
import json

import pytest

from pytest_gradio import coverage

pytestmark = pytest.mark.timeout(240)

# Each kind of event the table must name: a named click with a .then step, an unnamed
# .change, demo.load, a private click (the API refuses it: page only), an endpoint that
# raises, one that runs until cancelled. The click's tool is named after its function
# (`greet`), not its api_name: only the app's MCP schema maps it back.
APP = """
import time

import gradio as gr


def greet(name: str) -> str:
    \"\"\"Greet someone.

    Args:
        name: who
    \"\"\"
    return f"Hello {name}"


def shout(text: str) -> str:
    return (text or "").upper()


def crash(text: str) -> str:
    raise ValueError("crash on purpose")


def slow(text: str):
    for i in range(600):
        yield str(i)
        time.sleep(0.05)


with gr.Blocks() as demo:
    name = gr.Textbox(label="Name")
    out = gr.Textbox(label="Out")
    greet_button = gr.Button("Greet")
    greet_button.click(greet, name, out, api_name="say_hello").then(shout, out, out)
    name.change(shout, name, out)
    demo.load(lambda: "loaded", None, out)
    gr.Button("Secret", elem_id="secret").click(shout, name, out, api_name=False)
    gr.Button("Crash").click(crash, name, out, api_name="crash")
    gr.Button("Slow").click(slow, name, out, api_name="slow")
"""

SUITE = """
import pytest
from pytest_gradio import assert_job_error, assert_job_result, assert_job_statuses

pytestmark = pytest.mark.gradio_app("app.py", launch_kwargs={"mcp_server": True})


def test_named_click(gradio_client):
    assert gradio_client.predict("Ada", api_name="/say_hello") == "Hello Ada"


def test_unnamed_change_by_fn_index(gradio_client):
    change = next(
        d["id"] for d in gradio_client.config["dependencies"] if d["targets"][0][1] == "change"
    )
    assert gradio_client.predict("ada", fn_index=change) == "ADA"


def test_crash(gradio_client):
    assert_job_error(gradio_client.submit("x", api_name="/crash"))


def test_cancel(gradio_client):
    job = gradio_client.submit("x", api_name="/slow")
    assert job.timeline.wait_for(lambda events: any(e.kind == "output" for e in events), 30)
    job.cancel()
    assert_job_statuses(job, ["CANCELLED"])


def test_tool(gradio_mcp):
    assert_job_result(gradio_mcp.call_tool("greet", {"name": "Bo"}), "Hello Bo")


def test_private_button_on_the_page(gradio_page):
    gradio_page.component("Name").set("ada")
    with gradio_page.expect_job() as clicked:
        gradio_page.component("Secret").click()
    assert_job_result(clicked.value, "ADA")


@pytest.mark.gradio_app("other.py")
def test_an_app_no_test_calls(gradio_app):
    assert gradio_app.url.startswith("http://127.0.0.1:")
"""

# An app the suite starts but never calls: its endpoints count, all missed.
OTHER_APP = """
import gradio as gr

with gr.Blocks() as demo:
    gr.Button("Never").click(lambda: "never", None, gr.Textbox(), api_name="never")
"""


def test_every_endpoint_with_its_trigger_counts_and_outcomes(pytester: pytest.Pytester) -> None:
    """One run with API jobs, a page job and a tool call: the table names each
    endpoint by its trigger, counts each kind of job by outcome, marks the missed and
    the page-only ones; the total is under fail-under, so the run fails though its
    tests pass; the summary JSON and the HTML report hold the same table."""
    pytester.makepyfile(app=APP, other=OTHER_APP, test_cov=SUITE)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-p",
        "no:playwright",
        "--gradio-coverage-fail-under=90",
        "--gradio-summary-json=summary.json",
        "--gradio-report=report.html",
    )
    result.assert_outcomes(passed=7)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # The page test types into Name: each keystroke may fire the .change on the page,
    # and opening the page runs demo.load; so those page counts are not fixed.
    result.stdout.fnmatch_lines(
        [
            "*= gradio coverage =*",
            "app.py: 6 of 7 endpoints covered (86%)",
            "  fn  trigger*api_name*api  page  mcp  finished  error  cancelled",
            "   0  Greet.click       /say_hello    1     0    1         2      0          0",
            "   1  Greet.click.then  /shout        0     0    0         0      0          0"
            "  missed",
            "   2  Name.change       /shout_1      1     *    0         *      0          0",
            "   3  demo.load         /lambda       0     *    0         *      0          0",
            "   4  #secret.click     private       0     1    0         1      0          0"
            "  page only",
            "   5  Crash.click       /crash        1     0    0         0      1          0",
            "   6  Slow.click        /slow         1     0    0         0      0          1",
            "other.py: 0 of 1 endpoints covered (0%)",
            "*",
            "   0  Never.click  /never      0     0    0         0      0          0  missed",
            "TOTAL: 6 of 8 endpoints covered (75%)",
            "page only (*): app.py fn 4 (#secret.click)",
            "FAIL Required gradio endpoint coverage of 90% (--gradio-coverage-fail-under) not"
            " reached: total 75.0% (6 of 8 endpoints) is 15.0 points under the required 90%;"
            " apps under it: app.py 85.7% (4.3 points under), other.py 0.0% (90.0 points under)",
        ]
    )

    table = json.loads((pytester.path / "summary.json").read_text())["coverage"]
    assert (table["covered"], table["total"], table["fail_under"]) == (6, 8, 90.0)
    app, other = table["apps"]
    assert (other["app"], other["covered"], other["total"]) == ("other.py", 0, 1)
    rows = {row["trigger"]: row for row in app["endpoints"]}
    assert rows["Greet.click"] | {"page": 0} == {
        "fn": 0,
        "trigger": "Greet.click",
        "api_name": "/say_hello",
        "visibility": "public",
        "page_only": False,
        "api": 1,
        "page": 0,
        "mcp": 1,
        "finished": 2,
        "error": 0,
        "cancelled": 0,
        "covered": True,
    }
    assert rows["#secret.click"]["page_only"]
    assert rows["#secret.click"]["page"] == 1
    assert not rows["Greet.click.then"]["covered"]
    assert app["unmatched"] == []

    page = (pytester.path / "report.html").read_text()
    section = page.split("<h2>Coverage</h2>", 1)[1].split("<h2>", 1)[0]
    assert "total: 6 of 8 endpoints covered (75.0%); required 90.0%" in section
    assert "app.py: 6 of 7 endpoints covered (85.7%)" in section
    assert html.escape("#secret.click") in section
    assert "page only" in section
    assert '<tr class="missed"><td>1</td><td>Greet.click.then</td>' in section


XDIST_APP = """
import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button("A").click(lambda: "a", None, box, api_name="a")
    gr.Button("B").click(lambda: "b", None, box, api_name="b")
    gr.Button("C").click(lambda: "c", None, box, api_name="c")
    gr.Button("D").click(lambda: "d", None, box, api_name="d")
"""

XDIST_TEST = """
import pytest

pytestmark = pytest.mark.gradio_app("app.py")


def test_{name}(gradio_client, worker_id):
    assert gradio_client.predict(api_name="/{name}") == "{name}"
    open("{name}.worker", "w").write(worker_id)
"""


def test_xdist_workers_counts_merge_and_fail_under_at_the_total(pytester: pytest.Pytester) -> None:
    """`-n 2`, each test file on its own worker calling its own endpoint: the
    controller's table has both covered; 50% covered with fail-under 50 passes."""
    pytester.makepyfile(
        app=XDIST_APP,
        test_a=XDIST_TEST.format(name="a"),
        test_b=XDIST_TEST.format(name="b"),
    )
    result = pytester.runpytest(
        "-n", "2", "--dist", "loadfile", "--gradio-coverage-fail-under=50", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK
    workers = {(pytester.path / f"{n}.worker").read_text() for n in "ab"}
    assert workers == {"gw0", "gw1"}  # each endpoint's job counted on another worker
    result.stdout.fnmatch_lines(
        [
            "*= gradio coverage =*",
            "app.py: 2 of 4 endpoints covered (50%)",
            "*",
            "   0  A.click  /a          1     0    0         1      0          0",
            "   1  B.click  /b          1     0    0         1      0          0",
            "   2  C.click  /c          0     0    0         0      0          0  missed",
            "   3  D.click  /d          0     0    0         0      0          0  missed",
            "TOTAL: 2 of 4 endpoints covered (50%)",
            "Required gradio endpoint coverage of 50% reached. Total: 50%",
        ]
    )


@pytest.mark.parametrize(
    ("args", "ini", "named"),
    [
        (["--gradio-coverage-fail-under=lots"], "", "'lots' from --gradio-coverage-fail-under"),
        ([], "gradio_coverage_fail_under = 120", "'120' from ini gradio_coverage_fail_under"),
    ],
)
def test_a_bad_percentage_is_a_usage_error_naming_it(
    pytester: pytest.Pytester, args: list[str], ini: str, named: str
) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*Invalid coverage percentage {named}: give a number from 0 to 100, such as 80*"]
    )


def test_off_by_default_nothing_counted_nor_imported(pytester: pytest.Pytester) -> None:
    """Without the option: no section, and neither coverage module is loaded."""
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_modules():
            assert "pytest_gradio.coverage_plugin" not in sys.modules
            assert "pytest_gradio.coverage" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "gradio coverage" not in result.stdout.str()


def test_gradio_5_configs_say_private_and_undocumented_their_own_way() -> None:
    """Gradio 5.x has no api_visibility: `api_name: false` is private (page only),
    `show_api: false` undocumented (the API still calls it). Triggers name the
    component by label, elem_id, button text or kind#id, and .then steps by their
    parent; js-only events are no endpoints."""
    config = {
        "layout": {"id": 0},
        "components": [
            {"id": 1, "type": "textbox", "props": {"label": "Your name"}},
            {"id": 2, "type": "button", "props": {"value": "Go"}},
            {"id": 3, "type": "slider", "props": {}},
        ],
        "dependencies": [
            {"id": 0, "targets": [[2, "click"]], "api_name": "go"},
            {"id": 1, "targets": [[None, "success"]], "trigger_after": 0, "api_name": False},
            {
                "id": 2,
                "targets": [[1, "submit"], [3, "release"]],
                "api_name": "x",
                "show_api": False,
            },
            {"id": 3, "targets": [[3, "change"]], "api_name": None, "backend_fn": False},
            {"id": 4, "targets": [[0, "load"]], "api_name": "load"},
        ],
    }
    assert coverage.endpoints(config) == [
        {"fn": 0, "trigger": "Go.click", "api_name": "/go", "visibility": "public"},
        {"fn": 1, "trigger": "Go.click.success", "api_name": None, "visibility": "private"},
        {
            "fn": 2,
            "trigger": "'Your name'.submit, slider#3.release",
            "api_name": "/x",
            "visibility": "undocumented",
        },
        {"fn": 4, "trigger": "demo.load", "api_name": "/load", "visibility": "public"},
    ]
