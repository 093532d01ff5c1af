"""fuzz_endpoint and --gradio-fuzz: real apps, real pytest runs.

What is a finding (an unhandled exception, a hang past the job timeout) and what is
not (a gr.Error, an allowed error); the shrunk input, the app's error and the replay
lines in the message; the same finding twice with a seed; the generated tests, their
budgets and skip list, also over two xdist workers."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from pytest_gradio import fuzz_endpoint

APPS = Path(__file__).parent / "apps"
EXAMPLE = Path(__file__).parent.parent / "examples" / "fuzzing"

pytestmark = pytest.mark.gradio_app("apps/fuzz_errors.py")

FEW = {"max_examples": 20, "database": None}


def test_gr_error_is_not_a_finding(gradio_client):
    """The app refuses every input with gr.Error: on purpose, so nothing is found."""
    result = fuzz_endpoint(gradio_client, "/refuse", seed=0, **FEW)
    assert result.calls == 20
    assert all(job.timeline.final.error_title == "Error" for job in gradio_client.jobs)


def test_unhandled_exception_is_found_with_shrunk_input_and_replay(gradio_client):
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(gradio_client, "/picky", seed=0, **FEW)
    message = str(failure.value)
    assert "/picky raised an exception the app did not handle (not a gr.Error)" in message
    # The smallest failing input, hypothesis's shrink of n > 3.
    assert "\n  (4.0,)\n" in message
    assert message.count("ValueError: too big") == 2  # the error line, and the traceback's
    assert "the app's traceback (from its server log):" in message
    assert 'fuzz_errors.py", line' in message
    assert "timeline of /picky(4.0)" in message
    assert "gradio_client.predict(4.0, api_name='/picky')" in message
    assert "examples=[(4.0,)]" in message


def test_allowed_errors_are_not_findings(gradio_client):
    fuzz_endpoint(gradio_client, "/picky", allow=(ValueError,), seed=0, **FEW)
    fuzz_endpoint(gradio_client, "/picky", allow=(Exception,), seed=0, **FEW)
    fuzz_endpoint(gradio_client, "/picky", allow=("too big",), seed=0, **FEW)
    with pytest.raises(AssertionError, match="too big"):
        fuzz_endpoint(gradio_client, "/picky", allow=(KeyError, "too small"), seed=0, **FEW)
    with pytest.raises(TypeError, match="exception types and regex strings"):
        fuzz_endpoint(gradio_client, "/picky", allow=(42,))


def test_same_seed_same_finding(gradio_client):
    messages = []
    for _ in range(2):
        with pytest.raises(AssertionError) as failure:
            fuzz_endpoint(gradio_client, "/picky", seed=7, **FEW)
        messages.append(str(failure.value).splitlines()[:3])
    assert messages[0] == messages[1]


def test_hang_is_caught_by_the_job_timeout(gradio_client):
    """/stall never answers for an empty text: the call gives up after the timeout,
    and hypothesis does not call it again for each shrink."""
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(gradio_client, "/stall", timeout=1, seed=0, **FEW)
    message = str(failure.value)
    assert "/stall did not finish within the job timeout" in message
    assert "\n  ('',)\n" in message
    assert "did not finish within 1.0 s" in message
    stalled = [job for job in gradio_client.jobs if job.timeline.args == ("",)]
    assert len(stalled) == 1


def test_time_budget_stops_new_inputs(gradio_client):
    """The budget ends the search, the generating of inputs with it (hypothesis went on
    drawing all 10,000 texts without calls, 4 s of CPU after a 1 s budget)."""
    from hypothesis import strategies as st

    drawn: list[str] = []

    def note(text: str) -> str:
        drawn.append(text)
        return text

    result = fuzz_endpoint(
        gradio_client,
        "/echo",
        max_examples=10_000,
        max_seconds=1,
        seed=0,
        overrides={0: st.text().map(note)},
    )
    assert result.budget_spent
    assert 0 < result.calls < 10_000
    # Each call's input, and the one drawn when the budget was found spent.
    assert len(drawn) == result.calls + 1


def test_a_budget_spent_before_the_first_call_still_calls_once(gradio_client):
    """A result that tried nothing would pass a test that fuzzed nothing: the first
    input is called whatever the budget (hypothesis can take longer than it to start
    on a busy machine; here the budget is 0)."""
    result = fuzz_endpoint(gradio_client, "/echo", max_examples=100, max_seconds=0, seed=0)
    assert result.budget_spent
    assert result.calls == 1


def test_hidden_errors_named_without_a_server_log(gradio_app):
    """A client the plugin did not make has no server log to read: the message says
    the app hides its error (show_error=False) and how to see it."""
    from pytest_gradio import GradioClient

    client = GradioClient(gradio_app.url)
    try:
        with pytest.raises(AssertionError) as failure:
            fuzz_endpoint(client, "/picky", seed=0, **FEW)
    finally:
        client.close()
    assert "hidden by the app (launch(show_error=False)" in str(failure.value)


# --- --gradio-fuzz ---------------------------------------------------------------------


def copy_example(pytester: pytest.Pytester) -> None:
    # Another name for its test module: `pytest tests examples` imports the example's
    # own test_app in this process, and pytest refuses a second module of that name.
    shutil.copy(EXAMPLE / "app.py", pytester.path / "app.py")
    shutil.copy(EXAMPLE / "test_app.py", pytester.path / "test_shop.py")


def test_gradio_fuzz_finds_the_three_planted_bugs(pytester: pytest.Pytester) -> None:
    """`pytest examples/fuzzing --gradio-fuzz`: the hand-written tests pass, and the
    generated ones find each bug within the default budget."""
    copy_example(pytester)
    result = pytester.runpytest("--gradio-fuzz", "-p", "no:randomly")
    result.assert_outcomes(passed=5, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*FAILED test_shop.py::gradio_fuzz[[]/average] - AssertionError: fuzz_endpoint*",
            "*FAILED test_shop.py::gradio_fuzz[[]/convert] - AssertionError: fuzz_endpoint*",
            "*FAILED test_shop.py::gradio_fuzz[[]/split] - AssertionError: fuzz_endpoint*",
        ],
        consecutive=False,
    )
    text = result.stdout.str()
    assert "KeyError: 'JPY'" in text
    assert "'data': []" in text
    assert "ZeroDivisionError: float division by zero" in text


def test_gradio_fuzz_with_no_tests_and_a_skip_list(pytester: pytest.Pytester) -> None:
    """--gradio-app and --gradio-fuzz alone generate the tests; skipped endpoints are
    not called; the budget comes from --gradio-fuzz-examples; a function that needs a
    select's event data (None through the API) is skipped, saying why."""
    shutil.copy(APPS / "fuzz_errors.py", pytester.path / "app.py")
    result = pytester.runpytest(
        "--gradio-app=app.py",
        "--gradio-fuzz",
        "--gradio-fuzz-examples=5",
        "--gradio-fuzz-skip=/stall,picky,/slow_picky,/bad_output",
        "-v",
        "-rs",
    )
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*gradio_fuzz[[]app.py/echo] PASSED*",
            "*gradio_fuzz[[]app.py/picked] SKIPPED*",
            "*gradio_fuzz[[]app.py/refuse] PASSED*",
            "SKIPPED [[]1[]] *not fuzzed: /picked takes event data (gr.SelectData*(select)*",
        ]
    )


def test_gradio_fuzz_on_an_app_with_nothing_to_fuzz_says_why(pytester: pytest.Pytester) -> None:
    """An app whose events are all private (gradio's calculator_blocks demo), or whose
    endpoints --gradio-fuzz-skip all takes: one skipped test with the reason, not
    pytest's "no tests ran" (exit 5)."""
    pytester.makepyfile(
        app="""
        import gradio as gr

        five = gr.__version__.startswith("5.")
        private = {"api_name": False} if five else {"api_visibility": "private"}
        with gr.Blocks() as demo:
            number = gr.Number()
            gr.Button().click(lambda n: n, number, number, **private)
        """
    )
    result = pytester.runpytest("--gradio-app=app.py", "--gradio-fuzz", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] *not fuzzed: app.py has no API endpoint (its events are private*"]
    )
    shutil.copy(APPS / "fuzz_errors.py", pytester.path / "app.py")
    result = pytester.runpytest(
        "--gradio-app=app.py",
        "--gradio-fuzz",
        "--gradio-fuzz-skip=/stall,picky,/slow_picky,/bad_output,/echo,/refuse,/picked",
        "-rs",
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] *not fuzzed: --gradio-fuzz-skip leaves no endpoint of app.py*"]
    )


def test_gradio_fuzz_bad_budget_is_a_usage_error(pytester: pytest.Pytester) -> None:
    shutil.copy(APPS / "fuzz_errors.py", pytester.path / "app.py")
    result = pytester.runpytest("--gradio-app=app.py", "--gradio-fuzz", "--gradio-fuzz-examples=x")
    result.stderr.fnmatch_lines(
        ["*Invalid number of examples 'x' from --gradio-fuzz-examples: give a positive integer*"]
    )


def test_gradio_fuzz_over_two_xdist_workers(pytester: pytest.Pytester) -> None:
    copy_example(pytester)
    result = pytester.runpytest_subprocess("--gradio-fuzz", "-n", "2", "-k", "gradio_fuzz")
    result.assert_outcomes(failed=3)


def test_time_budget_ends_the_shrinking_too(gradio_client):
    """A finding on a slow endpoint is not shrunk past the budget: the message keeps
    the smallest input found by then and says so.

    /slow_picky answers a passing input at once and a failing one after 1 s: the
    search finds a failure in its first few calls, whatever the machine's load (with
    every call slow, beside other work the app's first call took 1.6 s and a 1 s budget
    ended the search with nothing found), and the shrink, some twenty failing calls,
    runs far past the 4 s budget."""
    started = time.monotonic()
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(
            gradio_client, "/slow_picky", max_examples=200, max_seconds=4, seed=0, database=None
        )
    assert time.monotonic() - started < 30
    message = str(failure.value)
    assert "ended the shrinking: a smaller input may fail too" in message
    assert "ValueError: too big" in message


def test_output_its_component_rejects_is_found_with_the_whole_chain(gradio_client):
    """/bad_output returns what a gr.Chatbot rejects: gradio's postprocess fails on the
    server; the message shows the exception it was raised from, and its full text."""
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(gradio_client, "/bad_output", seed=0, **FEW)
    message = str(failure.value)
    assert "the app did not handle" in message
    assert "The above exception was the direct cause of the following exception:" in message
    assert "ValueError: Invalid message for Chatbot component: ('not a file',)" in message
    assert "Expected a `list[MessageDict" in message  # the message's later lines
    assert "ComponentProcessingError: Could not postprocess output component" in message


@pytest.mark.gradio_app("apps/fuzz_once.py")
def test_a_failure_that_does_not_repeat_is_still_reported_as_ours(gradio_client):
    """An input that fails once and passes when hypothesis calls it again (gradio's
    blocks_joined demo picks an image at random, one of which gradio refuses to
    serve): the finding in the plugin's words, not hypothesis's exception group
    around an internal exception."""
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(gradio_client, "/once", seed=0, **FEW)
    message = str(failure.value)
    assert "/once raised an exception the app did not handle (not a gr.Error)" in message
    assert "ValueError: failed on the first call" in message
    assert "Not every time: the same input passed when called again" in message
    assert "_Found" not in message
    assert "Replay it:" in message
