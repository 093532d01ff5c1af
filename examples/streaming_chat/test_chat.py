"""Testing a streaming ChatInterface: final reply, streamed chunks, and iteration."""

import pytest

from pytest_gradio import assert_job_outputs, assert_job_result, assert_job_statuses

pytestmark = pytest.mark.gradio_app("app.py")


def test_reply_echoes_the_message(gradio_client):
    """The final reply of a streaming endpoint is its last streamed value."""
    job = gradio_client.submit("Hello there", api_name="/chat")
    assert_job_result(job, "Hello there")


def test_reply_streams_word_by_word(gradio_client):
    """assert_job_outputs compares every streamed value, in order."""
    job = gradio_client.submit("one two three", api_name="/chat")
    assert_job_outputs(job, ["one", "one two", "one two three"])


def test_reply_starts_with_the_first_words(gradio_client):
    """match="prefix" checks only how the stream begins."""
    job = gradio_client.submit("The quick brown fox jumps over the lazy dog", api_name="/chat")
    assert_job_outputs(job, ["The", "The quick"], match="prefix")


def test_reply_passes_through_known_chunks(gradio_client):
    """match="subsequence" checks a few chunks in order and skips the rest."""
    message = "The quick brown fox jumps over the lazy dog"
    job = gradio_client.submit(message, api_name="/chat")
    some_chunks = ["The quick brown", "The quick brown fox jumps", message]
    assert_job_outputs(job, some_chunks, match="subsequence")


def test_iterating_a_job_yields_each_chunk(gradio_client):
    """Iterating a job yields the streamed values as they arrive, as in gradio_client."""
    job = gradio_client.submit("streams are fun", api_name="/chat")
    chunks = [chunk for chunk in job]
    assert chunks == ["streams", "streams are", "streams are fun"]


def test_streaming_reports_iterating(gradio_client):
    """A generator's updates show up as ITERATING before the job finishes."""
    job = gradio_client.submit("hi again", api_name="/chat")
    assert_job_statuses(job, ["ITERATING", "FINISHED"])
