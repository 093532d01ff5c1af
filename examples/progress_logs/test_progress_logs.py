"""Testing progress bars, gr.Info / gr.Warning toasts, and gr.Error."""

from unittest.mock import ANY

import pytest

from pytest_gradio import (
    Regex,
    assert_job_error,
    assert_job_logs,
    assert_job_progress,
    assert_job_result,
    assert_job_statuses,
)

pytestmark = pytest.mark.gradio_app("app.py")


def test_process_returns_a_summary(gradio_client):
    """Regex matches a result by pattern."""
    job = gradio_client.submit(2, api_name="/process")
    assert_job_result(job, Regex(r"Processed \d+ steps"))


def test_progress_reports_each_step(gradio_client):
    """Progress updates that arrive must be an in-order sample of the expected steps."""
    job = gradio_client.submit(5, api_name="/process")
    assert_job_progress(job, [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5)])


def test_progress_steps_as_dicts(gradio_client):
    """A dict expects only the fields it names: here index, length and the desc text."""
    job = gradio_client.submit(2, api_name="/process")
    assert_job_progress(
        job,
        [
            {"index": 0, "length": 2, "desc": "Processing"},
            {"index": 1, "length": 2, "desc": "Processing"},
        ],
    )


def test_info_and_warning_messages(gradio_client):
    """assert_job_logs takes messages, or (message, level) pairs that may hold matchers."""
    job = gradio_client.submit(5, api_name="/process")
    assert_job_logs(job, ["Started", (ANY, "warning")])


def test_small_jobs_do_not_warn(gradio_client):
    """The timeline is plain data once the job is done: here, its only log line."""
    job = gradio_client.submit(2, api_name="/process")
    job.result()
    assert job.timeline.logs() == [("Started", "info")]
    assert job.timeline.duration >= 2 * 0.05


def test_job_logs_then_progresses(gradio_client):
    """Statuses tell a job's story: running, then toasts (LOG), then progress, then done."""
    job = gradio_client.submit(5, api_name="/process")
    assert_job_statuses(job, ["PROCESSING", "LOG", "PROGRESS", "FINISHED"])


def test_non_positive_input_is_rejected(gradio_client):
    """gr.Error's message is what assert_job_error matches against."""
    job = gradio_client.submit(0, api_name="/fail")
    assert_job_error(job, match="must be positive")


def test_positive_input_is_accepted(gradio_client):
    """The same endpoint succeeds for good input."""
    assert gradio_client.predict(3, api_name="/fail") == "3 is positive"
