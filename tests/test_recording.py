"""GradioClient, RecordedJob and Timeline against a real in-process Gradio app."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.client import Job
from gradio_client.exceptions import AppError
from gradio_client.utils import OutputUpdate, Status, StatusUpdate

from pytest_gradio import GradioClient, ProgressStep, RecordedJob, Timeline
from pytest_gradio.client.protocol import QueueReader, Routes
from pytest_gradio.timeline import Fact

pytestmark = pytest.mark.gradio_app("apps/basic.py")


def wait_until_processing(job: RecordedJob) -> None:
    """Block until the server reports the job started (no polling: timeline.wait_for)."""
    started = job.timeline.wait_for(
        lambda events: any(e.status is Status.PROCESSING for e in events), timeout=10
    )
    assert started, job.timeline


def keys_anywhere(value: object) -> set[str]:
    """Every dict key in a nested structure of dicts and lists."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


# --- statuses, outputs, progress, logs --------------------------------------------------


def test_statuses_of_plain_endpoint(gradio_client):
    """A plain function goes STARTING > IN_QUEUE > PROCESSING > FINISHED."""
    job = gradio_client.submit(1, 2, api_name="/add")
    job.result(timeout=10)
    assert job.timeline.statuses() == ["STARTING", "IN_QUEUE", "PROCESSING", "FINISHED"]


def test_statuses_of_generator_collapse_repeats(gradio_client):
    """A generator's ITERATING events appear once in statuses(), repeats collapsed."""
    job = gradio_client.submit(3, api_name="/count")
    job.result(timeout=10)
    codes = [event.code for event in job.timeline.events]
    assert codes.count("ITERATING") == 3
    assert job.timeline.statuses() == [
        "STARTING",
        "IN_QUEUE",
        "PROCESSING",
        "ITERATING",
        "FINISHED",
    ]


def test_outputs_equal_stock_job_outputs(gradio_client):
    """timeline.outputs() and the output events' values equal stock job.outputs()."""
    job = gradio_client.submit(4, api_name="/count")
    job.result(timeout=10)
    timeline = job.timeline
    values = [timeline.value(e) for e in timeline.events if e.kind == "output"]
    assert job.outputs() == ["0", "1", "2", "3"]
    assert timeline.outputs() == job.outputs()
    assert values == job.outputs()


def test_outputs_of_plain_endpoint(gradio_client):
    """A plain function's single result is its only output, as in job.outputs()."""
    job = gradio_client.submit(1, 2, api_name="/add")
    job.result(timeout=10)
    assert job.timeline.outputs() == job.outputs() == [3]


def test_progress_steps(gradio_client):
    """progress() gives ProgressSteps with index, length, desc and fraction."""
    job = gradio_client.submit(3, api_name="/stepper")
    job.result(timeout=10)
    steps = job.timeline.progress()
    assert steps, job.timeline
    assert all(isinstance(step, ProgressStep) for step in steps)
    assert {(s.length, s.desc) for s in steps} == {(3, "working")}
    indices = [s.index for s in steps]
    assert indices == sorted(set(indices))
    assert set(indices) <= {0, 1, 2}
    assert [s.fraction for s in steps] == [pytest.approx(i / 3) for i in indices]


def test_progress_step_fraction_prefers_progress():
    """fraction is `progress` when given, else index/length, else None."""
    assert ProgressStep(index=1, length=4).fraction == 0.25
    assert ProgressStep(index=1, length=4, progress=0.9).fraction == 0.9
    assert ProgressStep(index=3).fraction is None


def test_logs_are_message_and_lowercase_level(gradio_client):
    """gr.Info / gr.Warning arrive as (message, level) with lowercase levels."""
    job = gradio_client.submit(3, api_name="/stepper")
    job.result(timeout=10)
    assert job.timeline.logs() == [("starting", "info"), ("that was many steps", "warning")]


# --- times ------------------------------------------------------------------------------


def test_event_times_non_decreasing_within_duration(gradio_client):
    """Event times start at 0, never go back, and end at the job's duration."""
    submitted = time.perf_counter()
    job = gradio_client.submit(5, api_name="/count")
    job.result(timeout=10)
    elapsed = time.perf_counter() - submitted
    times = [event.time for event in job.timeline.events]
    assert times[0] == 0.0
    assert times == sorted(times)
    assert times[-1] == job.timeline.duration
    assert job.timeline.duration <= elapsed


def test_duration_and_queue_wait_are_floats(gradio_client):
    """duration and queue_wait of a finished job are floats, 0 <= queue_wait <= duration."""
    job = gradio_client.submit(1, 2, api_name="/add")
    job.result(timeout=10)
    timeline = job.timeline
    assert isinstance(timeline.duration, float)
    assert isinstance(timeline.queue_wait, float)
    assert 0.0 <= timeline.queue_wait <= timeline.duration < 30


def test_duration_none_while_running(gradio_client):
    """A running job has a queue_wait but no duration and no final event yet."""
    job = gradio_client.submit(5, api_name="/slow")
    wait_until_processing(job)
    assert job.timeline.duration is None
    assert job.timeline.final is None
    assert isinstance(job.timeline.queue_wait, float)
    job.cancel()


def test_fresh_timeline_is_none_safe():
    """A timeline with no server message yet has no duration, queue_wait or final."""
    timeline = Timeline("/add", (1, 2))
    assert timeline.statuses() == ["STARTING"]
    assert timeline.duration is None
    assert timeline.queue_wait is None
    assert timeline.final is None
    assert timeline.outputs() == []


def test_a_timeline_takes_facts_from_any_source():
    """Timeline.record is the one way in: a source that is not Gradio's queue (an MCP
    tool call, say) records facts, and its timeline reads as a queue job's does."""
    timeline = Timeline("add_numbers", (), {"a": 1, "b": 2})
    step = ProgressStep(index=1, length=4, desc="adding")
    timeline.record(Fact(Status.PROCESSING))
    timeline.record(Fact(Status.PROGRESS, progress=(step,)))
    timeline.record(Fact(Status.LOG, log=("half way", "info")))
    end = timeline.record(Fact(Status.FINISHED, success=True, data=[3]))
    assert timeline.statuses() == ["STARTING", "PROCESSING", "PROGRESS", "LOG", "FINISHED"]
    assert timeline.progress() == [step]
    assert timeline.logs() == [("half way", "info")]
    assert timeline.final is end
    assert end is not None
    assert end.success
    assert timeline.value(end) == [3]
    assert timeline.error is None
    assert 0 <= timeline.queue_wait <= timeline.duration  # type: ignore[operator]
    assert "progress 1/4 'adding'" in str(timeline)
    # After the end, nothing more is recorded.
    assert timeline.record(Fact(Status.LOG, log=("late", "info"))) is None
    assert timeline.statuses()[-1] == "FINISHED"


def test_a_failed_fact_ends_the_timeline_with_its_error():
    timeline = Timeline("divide")
    timeline.record(Fact(Status.FINISHED, success=False, error="division by zero"))
    assert timeline.error == "division by zero"
    assert timeline.final is not None
    assert timeline.final.output_index is None


def test_queue_reader_reads_generator_diffs_once():
    """QueueReader turns one job's queue messages into facts on its timeline: ranks,
    statuses, and generator outputs with the protocol's diffs applied."""
    timeline = Timeline("/stream")
    reader = QueueReader(timeline, protocol="sse_v3")
    messages = [
        {"msg": "estimation", "rank": 0, "queue_size": 1, "rank_eta": 0.5},
        {"msg": "process_starts"},
        {"msg": "process_generating", "output": {"data": ["a"]}, "success": True},
        {"msg": "process_streaming", "output": {"data": [[["append", [], "b"]]]}},
        {"msg": "unexpected_error", "message": "recorded from the job's error instead"},
        {"msg": "process_completed", "output": {"data": ["ab"]}, "success": True},
    ]
    facts = [reader.record(msg, time.perf_counter()) for msg in messages]
    assert [f.status.name if f else None for f in facts] == [
        "IN_QUEUE",
        "PROCESSING",
        "ITERATING",
        "ITERATING",
        None,
        "FINISHED",
    ]
    assert timeline.statuses() == ["STARTING", "IN_QUEUE", "PROCESSING", "ITERATING", "FINISHED"]
    assert timeline.outputs() == [["a"], ["ab"]]
    assert timeline.events[1].rank == 0
    assert timeline.events[1].eta == 0.5
    # A job that was not a generator: its final value is its one output.
    single = Timeline("/add")
    QueueReader(single).record(
        {"msg": "process_completed", "output": {"data": [3]}, "success": True}, 0.0
    )
    assert single.final is not None
    assert single.final.output_index == 0


def test_queue_reader_on_a_diff_it_cannot_apply():
    """Strict (the fast transport) raises as gradio_client does; a recorder keeps the
    raw value and goes on."""
    first = {"msg": "process_generating", "output": {"data": ["a"]}}
    bad = {"msg": "process_generating", "output": {"data": [[["bogus", [], 1]]]}}
    strict = QueueReader(Timeline("/s"), protocol="sse_v3", strict=True)
    strict.read(first)
    with pytest.raises(ValueError, match="bogus"):
        strict.read(bad)
    lenient = QueueReader(Timeline("/s"), protocol="sse_v3")
    lenient.read(first)
    fact = lenient.read(bad)
    assert fact is not None
    assert fact.data == [[["bogus", [], 1]]]


def test_routes_hold_what_comes_before_the_job_knows_its_id():
    routes: Routes[int] = Routes()
    routes.deliver("e1", 1)
    routes.deliver("e1", 2, final=True)
    routes.deliver("e1", 3)
    got: list[int] = []
    routes.bind("e1", got.append)
    assert got == [1, 2]  # in order, and nothing after the final one
    later: list[int] = []
    routes.bind("e2", later.append)
    routes.deliver("e2", 4)
    routes.unbind("e2")
    routes.deliver("e2", 5)
    assert later == [4]


# --- to_dict and str --------------------------------------------------------------------


def test_to_dict_is_plain_data_without_times(gradio_client):
    """to_dict() is JSON-able and has no times, etas, ranks or event ids."""
    job = gradio_client.submit(3, api_name="/count")
    job.result(timeout=10)
    data = job.timeline.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["endpoint"] == "/count"
    assert not keys_anywhere(data) & {"time", "eta", "rank", "queue_size", "event_id"}
    assert data["outputs"] == ["0", "1", "2"]
    assert data["statuses"] == ["STARTING", "IN_QUEUE", "PROCESSING", "ITERATING", "FINISHED"]


@pytest.mark.parametrize(("args", "api_name"), [((3,), "/count"), ((1, 2), "/add")])
def test_to_dict_equal_for_two_runs(gradio_client, args, api_name):
    """The same job run twice gives equal to_dict()."""
    first = gradio_client.submit(*args, api_name=api_name)
    first.result(timeout=10)
    second = gradio_client.submit(*args, api_name=api_name)
    second.result(timeout=10)
    assert first.timeline.to_dict() == second.timeline.to_dict()


def test_str_is_readable_table(gradio_client):
    """str(timeline) names the endpoint and shows one line per event with its status."""
    job = gradio_client.submit(2, api_name="/count")
    job.result(timeout=10)
    text = str(job.timeline)
    lines = text.splitlines()
    assert lines[0] == "timeline of /count(2):"
    assert len(lines) == len(job.timeline.events) + 1
    for line, event in zip(lines[1:], job.timeline.events, strict=True):
        assert event.code in line
    assert "output '1'" in text


# --- the client -------------------------------------------------------------------------


def test_client_is_a_stock_client(gradio_client):
    """The fixture's client is a GradioClient, a gradio_client.Client; jobs are Jobs."""
    job = gradio_client.submit(1, 2, api_name="/add")
    assert isinstance(gradio_client, GradioClient)
    assert isinstance(gradio_client, Client)
    assert isinstance(job, RecordedJob)
    assert isinstance(job, Job)
    job.result(timeout=10)


def test_client_jobs_in_submit_order(gradio_client):
    """client.jobs lists the submitted jobs in submit order."""
    assert gradio_client.jobs == []
    jobs = [
        gradio_client.submit(1, 2, api_name="/add"),
        gradio_client.submit(2, api_name="/count"),
        gradio_client.submit(3, 4, api_name="/add"),
    ]
    assert [id(j) for j in gradio_client.jobs] == [id(j) for j in jobs]
    assert [j.timeline.endpoint for j in gradio_client.jobs] == ["/add", "/count", "/add"]
    for job in jobs:
        job.result(timeout=10)


def test_predict_records(gradio_client):
    """predict() returns the result and leaves a recorded job in client.jobs."""
    assert gradio_client.predict(2, 3, api_name="/add") == 5
    job = gradio_client.jobs[-1]
    assert isinstance(job, RecordedJob)
    assert job.timeline.endpoint == "/add"
    assert job.timeline.statuses()[-1] == "FINISHED"
    assert job.timeline.outputs() == [5]


# --- stock Job behaviour ----------------------------------------------------------------


def test_result_with_timeout(gradio_client):
    """job.result(timeout=...) returns the result."""
    assert gradio_client.submit(1, 2, api_name="/add").result(timeout=10) == 3


def test_result_times_out_like_stock(gradio_client):
    """job.result(timeout=...) on a slow job raises TimeoutError, as stock."""
    job = gradio_client.submit(5, api_name="/slow")
    with pytest.raises(TimeoutError):
        job.result(timeout=0.2)
    job.cancel()


def test_status_is_finished_at_end(gradio_client):
    """job.status() is a StatusUpdate with code FINISHED once the job is done."""
    job = gradio_client.submit(1, 2, api_name="/add")
    job.result(timeout=10)
    status = job.status()
    assert isinstance(status, StatusUpdate)
    assert status.code is Status.FINISHED
    assert status.success is True


def test_iteration_yields_streamed_outputs(gradio_client):
    """list(job) yields the generator's outputs, as stock."""
    job = gradio_client.submit(3, api_name="/count")
    assert list(job) == ["0", "1", "2"]


def test_async_iteration_yields_updates(gradio_client):
    """`async for update in job` yields output and status updates, as stock."""
    job = gradio_client.submit(3, api_name="/count")

    async def collect():
        return [update async for update in job]

    updates = asyncio.run(asyncio.wait_for(collect(), timeout=20))
    outputs = [u.outputs for u in updates if isinstance(u, OutputUpdate) and not u.final]
    codes = [u.code for u in updates if isinstance(u, StatusUpdate)]
    assert outputs == ["0", "1", "2"]
    assert any(isinstance(u, OutputUpdate) and u.final for u in updates)
    assert codes[-1] is Status.FINISHED


def test_cancel_running_job(gradio_client):
    """cancel() of a running job returns True; the job ends and the timeline says CANCELLED."""
    job = gradio_client.submit(5, api_name="/slow")
    wait_until_processing(job)
    assert job.cancel() is True
    done, _ = concurrent.futures.wait([job.future], timeout=10)
    assert done, job.timeline
    assert job.status().code is Status.CANCELLED
    assert "CANCELLED" in job.timeline.statuses()


def test_cancelled_timeline_ends_with_cancelled(gradio_client):
    """Once all messages are in, a cancelled job's timeline still ends with CANCELLED."""
    job = gradio_client.submit(5, api_name="/slow")
    wait_until_processing(job)
    job.cancel()
    # The server queues its closing message for the cancelled job during /cancel, so
    # it reaches this session's stream before anything of a job submitted afterwards.
    gradio_client.submit(1, 2, api_name="/add").result(timeout=10)
    assert job.timeline.statuses()[-1] == "CANCELLED"
    assert job.timeline.final.status is Status.CANCELLED


def test_gr_error_job(gradio_client):
    """A gr.Error raises AppError; the final event has success False and the error text."""
    job = gradio_client.submit("boom", api_name="/fail")
    with pytest.raises(AppError, match="boom"):
        job.result(timeout=10)
    final = job.timeline.events[-1]
    assert final.status is Status.FINISHED
    assert final.success is False
    assert final.error == "boom"
    assert job.timeline.error == "boom"


def test_crashing_job(gradio_client):
    """A crash ends the timeline with success False and the error (script's show_error)."""
    job = gradio_client.submit(1, api_name="/crash")
    with pytest.raises(AppError, match="division by zero"):
        job.result(timeout=10)
    final = job.timeline.final
    assert final is job.timeline.events[-1]
    assert final.success is False
    assert final.error == "division by zero"
    assert job.timeline.outputs() == []


def test_state_starts_empty(gradio_client):
    """gr.State accumulates within one client's session, starting empty."""
    assert gradio_client.predict("a", api_name="/remember") == "a"
    assert gradio_client.predict("b", api_name="/remember") == "a, b"


def test_state_starts_empty_again(gradio_client):
    """A later test's client starts with empty gr.State too (fresh session)."""
    assert gradio_client.predict("c", api_name="/remember") == "c"


def test_state_is_per_client(gradio_client, gradio_app):
    """A second client of the same app has its own gr.State."""
    other = gradio_app.client()
    try:
        assert gradio_client.predict("a", api_name="/remember") == "a"
        assert other.predict("x", api_name="/remember") == "x"
        assert gradio_client.predict("b", api_name="/remember") == "a, b"
    finally:
        other.close()


def test_file_output_is_downloaded_path(gradio_client):
    """A file output's timeline value is the local path the client downloaded."""
    job = gradio_client.submit("hello", api_name="/make_file")
    path = job.result(timeout=10)
    assert Path(path).read_text() == "hello"
    final = job.timeline.final
    assert job.timeline.value(final) == path
    assert job.timeline.outputs() == [path]
    # For snapshots, to_dict() describes the file by content, not by its temp path.
    described = job.timeline.to_dict()["outputs"][0]
    assert described["name"] == Path(path).name
    assert described["bytes"] == 5


def test_generator_outputs_none_lost(gradio_client):
    """A generator emitting N outputs gives exactly N output events, in order."""
    n = 25
    job = gradio_client.submit(n, api_name="/count")
    job.result(timeout=20)
    outputs = [e for e in job.timeline.events if e.kind == "output"]
    assert [e.output_index for e in outputs] == list(range(n))
    assert [e.data for e in outputs] == [[str(i)] for i in range(n)]
    assert [job.timeline.value(e) for e in outputs] == [str(i) for i in range(n)]


def test_fast_transport_emits_no_warnings(gradio_client):
    """A job over the fast transport warns nothing (suites run with -W error)."""
    import os
    import warnings

    import gradio

    if gradio_client.transport != "fast":
        pytest.skip("the stock transport is gradio_client's own code")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert gradio_client.predict(1, 2, api_name="/add") == 3
        job = gradio_client.submit(3, api_name="/count")
        assert list(job) == ["0", "1", "2"]
    # The server runs in this process: its own warnings (gradio 5.x-6.0 warns of a
    # starlette deprecation on every queue join) are gradio's, not the transport's.
    server = os.path.dirname(gradio.__file__) + os.sep
    ours = [w for w in caught if not w.filename.startswith(server)]
    assert not ours, [f"{w.category.__name__}: {w.message} ({w.filename})" for w in ours]


DOWNLOAD_IN_A_FRESH_PROCESS = """
import os, sys
from pytest_gradio import GradioClient

url, transport, downloads = sys.argv[1:]
client = GradioClient(url, transport=transport, download_files=downloads, token=False)
for text in ("one", "two"):
    path = client.predict(text, api_name="/make_file")
    with open(path) as f:
        assert f.read() == text
client.close()
"""


@pytest.mark.parametrize("transport", ["fast", "stock"])
def test_downloads_leave_nothing_in_the_system_temp_dir(gradio_app, tmp_path, transport):
    """gradio_client stages each downloaded file in a new directory of the system temp
    dir and leaves it there, empty; ours stage under the download directory and are
    removed (issue 14). A process of its own, with a temp dir of its own, so that
    nothing else writes there."""
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    downloads = tmp_path / "downloads"
    env = {**os.environ, "TMPDIR": str(system_temp), "GRADIO_ANALYTICS_ENABLED": "False"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            DOWNLOAD_IN_A_FRESH_PROCESS,
            gradio_app.url,
            transport,
            str(downloads),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in system_temp.iterdir()) == []
    # Two files downloaded, each in its content's directory; the staging is gone.
    assert len([p for p in downloads.rglob("*.txt")]) == 2
    assert [p.name for p in (downloads / ".staging").iterdir()] == []
