"""A page job's result is what the API job gives for the same app and input: the
value, or the error raised (issue 22 item 8). The stock client is the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client

from .ticks import ticks, until

pytestmark = pytest.mark.gradio_app(str(Path(__file__).parent / "apps" / "browser_results.py"))


def _outcome(job, timeout: float = 30) -> tuple[str, str]:
    """What `result()` does: ("value", repr) or ("raises", type: message)."""
    try:
        return ("value", repr(job.result(timeout=timeout)))
    except BaseException as exc:  # noqa: BLE001 (CancelledError is a BaseException)
        return ("raises", f"{type(exc).__name__}: {exc}")


def test_a_generator_cancelled_by_another_event_is_cancelled(gradio_page, gradio_client, tmp_path):
    """`gr.Button("Stop").click(None, cancels=[start])`: the page job ends CANCELLED
    and result() raises CancelledError, as the API job cancelled with cancel()."""
    api_ticks = tmp_path / "api"
    api_job = gradio_client.submit(str(api_ticks), api_name="/tick")
    until(gradio_page, lambda: ticks(api_ticks) >= 3)
    api_job.cancel()

    page_ticks = tmp_path / "page"
    gradio_page.component("Ticks file").set(str(page_ticks))
    with gradio_page.expect_job() as info:
        gradio_page.component("Start").click()
    page_job = info.value
    until(gradio_page, lambda: ticks(page_ticks) >= 3)
    gradio_page.component("Stop").click()

    assert _outcome(page_job) == _outcome(api_job) == ("raises", "CancelledError: ")
    assert page_job.timeline.statuses()[-1] == api_job.timeline.statuses()[-1] == "CANCELLED"
    assert page_job.status().code == api_job.status().code
    assert page_job.done()
    assert page_job.status().success is False
    assert gradio_page.wait_idle()  # a cancelled job is not pending
    # The server stopped the generator (at most one step more).
    at_cancel = ticks(page_ticks)
    gradio_page.wait_for_timeout(300)
    assert ticks(page_ticks) <= at_cancel + 1


def test_an_output_the_client_cannot_download_raises_as_for_the_api_job(
    gradio_app, gradio_page, tmp_path
):
    """A Gallery of a URL that the client's download is refused (loopback, the app's
    own server): the stock job's result() raises HTTPStatusError; so does the page's,
    which never returns a list holding the exception."""
    missing = gradio_app.url.rstrip("/") + "/missing.png"
    stock = Client(gradio_app.url, verbose=False, download_files=str(tmp_path / "stock"))
    try:
        stock_job = stock.submit(missing, api_name="/pictures")
        expected = _outcome(stock_job)
        stock_status = stock_job.status()
        stock_outputs = stock_job.outputs()
    finally:
        stock.close()
    assert expected[0] == "raises"
    assert expected[1].startswith("HTTPStatusError: ")

    gradio_page.component("Picture URL").set(missing)
    with gradio_page.expect_job() as info:
        gradio_page.component("Show").click()
    page_job = info.value
    assert _outcome(page_job) == expected
    with pytest.raises(type(stock_job.exception())):
        page_job.result()
    assert page_job.outputs() == stock_outputs == []
    assert (page_job.status().code, page_job.status().success) == (
        stock_status.code,
        stock_status.success,
    )
    # The server finished the job: its timeline says so, as the API job's does.
    assert page_job.timeline.statuses()[-1] == "FINISHED"
