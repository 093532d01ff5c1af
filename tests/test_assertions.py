"""The assertion helpers and matchers: each passes on a match and explains a mismatch."""

from __future__ import annotations

import re
import time
from pathlib import Path
from unittest.mock import ANY

import pytest
from gradio_client.utils import Status

from pytest_gradio import (
    EndpointNotFoundError,
    File,
    JobTimeoutError,
    Regex,
    assert_job_error,
    assert_job_logs,
    assert_job_outputs,
    assert_job_progress,
    assert_job_result,
    assert_job_statuses,
)

pytestmark = pytest.mark.gradio_app("apps/basic.py")

STEPS = [(0, 3), (1, 3), (2, 3)]


def assert_explains(info: pytest.ExceptionInfo[BaseException], job, *parts: str) -> None:
    """The message has every part and the job's whole timeline table (ending FINISHED)."""
    message = str(info.value)
    missing = [part for part in (*parts, str(job.timeline)) if part not in message]
    assert not missing, f"{missing} not in:\n{message}"
    assert f"timeline of {job.timeline.endpoint}(" in message
    assert "FINISHED" in message


@pytest.fixture
def add_job(gradio_client):
    return gradio_client.submit(1, 2, api_name="/add")


@pytest.fixture
def count_job(gradio_client):
    return gradio_client.submit(3, api_name="/count")


@pytest.fixture
def stepper_job(gradio_client, tmp_path):
    """/stepper's three steps, each let go once the client has seen it: every step
    arrives, however busy the machine (the server samples progress, and a step it
    did not sample is lost)."""
    job = gradio_client.submit(3, str(tmp_path), api_name="/stepper")
    for i in range(3):
        seen = job.timeline.wait_for(
            lambda events, i=i: any(e.progress and e.progress[0].index == i for e in events), 30
        )
        assert seen, f"step {i} did not arrive: {job.timeline}"
        (tmp_path / str(i)).touch()
    return job


@pytest.fixture
def fail_job(gradio_client):
    return gradio_client.submit("boom", api_name="/fail")


@pytest.fixture
def file_job(gradio_client):
    return gradio_client.submit("hello", api_name="/make_file")


# --- assert_job_result ------------------------------------------------------------------


def test_result_matches(add_job):
    """assert_job_result passes when the result equals expected."""
    assert_job_result(add_job, 3)


def test_result_differs(add_job):
    """assert_job_result shows expected, actual and the timeline."""
    with pytest.raises(AssertionError) as info:
        assert_job_result(add_job, 4)
    assert_explains(info, add_job, "the result differs", "expected: 4", "actual:   3")


def test_result_of_raising_job(fail_job):
    """assert_job_result on a job that raised shows the error instead of a result."""
    with pytest.raises(AssertionError) as info:
        assert_job_result(fail_job, "ok")
    assert_explains(info, fail_job, "expected: 'ok'", "raised:   AppError: boom")


# --- assert_job_outputs -----------------------------------------------------------------


def test_outputs_exact(count_job):
    """match="exact" (the default) passes on exactly the streamed outputs."""
    assert_job_outputs(count_job, ["0", "1", "2"])


def test_outputs_exact_mismatch(count_job):
    """match="exact" fails when outputs are missing from expected."""
    with pytest.raises(AssertionError) as info:
        assert_job_outputs(count_job, ["0", "1"])
    assert_explains(
        info,
        count_job,
        "1 more items: ['2']",
        "expected: ['0', '1']",
        "actual:   ['0', '1', '2']",
        "ITERATING",
    )


def test_outputs_prefix(count_job):
    """match="prefix" passes when the outputs start with expected."""
    assert_job_outputs(count_job, ["0", "1"], match="prefix")


def test_outputs_prefix_mismatch(count_job):
    """match="prefix" fails when the first outputs differ."""
    with pytest.raises(AssertionError) as info:
        assert_job_outputs(count_job, ["1", "2"], match="prefix")
    assert_explains(
        info, count_job, "item 0 differs", "expected: ['1', '2']", "actual:   ['0', '1', '2']"
    )


def test_outputs_subsequence(count_job):
    """match="subsequence" passes when expected appear in order, gaps allowed."""
    assert_job_outputs(count_job, ["0", "2"], match="subsequence")


def test_outputs_subsequence_mismatch(count_job):
    """match="subsequence" fails when expected outputs come out of order."""
    with pytest.raises(AssertionError) as info:
        assert_job_outputs(count_job, ["2", "0"], match="subsequence")
    assert_explains(
        info,
        count_job,
        "item 1 ('0') not found in order",
        "expected: ['2', '0']",
        "actual:   ['0', '1', '2']",
    )


def test_outputs_of_raising_job(fail_job):
    """assert_job_outputs on a job that raised notes the error."""
    with pytest.raises(AssertionError) as info:
        assert_job_outputs(fail_job, ["ok"])
    assert_explains(info, fail_job, "expected: ['ok']", "actual:   []", "raised AppError: boom")


def test_outputs_unknown_match_mode(count_job):
    """An unknown match mode is a ValueError naming the valid ones."""
    with pytest.raises(ValueError, match=r"'fuzzy'.*'exact', 'prefix', 'subsequence'"):
        assert_job_outputs(count_job, ["0"], match="fuzzy")


# --- assert_job_statuses ----------------------------------------------------------------


def test_statuses_subsequence(count_job):
    """Status names in order pass as a subsequence (the default)."""
    assert_job_statuses(count_job, ["PROCESSING", "FINISHED"])


def test_statuses_subsequence_mismatch(count_job):
    """Statuses out of order fail, showing both sequences and the timeline."""
    with pytest.raises(AssertionError) as info:
        assert_job_statuses(count_job, ["FINISHED", "PROCESSING"])
    assert_explains(
        info,
        count_job,
        "expected: FINISHED > PROCESSING",
        "actual:   STARTING > IN_QUEUE > PROCESSING > ITERATING > FINISHED",
    )


def test_statuses_exact(count_job):
    """match="exact" passes on the full collapsed status list."""
    expected = ["STARTING", "IN_QUEUE", "PROCESSING", "ITERATING", "FINISHED"]
    assert_job_statuses(count_job, expected, match="exact")


def test_statuses_exact_mismatch(count_job):
    """match="exact" fails when statuses are left out."""
    with pytest.raises(AssertionError) as info:
        assert_job_statuses(count_job, ["STARTING", "PROCESSING", "FINISHED"], match="exact")
    assert_explains(
        info,
        count_job,
        "item 1 differs",
        "expected: STARTING > PROCESSING > FINISHED",
        "actual:   STARTING > IN_QUEUE > PROCESSING > ITERATING > FINISHED",
    )


def test_statuses_as_status_members(add_job):
    """Status members work like their names."""
    assert_job_statuses(add_job, [Status.IN_QUEUE, Status.PROCESSING, Status.FINISHED])


def test_statuses_as_status_members_mismatch(add_job):
    """A Status member the job never reached fails."""
    with pytest.raises(AssertionError) as info:
        assert_job_statuses(add_job, [Status.PROCESSING, Status.CANCELLED])
    assert_explains(
        info,
        add_job,
        "expected: PROCESSING > CANCELLED",
        "actual:   STARTING > IN_QUEUE > PROCESSING > FINISHED",
    )


def test_statuses_unknown_name(add_job):
    """An unknown status name is a ValueError listing the valid names."""
    with pytest.raises(ValueError, match=r"'DONE' is not a status.*FINISHED"):
        assert_job_statuses(add_job, ["PROCESSING", "DONE"])


def test_statuses_unknown_match_mode(add_job):
    """An unknown match mode is a ValueError."""
    with pytest.raises(ValueError, match="match='fuzzy' is not one of"):
        assert_job_statuses(add_job, ["FINISHED"], match="fuzzy")


# --- assert_job_progress ----------------------------------------------------------------


def test_progress_tuples(stepper_job):
    """(index, length) tuples match the progress that arrived (sampled)."""
    assert_job_progress(stepper_job, STEPS)


def test_progress_tuples_mismatch(stepper_job):
    """Tuples that match no update fail, showing expected, arrived and the timeline."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(stepper_job, [(0, 4), (1, 4), (2, 4)])
    assert_explains(
        info,
        stepper_job,
        "matches no expected step",
        "expected: [(0, 4), (1, 4), (2, 4)]",
        # Which steps arrive is sampled (a busy machine's server coalesced 0/3 away).
        "arrived:  [",
        "/3 'working'",
        "PROGRESS",
    )


def test_progress_sampled_allows_missing_steps(stepper_job):
    """Sampled: expected steps that never arrived (coalesced away) do not fail."""
    assert_job_progress(stepper_job, [(0, 3), (1, 3), (2, 3), (3, 3)])


def test_progress_fractions(stepper_job):
    """Fractions match index/length."""
    assert_job_progress(stepper_job, [0.0, 1 / 3, 2 / 3])


def test_progress_fractions_mismatch(stepper_job):
    """Fractions the app never reported fail."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(stepper_job, [0.5, 1.0])
    assert_explains(info, stepper_job, "expected: [0.5, 1.0]", "arrived:  [", "/3 'working'")


def test_progress_desc(stepper_job):
    """A desc string matches every update with that description."""
    assert_job_progress(stepper_job, ["working"])


def test_progress_desc_mismatch(stepper_job):
    """A desc the app never used fails."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(stepper_job, ["resting"])
    assert_explains(info, stepper_job, "expected: ['resting']", "arrived:  [0/3 'working'")


def test_progress_regex(stepper_job):
    """A Regex matches the desc."""
    assert_job_progress(stepper_job, [Regex(r"^work")])


def test_progress_regex_mismatch(stepper_job):
    """A Regex that matches no desc fails."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(stepper_job, [Regex(r"^rest")])
    assert_explains(info, stepper_job, "expected: [Regex('^rest')]", "arrived:  [0/3 'working'")


def test_progress_dicts(stepper_job):
    """Dicts of fields match those fields, with matchers allowed."""
    expected = [{"desc": "working", "fraction": pytest.approx(i / 3)} for i in range(3)]
    assert_job_progress(stepper_job, expected)


def test_progress_dicts_mismatch(stepper_job):
    """A dict whose field differs fails."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(stepper_job, [{"unit": "seconds"}])
    assert_explains(
        info, stepper_job, "expected: [{'unit': 'seconds'}]", "arrived:  [0/3 'working'"
    )


def test_progress_exact(stepper_job):
    """match="exact" passes when every step arrived (the fixture makes sure they do)."""
    assert_job_progress(stepper_job, STEPS, match="exact")


def test_progress_exact_mismatch(stepper_job):
    """match="exact" fails when an arrived step is not expected."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(stepper_job, [(0, 3), (2, 3)], match="exact")
    assert_explains(
        info,
        stepper_job,
        "(match='exact'): item 1 differs",
        "expected: [(0, 3), (2, 3)]",
        "arrived:  [0/3 'working', 1/3 'working'",
    )


def test_progress_min_seen(stepper_job):
    """min_seen passes when at least that many updates arrived."""
    assert_job_progress(stepper_job, STEPS, min_seen=2)


def test_progress_min_seen_mismatch(stepper_job):
    """min_seen fails when fewer updates arrived, saying how many."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(stepper_job, STEPS, min_seen=10)
    assert_explains(info, stepper_job, "at least 10 expected", "expected: [(0, 3)", "PROGRESS")


def test_progress_none_arrived(add_job):
    """A job without progress fails the default min_seen=1."""
    with pytest.raises(AssertionError) as info:
        assert_job_progress(add_job, STEPS)
    assert_explains(info, add_job, "0 progress update(s) arrived", "arrived:  []")


def test_progress_unknown_field(stepper_job):
    """An unknown progress field is a ValueError naming it and the valid fields."""
    with pytest.raises(ValueError, match=r"unknown progress field.*\['step'\].*'desc'.*'fraction'"):
        assert_job_progress(stepper_job, [{"step": 1}])


def test_progress_unknown_field_never_reached(stepper_job):
    """An unknown progress field is a ValueError even if no update reaches it."""
    with pytest.raises(ValueError, match="stepp"):
        assert_job_progress(stepper_job, [{"desc": "working"}, {"stepp": 2}])


def test_progress_unknown_match_mode(stepper_job):
    """An unknown progress match mode is a ValueError."""
    with pytest.raises(ValueError, match="match='fuzzy' is not one of 'sampled', 'exact'"):
        assert_job_progress(stepper_job, STEPS, match="fuzzy")


# --- assert_job_error -------------------------------------------------------------------


def test_error_with_match(fail_job):
    """assert_job_error passes for a gr.Error whose message matches, and returns it."""
    error = assert_job_error(fail_job, match=r"bo+m")
    assert str(error) == "boom"


def test_error_without_match(gradio_client):
    """assert_job_error without match passes for any exception in the app."""
    assert_job_error(gradio_client.submit(1, api_name="/crash"))


def test_error_did_not_raise(add_job):
    """assert_job_error on a job that returned shows the result and the timeline."""
    with pytest.raises(AssertionError) as info:
        assert_job_error(add_job, match="boom")
    assert_explains(
        info, add_job, "did not raise", "expected: an error matching 'boom'", "returned: 3"
    )


def test_error_message_mismatch(fail_job):
    """assert_job_error with a pattern not in the message shows both."""
    with pytest.raises(AssertionError) as info:
        assert_job_error(fail_job, match="kaboom")
    assert_explains(info, fail_job, "pattern: 'kaboom'", "error:   AppError: boom")


# --- assert_job_logs --------------------------------------------------------------------


def test_logs_strings(stepper_job):
    """Plain strings match log messages at any level."""
    assert_job_logs(stepper_job, ["starting", "that was many steps"])


def test_logs_strings_mismatch(stepper_job):
    """A message that was not logged fails, showing expected, actual and the timeline."""
    with pytest.raises(AssertionError) as info:
        assert_job_logs(stepper_job, ["starting", "finished"])
    assert_explains(
        info,
        stepper_job,
        "expected: ['starting', 'finished']",
        "actual:   [('starting', 'info'), ('that was many steps', 'warning')]",
        "LOG",
    )


def test_logs_with_levels(stepper_job):
    """(message, level) tuples match, the level case-insensitively."""
    assert_job_logs(stepper_job, [("starting", "info"), ("that was many steps", "WARNING")])


def test_logs_with_levels_mismatch(stepper_job):
    """A right message at the wrong level fails."""
    with pytest.raises(AssertionError) as info:
        assert_job_logs(stepper_job, [("starting", "warning"), ("that was many steps", "warning")])
    assert_explains(
        info,
        stepper_job,
        "item 0 differs: expected ('starting', 'warning'), actual ('starting', 'info')",
    )


def test_logs_regex(stepper_job):
    """Regex matches log messages, alone or with a level."""
    assert_job_logs(stepper_job, [Regex(r"^start"), (Regex(r"many"), "warning")])


def test_logs_regex_mismatch(stepper_job):
    """A Regex matching no message fails."""
    with pytest.raises(AssertionError) as info:
        assert_job_logs(stepper_job, [Regex(r"^start"), Regex(r"^few")])
    assert_explains(
        info, stepper_job, "expected: [Regex('^start'), Regex('^few')]", "that was many steps"
    )


# --- matchers ---------------------------------------------------------------------------


def test_approx(gradio_client):
    """pytest.approx matches a float result that == would not."""
    job = gradio_client.submit(0.1, 0.2, api_name="/add")
    assert_job_result(job, pytest.approx(0.3))
    with pytest.raises(AssertionError):
        assert_job_result(job, 0.3)


def test_approx_mismatch(gradio_client):
    """pytest.approx fails on a value outside its tolerance."""
    job = gradio_client.submit(0.1, 0.2, api_name="/add")
    with pytest.raises(AssertionError) as info:
        assert_job_result(job, pytest.approx(0.4))
    assert_explains(info, job, "expected: 0.4 ±", "actual:   0.30000000000000004")


def test_any(count_job):
    """unittest.mock.ANY matches any item inside expected."""
    assert_job_outputs(count_job, [ANY, ANY, "2"])


def test_any_mismatch(count_job):
    """ANY does not hide a differing neighbour."""
    with pytest.raises(AssertionError) as info:
        assert_job_outputs(count_job, [ANY, "x", ANY])
    assert_explains(
        info, count_job, "item 1 differs", "expected: [<ANY>, 'x', <ANY>]", "actual:   ['0'"
    )


def test_regex(stepper_job):
    """Regex matches a string result by re.search, with re flags."""
    assert_job_result(stepper_job, Regex(r"did \d+ steps$"))
    assert_job_result(stepper_job, Regex(r"DID 3", re.IGNORECASE))


def test_regex_mismatch(stepper_job):
    """A Regex not found in the result fails, showing the pattern and the result."""
    with pytest.raises(AssertionError) as info:
        assert_job_result(stepper_job, Regex(r"^done"))
    assert_explains(info, stepper_job, "expected: Regex('^done')", "actual:   'did 3 steps'")


def test_file_by_name(file_job):
    """File(name) matches the downloaded file's name, exactly or by Regex."""
    name = Path(file_job.result(timeout=10)).name
    assert_job_result(file_job, File(name))
    assert_job_result(file_job, File(Regex(r"^report_\w+\.txt$")))


def test_file_by_name_mismatch(file_job):
    """A different name fails, saying why."""
    with pytest.raises(AssertionError) as info:
        assert_job_result(file_job, File("summary.txt"))
    assert_explains(info, file_job, "expected: File('summary.txt')", "why:      name 'report_")


def test_file_by_suffix(file_job):
    """File(suffix=...) matches the extension, case-insensitively."""
    assert_job_result(file_job, File(suffix=".TXT"))


def test_file_by_suffix_mismatch(file_job):
    """A different suffix fails, saying why."""
    with pytest.raises(AssertionError) as info:
        assert_job_result(file_job, File(suffix=".png"))
    assert_explains(
        info, file_job, "expected: File(suffix='.png')", "why:      suffix '.txt' != '.png'"
    )


def test_file_by_content(file_job):
    """File(content=...) matches str, bytes or Regex content."""
    assert_job_result(file_job, File(content="hello"))
    assert_job_result(file_job, File(content=b"hello"))
    assert_job_result(file_job, File(suffix=".txt", content=Regex("^hel")))


def test_file_by_content_mismatch(file_job):
    """Different content fails, saying why."""
    with pytest.raises(AssertionError) as info:
        assert_job_result(file_job, File(content="goodbye"))
    assert_explains(
        info,
        file_job,
        "expected: File(content='goodbye')",
        "actual:   '/",
        "why:      content of report_",
        "is b'hello' (5 bytes)",
    )


def test_file_not_a_file(add_job):
    """File() does not match a non-file result."""
    with pytest.raises(AssertionError) as info:
        assert_job_result(add_job, File(suffix=".txt"))
    assert_explains(info, add_job, "why:      3 is not a file output")


# --- waiting and bad input --------------------------------------------------------------


def test_timeout(gradio_client):
    """A job that does not end within timeout= raises JobTimeoutError quickly, with the timeline."""
    job = gradio_client.submit(3, api_name="/slow")
    started = time.monotonic()
    with pytest.raises(JobTimeoutError) as info:
        assert_job_result(job, "done", timeout=0.3)
    assert time.monotonic() - started < 2
    message = str(info.value)
    assert message.startswith("assert_job_result: /slow did not finish within 0.3 s (")
    assert "timeline of /slow(3):" in message
    assert "STARTING" in message


def test_timeout_with_every_helper(gradio_client):
    """Every helper gives up at timeout= with a JobTimeoutError naming itself."""
    job = gradio_client.submit(3, api_name="/slow")
    helpers = {
        "assert_job_outputs": lambda: assert_job_outputs(job, ["done"], timeout=0.1),
        "assert_job_statuses": lambda: assert_job_statuses(job, ["FINISHED"], timeout=0.1),
        "assert_job_progress": lambda: assert_job_progress(job, STEPS, timeout=0.1),
        "assert_job_error": lambda: assert_job_error(job, timeout=0.1),
        "assert_job_logs": lambda: assert_job_logs(job, [], timeout=0.1),
    }
    for name, helper in helpers.items():
        with pytest.raises(JobTimeoutError, match=rf"^{name}: /slow did not finish"):
            helper()


def test_unknown_endpoint(gradio_client):
    """An unknown api_name raises EndpointNotFoundError naming the available endpoints."""
    with pytest.raises(EndpointNotFoundError) as info:
        gradio_client.submit(1, api_name="/nope")
    message = str(info.value)
    assert "'/nope'" in message
    for endpoint in ("/add", "/count", "/stepper", "/fail", "/slow", "/make_file"):
        assert endpoint in message
    assert isinstance(info.value, ValueError)  # what the stock client raises


def test_unknown_endpoint_in_predict(gradio_client):
    """predict() with an unknown api_name raises EndpointNotFoundError too."""
    with pytest.raises(EndpointNotFoundError, match=r"'/nope'.*/add"):
        gradio_client.predict(1, api_name="/nope")


def test_unknown_match_mode_before_waiting(gradio_client):
    """A bad match= is a ValueError at once, not after waiting for the job."""
    job = gradio_client.submit(3, api_name="/slow")
    with pytest.raises(ValueError, match="'fuzzy'"):
        assert_job_outputs(job, ["done"], match="fuzzy", timeout=0.3)
