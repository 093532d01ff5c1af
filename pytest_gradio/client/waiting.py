"""Waiting for a job: bounded by a timeout, by the job timeout, and never past the
test's pytest-timeout deadline; a wait that runs out raises `JobTimeoutError` with the
job's timeline. Used by `RecordedJob.result()`, the assertion helpers and snapshots."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from typing import Any

from .. import deadlines
from ..errors import JobTimeoutError
from ..options import DEFAULT_JOB_TIMEOUT
from ..timeline import Timeline, format_timeline

# The monotonic time by which a helper must have given up, so that its readable
# failure wins the race against pytest-timeout's thread dump. The default reads the
# deadline the plugin records while a test runs under pytest-timeout (`deadlines`);
# assign another callable to bound the helpers some other way.
deadline: Callable[[], float | None] = deadlines.current


def job_timeline(job: Any) -> Timeline | None:
    return getattr(job, "timeline", None)


def explain(title: str, job: Any, *lines: str) -> str:
    parts = [title, *("  " + line for line in lines)]
    timeline = job_timeline(job)
    if timeline is not None:
        parts.append(format_timeline(timeline))
    return "\n".join(parts)


def wait_for_job(job: Any, timeout: float | None = None, *, helper: str = "wait_for_job") -> None:
    """Wait until `job` ends, at most `timeout` s (else the job timeout), and never past
    the test's pytest-timeout deadline. Raises JobTimeoutError with the timeline."""
    __tracebackhide__ = True  # the error is about the job, not about this frame
    bound = timeout
    if bound is None:
        bound = getattr(job, "job_timeout", None) or DEFAULT_JOB_TIMEOUT
    limit = deadline()
    cut_by_deadline = False
    if limit is not None:
        left = limit - time.monotonic()
        if left < bound:
            bound, cut_by_deadline = max(0.0, left), True
    future = getattr(job, "future", job)
    done, _ = concurrent.futures.wait([future], timeout=bound)
    if done:
        return
    why = (
        deadlines.explain()
        if cut_by_deadline
        else "pass timeout=..., or raise job_timeout / --gradio-job-timeout"
    )
    timeline = job_timeline(job)
    endpoint = timeline.endpoint if timeline is not None else "the job"
    raise JobTimeoutError(
        explain(
            # The bound, not the time measured: a busy machine wakes the wait late,
            # and the message names the figure the user set (or the deadline left).
            f"{helper}: {endpoint} did not finish within {bound:.1f} s ({why}).",
            job,
        )
    )
