"""Testing a plain Blocks app: results, floats, errors, statuses and per-test state."""

import pytest
from gradio_client.utils import Status

from pytest_gradio import assert_job_error, assert_job_result, assert_job_statuses

# app.py launches at module level; the plugin runs it on 127.0.0.1 and a free port instead.
pytestmark = pytest.mark.gradio_app("app.py")


def test_predict_returns_the_result(gradio_client):
    """predict() works exactly as in gradio_client."""
    assert gradio_client.predict(2, "add", 3, api_name="/calculate") == 5.0


def test_job_result(gradio_client):
    """A submitted job is a normal gradio_client Job: result() blocks until it is done."""
    job = gradio_client.submit(6, "multiply", 7, api_name="/calculate")
    assert job.result() == 42.0


@pytest.mark.parametrize(
    ("a", "operation", "b", "expected"),
    [
        (2, "add", 3, 5.0),
        (7, "subtract", 10, -3.0),
        (6, "multiply", 7, 42.0),
        (10, "divide", 4, 2.5),
    ],
)
def test_each_operation(gradio_client, a, operation, b, expected):
    """assert_job_result waits for the job and compares its final result."""
    job = gradio_client.submit(a, operation, b, api_name="/calculate")
    assert_job_result(job, expected)


def test_float_result_with_approx(gradio_client):
    """Expected values may be matchers such as pytest.approx."""
    job = gradio_client.submit(0.1, "add", 0.2, api_name="/calculate")
    assert_job_result(job, pytest.approx(0.3))


def test_divide_by_zero_raises(gradio_client):
    """assert_job_error checks that the app raised, and searches the message for a regex."""
    job = gradio_client.submit(1, "divide", 0, api_name="/calculate")
    assert_job_error(job, match=r"Cannot divide by zero\.")


def test_job_goes_through_the_queue(gradio_client):
    """Statuses are checked as an ordered subsequence; Status members work as well as names."""
    job = gradio_client.submit(1, "divide", 3, api_name="/calculate")
    assert_job_statuses(job, [Status.PROCESSING, Status.FINISHED])


def test_state_counts_clicks_within_a_test(gradio_client):
    """gr.State lives as long as the client's session, which is the whole test."""
    assert gradio_client.predict(api_name="/count") == 1
    assert gradio_client.predict(api_name="/count") == 2


def test_state_starts_fresh_in_every_test(gradio_client):
    """Each test gets a new client and session, so the counter starts at 1 again."""
    assert gradio_client.predict(api_name="/count") == 1
