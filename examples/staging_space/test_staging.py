"""One test body for every backend: the app file in-process, the app file as its own
process, a URL, or the deployed staging Space. Nothing here says which: conftest.py
picks app.py unless --gradio-app (or PYTEST_GRADIO_APP) names another target.

    pytest examples/staging_space
    pytest examples/staging_space --gradio-mode=subprocess
    pytest examples/staging_space --gradio-app=space:org/app-staging   # HF_TOKEN set
"""

from pytest_gradio import (
    assert_job_error,
    assert_job_outputs,
    assert_job_result,
    assert_job_statuses,
)


def test_counts_words(gradio_client):
    """A plain endpoint: predict() as in gradio_client."""
    assert gradio_client.predict("the quick brown fox", api_name="/word_count") == 4


def test_empty_text_is_an_error(gradio_client):
    """gr.Error reaches the client with its message (show_error=True in app.py)."""
    job = gradio_client.submit("   ", api_name="/word_count")
    assert_job_error(job, match="Give me some text")


def test_spelling_streams_letter_by_letter(gradio_client):
    """Streaming works through every backend, the Spaces proxy included."""
    job = gradio_client.submit("gradio", api_name="/spell")
    assert_job_outputs(job, ["g", "gr", "gra", "grad", "gradi", "gradio"])
    assert_job_result(job, "gradio")


def test_job_goes_through_the_queue(gradio_client):
    job = gradio_client.submit("queue", api_name="/spell")
    assert_job_statuses(job, ["PROCESSING", "ITERATING", "FINISHED"])


def test_each_test_has_its_own_session(gradio_client):
    """gr.State starts empty in every test, wherever the app runs."""
    assert gradio_client.predict("a", api_name="/remember") == "a"
    assert gradio_client.predict("b", api_name="/remember") == "a, b"
