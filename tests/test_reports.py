"""Failure reports and the run summary, read where CI shows them: the terminal, JUnit
XML and the summary JSON. Real pytest runs (pytester) against apps/hang.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from .conftest import APPS

pytestmark = pytest.mark.timeout(120)

SECTION = "gradio: jobs and server log"

# The first test makes the app crash on purpose and passes: its traceback must not
# show up in the report of the failing test.
REPORTED = """
import pytest
from pytest_gradio import assert_job_error, assert_job_result

pytestmark = pytest.mark.gradio_app("app.py")


def test_crash_expected(gradio_client):
    assert_job_error(gradio_client.submit(1, api_name="/crash"))


def test_passes(gradio_client):
    assert gradio_client.predict(1, 2, api_name="/add") == 3


def test_fails(gradio_client):
    assert gradio_client.predict(1, 2, api_name="/add") == 3
    assert_job_result(gradio_client.submit(5, api_name="/crash"), 1)
"""


def _section(output: str) -> str:
    """The text of the gradio section, up to the next separator line."""
    lines = output.split(SECTION, 1)[1].splitlines()[1:]
    end = next((i for i, line in enumerate(lines) if line.startswith(("---", "===", "___"))), None)
    return "\n".join(lines[:end])


@pytest.fixture
def reported(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "app.py").write_text((APPS / "hang.py").read_text())
    pytester.makepyfile(test_reported=REPORTED)
    return pytester


def test_failing_test_reports_timelines_and_app_traceback(reported: pytest.Pytester) -> None:
    """The failing test's report carries its jobs' timelines and the app's traceback
    from the server log, in the terminal and in JUnit XML (default junit_logging);
    passing tests stay quiet, even with -rA."""
    result = reported.runpytest("-p", "no:randomly", "-rA", "--junitxml=junit.xml")
    result.assert_outcomes(passed=2, failed=1)
    expected = [
        f"*- {SECTION} -*",
        "2 job(s) ran in this test:",
        "job 1: /add finished in *ms",
        "timeline of /add(1, 2):",
        "*ms  FINISHED     output 3",
        # Its timeline is in the assertion message already: not repeated.
        "job 2: /crash raised an error after *ms (timeline above)",
        "server log of app.py (thread, http://127.0.0.1:*/) during this test:",
        "  Traceback (most recent call last):",
        "    ... * frame(s) of gradio and its server ...",
        '    File "*app.py", line *, in crash',
        "  KeyError: 'key 5'",
    ]
    result.stdout.fnmatch_lines(expected)
    output = result.stdout.str()
    assert output.count(SECTION) == 1  # only the failing test has one
    # The passing test's crash (key 1) happened before the failing test started.
    assert "'key 1'" not in _section(output)

    tree = ET.parse(reported.path / "junit.xml")
    cases = {case.get("name"): case for case in tree.iter("testcase")}
    failure = cases["test_fails"].find("failure")
    assert failure is not None
    assert failure.text is not None
    assert SECTION in failure.text
    for line in ("timeline of /crash(5):", "Traceback (most recent call last):", "'key 5'"):
        assert line in failure.text
    for name in ("test_passes", "test_crash_expected"):
        assert SECTION not in ET.tostring(cases[name], encoding="unicode")


def test_summary_table_and_json(reported: pytest.Pytester) -> None:
    """--gradio-summary prints a table per app and endpoint; --gradio-summary-json
    writes the same numbers for CI to plot."""
    reported.makepyfile(
        test_more="""
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")

        @pytest.mark.parametrize("n", [1, 2])
        def test_add_more(gradio_client, n):
            assert gradio_client.predict(n, n, api_name="/add") == 2 * n

        def test_fire_and_forget(gradio_client):
            gradio_client.submit("x", api_name="/hang")
        """
    )
    result = reported.runpytest(
        "-p", "no:randomly", "--gradio-summary", "--gradio-summary-json=out/summary.json"
    )
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*= gradio summary =*",
            "app     endpoint  jobs  expected errors  app errors  failed  cancelled  *p50  *p95"
            "  *max  max queue",
            "app.py  /add         4                0           0       0          0  *ms  *ms  *ms"
            "  *ms",
            # test_crash_expected asserted its error; test_fails did not.
            "        /crash       2                1           1       0          0  *ms  *ms  *ms"
            "  *ms",
            "        /hang        1                0           0       0          1  *-  *-  *-  *",
        ]
    )
    document = json.loads((reported.path / "out" / "summary.json").read_text())
    assert document["jobs"] == 7
    rows = {row["endpoint"]: row for row in document["endpoints"]}
    assert {row["app"] for row in rows.values()} == {"app.py"}
    assert (rows["/add"]["jobs"], rows["/add"]["failed"], rows["/add"]["cancelled"]) == (4, 0, 0)
    # The app raised: once as a test asked (assert_job_error), an expected error; once
    # unasked, an app error; neither a failure of the plugin or client.
    crash = rows["/crash"]
    assert (crash["jobs"], crash["expected_errors"], crash["app_errors"], crash["failed"]) == (
        2,
        1,
        1,
        0,
    )
    assert (rows["/hang"]["cancelled"], rows["/hang"]["max_s"]) == (1, None)
    add = rows["/add"]
    assert 0 < add["p50_s"] <= add["p95_s"] <= add["max_s"] < 5
    assert 0 <= add["max_queue_wait_s"] <= add["max_s"]


@pytest.mark.parametrize(("args", "shown"), [((), False), (("-v",), True)])
def test_summary_shown_with_verbose_only(
    reported: pytest.Pytester, args: tuple[str, ...], shown: bool
) -> None:
    """Without --gradio-summary the table appears with -v, and not otherwise."""
    result = reported.runpytest("-k", "passes", *args)
    result.assert_outcomes(passed=1, deselected=2)
    assert ("gradio summary" in result.stdout.str()) is shown


def test_app_traceback_from_a_subprocess_app(pytester: pytest.Pytester) -> None:
    """In subprocess mode the traceback comes from the app process's own output."""
    (pytester.path / "app.py").write_text((APPS / "hang.py").read_text())
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.gradio_app("app.py", mode="subprocess")
        def test_fails(gradio_client):
            gradio_client.predict(7, api_name="/crash")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"*- {SECTION} -*",
            "job 1: /crash raised an error after *",
            "server log of app.py (subprocess, http://127.0.0.1:*/) during this test:",
            "  Traceback (most recent call last):",
            "    ... * frame(s) of gradio and its server ...",
            '    File "*app.py", line *, in crash',
            "  KeyError: 'key 7'",
        ]
    )
