"""Protocol faults between the client and a real app (issue 14, items 2-5; issue 9,
item 8 and what-to-build 4): each made by a real proxy (`fault_proxy.py`) in front of a
real Gradio app, or by the app's server stopping, over both transports. A fault the
user did not ask for is never reported as a cancellation; both transports raise the
same error, `JobStreamError`, and the timeline ends with the same text."""

from __future__ import annotations

import concurrent.futures
import os
import re
import signal
from collections.abc import Iterator

import gradio as gr
import pytest

from pytest_gradio import GradioClient, JobStreamError, JobTimeoutError
from pytest_gradio.client.transport import REOPEN_LIMIT

from .fault_proxy import FaultProxy

pytestmark = pytest.mark.gradio_app("apps/fidelity_faults.py")

TRANSPORTS = ["fast", "stock"]


@pytest.fixture
def proxy(gradio_app) -> Iterator[FaultProxy]:
    with FaultProxy(gradio_app.url) as proxy:
        yield proxy


@pytest.fixture(params=TRANSPORTS)
def proxied(request, proxy) -> Iterator[GradioClient]:
    """A GradioClient of the app, through the fault proxy, over each transport."""
    client = GradioClient(proxy.url, transport=request.param)
    try:
        yield client
    finally:
        client.close()


def assert_fault_recorded(job, exc: BaseException) -> None:
    """The job ended as failed (never CANCELLED), and its timeline says what it raised."""
    final = job.timeline.final
    assert final is not None, job.timeline
    assert final.code == "FINISHED", job.timeline
    assert final.success is False
    assert final.error == f"JobStreamError: {exc}"
    assert "CANCELLED" not in job.timeline.statuses()


def stop_mid_job(job, stop, first_output_within: float) -> None:
    """Once the job streamed its first output, `stop()` the server: the job fails with
    JobStreamError, recorded as such."""
    assert job.timeline.wait_for(
        lambda events: any(e.kind == "output" for e in events), timeout=first_output_within
    ), job.timeline
    stop()
    with pytest.raises(JobStreamError) as info:
        job.result(timeout=20)
    assert_fault_recorded(job, info.value)


@pytest.mark.parametrize("fault", ["non_sse", "status_500"])
def test_broken_stream_fails_the_job_at_once(proxy, proxied, fault):
    """Item 14.2 / 14.4: a stream answer that is not an event stream fails the job at
    once (fast: quoting status, content type and first bytes), with a handful of
    requests, not a flood of reconnects."""
    proxy.fault = fault
    job = proxied.submit("x", api_name="/echo")
    with pytest.raises(JobStreamError) as info:
        job.result(timeout=20)
    message = str(info.value)
    assert message.startswith("/echo: "), message
    if proxied.transport == "fast":
        status = "200" if fault == "non_sse" else "500"
        kind = "'text/html'" if fault == "non_sse" else "'text/plain'"
        assert f"HTTP {status}, content type {kind}" in message
        assert ("<html><body>Welcome" if fault == "non_sse" else "Internal Server Error") in message
    assert_fault_recorded(job, info.value)
    assert proxy.stream_requests <= REOPEN_LIMIT + 1


def test_stream_cut_mid_job_says_after_how_many_outputs(proxy, proxied):
    """Item 14.3: a stream closed once after the first output fails the job with how
    many outputs it got (Gradio cancels a session's events when its stream drops, so
    there is nothing to resume); never silently, never as cancelled."""
    proxy.fault = "cut_once"
    job = proxied.submit(10, api_name="/count")
    with pytest.raises(JobStreamError) as info:
        job.result(timeout=20)
    assert re.search(r"after 1 output\(s\) of the job", str(info.value)), info.value
    assert len(job.outputs()) == 1
    assert_fault_recorded(job, info.value)
    # The client goes on: the next job opens a new stream and succeeds.
    assert proxied.predict("again", api_name="/echo") == "again"


def test_garbled_message_fails_only_its_own_job(proxy):
    """Issue 9, build 4: a message the client cannot read fails only the job it names,
    quoting it (cut short); the other job on the same client goes on."""
    client = GradioClient(proxy.url)
    try:
        proxy.fault = "garble_once"
        first = client.submit(6, api_name="/count")
        first.timeline.wait_for(lambda events: len(events) > 1, timeout=10)
        second = client.submit(6, api_name="/count")
        concurrent.futures.wait([first, second], timeout=20)
        failed = [job for job in (first, second) if job.exception(timeout=0) is not None]
        assert len(failed) == 1, [first.timeline, second.timeline]
        error = failed[0].exception(timeout=0)
        assert isinstance(error, JobStreamError)
        assert "the server sent a message the client cannot read" in str(error)
        assert "process_generating" in str(error)  # the message is quoted
        assert_fault_recorded(failed[0], error)
        other = second if failed[0] is first else first
        assert len(other.outputs()) == 6
    finally:
        client.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_server_stopping_mid_job_is_one_clear_error(gradio_launch, transport):
    """Issue 9, item 8 / issue 14, item 4: the server closed while a job runs ends it
    with JobStreamError on both transports (stock alone: KeyError or CancelledError),
    and the timeline says what the exception says.

    And the server thread has ended when the app's close() returns: uvicorn cancels
    the request still streaming after a 1 s grace. gradio's own close() waits 5 s for
    the thread and then leaves it running, with the app, as long as the request lasts
    (here 60 s)."""

    def slow():
        import time

        for i in range(600):
            time.sleep(0.1)
            yield str(i)

    with gr.Blocks() as demo:
        out = gr.Textbox()
        gr.Button().click(slow, None, out, api_name="slow")
    app = gradio_launch(demo)
    client = GradioClient(app.url, transport=transport)

    def close() -> None:
        app.close()
        assert not demo.server.thread.is_alive()

    try:
        stop_mid_job(client.submit(api_name="/slow"), close, first_output_within=10)
    finally:
        client.close()


@pytest.mark.timeout(0)  # no pytest-timeout: the job timeout alone must bound the wait
@pytest.mark.gradio_app("apps/fidelity_faults.py", job_timeout=1)
@pytest.mark.parametrize("call", ["predict", "result", "iterate"])
def test_job_timeout_bounds_every_wait(gradio_client, call):
    """Item 14.5: predict(), result() and iterating a job of a plugin client end after
    job_timeout, with the timeline, on an app that does not answer in time (here it
    sleeps 6 s), even without pytest-timeout."""
    waits = {
        "predict": lambda: gradio_client.predict(6, api_name="/sleep"),
        "result": lambda: gradio_client.submit(6, api_name="/sleep").result(),
        "iterate": lambda: list(gradio_client.submit(6, api_name="/sleep")),
    }
    with pytest.raises(JobTimeoutError, match=r"/sleep did not finish within"):
        waits[call]()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_server_killed_mid_job_is_not_a_cancel(gradio_launch, transport):
    """Item 14.4: the app's process SIGKILLed mid-job: JobStreamError on both
    transports (the stock transport used to record CANCELLED, CancelledError)."""
    app = gradio_launch("apps/fidelity_faults.py", mode="subprocess")
    client = GradioClient(app.url, transport=transport)
    try:
        stop_mid_job(
            client.submit(100, api_name="/count"),
            lambda: os.kill(app.pid, signal.SIGKILL),
            first_output_within=20,
        )
    finally:
        client.close()


@pytest.mark.timeout(0)  # no pytest-timeout: the job timeout alone must bound the wait
def test_job_timeout_bounds_predict_on_a_frozen_app(gradio_launch):
    """Item 14.5, as reported: a SIGSTOPped app, job_timeout=2, no pytest-timeout:
    predict() ends with JobTimeoutError instead of waiting forever."""
    app = gradio_launch("apps/fidelity_faults.py", mode="subprocess", job_timeout=2)
    client = app.client()
    os.kill(app.pid, signal.SIGSTOP)
    try:
        with pytest.raises(JobTimeoutError, match=r"/echo did not finish within 2\.0 s"):
            client.predict("x", api_name="/echo")
    finally:
        os.kill(app.pid, signal.SIGCONT)
        client.close()
