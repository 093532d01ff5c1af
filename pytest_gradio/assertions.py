"""Assertion helpers: wait for a job (bounded), check it, explain failures.

Every failure is an `AssertionError` whose message shows expected vs actual and
the job's timeline, so a test can be fixed from the message alone.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from gradio_client.utils import Status

from .client.recording import RecordedJob
from .client.waiting import explain, wait_for_job
from .matchers import matches
from .reporting import MAX_VALUE_CHARS, cut, expect_error
from .timeline import ProgressStep

SequenceMatch = Literal["exact", "prefix", "subsequence"]
_STATUS_NAMES = [s.name for s in Status]


def _outcome(job: Any) -> tuple[bool, Any]:
    """(True, result) or (False, exception) of an ended job."""
    future = getattr(job, "future", job)
    if future.cancelled():
        return False, concurrent.futures.CancelledError("the job was cancelled")
    exc = future.exception(0)
    if exc is not None:
        return False, exc
    return True, future.result(0)


def _describe_exception(exc: BaseException) -> str:
    text = str(exc) or "(no message)"
    return cut(f"{type(exc).__name__}: {text}")


def _show(value: Any) -> str:
    """repr(value), cut if long: a 1 MB output must not make a 2 MB report."""
    return cut(repr(value))


def _diff_reprs(expected: Any, actual: Any) -> tuple[str, str, int]:
    """The two reprs, each cut to a window around their first difference if long, and
    the index of that difference."""
    left, right = repr(expected), repr(actual)
    pairs = enumerate(zip(left, right, strict=False))
    first = next((i for i, (a, b) in pairs if a != b), min(len(left), len(right)))
    return cut(left, around=first), cut(right, around=first), first


def _expected_actual(expected: Any, actual: Any) -> list[str]:
    left, right, first = _diff_reprs(expected, actual)
    lines = [f"expected: {left}", f"actual:   {right}"]
    if max(len(repr(expected)), len(repr(actual))) > MAX_VALUE_CHARS:
        lines.append(f"first difference at character {first} of the reprs")
    return lines


def assert_job_result(job: RecordedJob, expected: Any, *, timeout: float | None = None) -> None:
    """The job finished without error and its result matches `expected`.

    >>> assert_job_result(gradio_client.submit(1, 2, api_name="/add"), 3)
    """
    __tracebackhide__ = True  # the message says it all; the helper's code does not help
    wait_for_job(job, timeout, helper="assert_job_result")
    ok, value = _outcome(job)
    if not ok:
        raise AssertionError(
            explain(
                "assert_job_result: the job raised instead of returning a result.",
                job,
                f"expected: {_show(expected)}",
                f"raised:   {_describe_exception(value)}",
            )
        )
    if not matches(expected, value):
        raise AssertionError(
            explain(
                "assert_job_result: the result differs.",
                job,
                *_expected_actual(expected, value),
                *_file_mismatch(expected),
            )
        )


def _file_mismatch(expected: Any) -> list[str]:
    why = getattr(expected, "mismatch", None)
    return [f"why:      {why}"] if isinstance(why, str) else []


def _compare_sequence(
    expected: Sequence[Any],
    actual: Sequence[Any],
    match: str,
    equal: Callable[[Any, Any], bool],
) -> str | None:
    """None if `actual` fits `expected` under `match`, else what is wrong."""
    if match == "subsequence":
        position = 0
        for i, item in enumerate(expected):
            while position < len(actual) and not equal(item, actual[position]):
                position += 1
            if position == len(actual):
                return (
                    f"expected item {i} ({_show(item)}) not found in order after the earlier ones"
                )
            position += 1
        return None
    for i, item in enumerate(expected):
        if i >= len(actual):
            return f"actual has {len(actual)} items, expected at least {len(expected)}"
        if not equal(item, actual[i]):
            left, right, _ = _diff_reprs(item, actual[i])
            return f"item {i} differs: expected {left}, actual {right}"
    if match == "exact" and len(actual) != len(expected):
        extra = actual[len(expected) :]
        return f"actual has {len(actual) - len(expected)} more items: {_short_list(extra)}"
    return None


def _check_match(helper: str, match: str, allowed: Sequence[str]) -> None:
    # Checked before waiting: a typo must not cost a job timeout first.
    if match not in allowed:
        choices = ", ".join(repr(m) for m in allowed)
        raise ValueError(f"{helper}: match={match!r} is not one of {choices}.")


def _short_list(items: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(_show(x) for x in items[:limit])
    return f"[{shown}{', ...' if len(items) > limit else ''}]"


def assert_job_outputs(
    job: RecordedJob,
    expected: Sequence[Any],
    *,
    match: SequenceMatch = "exact",
    timeout: float | None = None,
) -> None:
    """The job's streamed outputs (`job.outputs()`, in order) match `expected`.

    `match="exact"`: the same outputs; `"prefix"`: the outputs start with `expected`;
    `"subsequence"`: `expected` appears in order, other outputs may come between.

    >>> assert_job_outputs(job, ["Hel", "Hello", "Hello!"])
    """
    __tracebackhide__ = True  # the message says it all; the helper's code does not help
    _check_match("assert_job_outputs", match, ("exact", "prefix", "subsequence"))
    wait_for_job(job, timeout, helper="assert_job_outputs")
    actual = list(job.outputs())
    problem = _compare_sequence(list(expected), actual, match, matches)
    if problem is not None:
        ok, value = _outcome(job)
        raised = [] if ok else [f"note:     the job raised {_describe_exception(value)}"]
        raise AssertionError(
            explain(
                f"assert_job_outputs (match={match!r}): {problem}.",
                job,
                *_expected_actual(list(expected), actual),
                *raised,
            )
        )


def _status_name(item: Any) -> str:
    if isinstance(item, Status):
        return str(item.name)
    if isinstance(item, str) and item.upper() in _STATUS_NAMES:
        return item.upper()
    raise ValueError(
        f"assert_job_statuses: {item!r} is not a status; use a gradio_client Status "
        f"or one of {', '.join(_STATUS_NAMES)}."
    )


def assert_job_statuses(
    job: RecordedJob,
    expected: Sequence[str | Status],
    *,
    match: Literal["exact", "subsequence"] = "subsequence",
    timeout: float | None = None,
) -> None:
    """The job went through `expected` statuses in order (`timeline.statuses()`).

    By default other statuses may come between (`match="subsequence"`);
    `match="exact"` wants exactly these, consecutive repeats collapsed.

    >>> assert_job_statuses(job, ["IN_QUEUE", "PROCESSING", "FINISHED"])
    """
    __tracebackhide__ = True  # the message says it all; the helper's code does not help
    wanted = [_status_name(item) for item in expected]
    _check_match("assert_job_statuses", match, ("exact", "subsequence"))
    wait_for_job(job, timeout, helper="assert_job_statuses")
    actual = job.timeline.statuses()
    problem = _compare_sequence(wanted, actual, match, lambda e, a: e == a)
    if problem is not None:
        raise AssertionError(
            explain(
                f"assert_job_statuses (match={match!r}): {problem}.",
                job,
                f"expected: {' > '.join(wanted)}",
                f"actual:   {' > '.join(actual)}",
            )
        )


ProgressExpectation = Any  # (index, length) | float | str | Mapping[str, Any]


_PROGRESS_FIELDS = ("desc", "fraction", "index", "length", "progress", "unit")


def _check_progress_expectation(expected: ProgressExpectation) -> None:
    if isinstance(expected, Mapping):
        unknown = sorted(set(expected) - set(_PROGRESS_FIELDS))
        if unknown:
            raise ValueError(
                f"assert_job_progress: unknown progress field(s) {unknown} in {expected!r}; "
                f"use {list(_PROGRESS_FIELDS)}."
            )
    elif isinstance(expected, tuple) and len(expected) != 2:
        raise ValueError(
            f"assert_job_progress: step {expected!r} is a tuple of {len(expected)}; "
            "write steps as (index, length)."
        )


def _progress_matches(expected: ProgressExpectation, step: ProgressStep) -> bool:
    if isinstance(expected, tuple) and len(expected) == 2:
        return matches(expected[0], step.index) and matches(expected[1], step.length)
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return step.fraction is not None and abs(step.fraction - float(expected)) < 1e-9
    if isinstance(expected, Mapping):
        fields = {**step.as_dict(), "fraction": step.fraction}
        return all(matches(v, fields[k]) for k, v in expected.items())
    if isinstance(expected, str) or hasattr(expected, "pattern"):
        return matches(expected, step.desc)
    # A matcher such as pytest.approx: compare with the fraction.
    return matches(expected, step.fraction)


def assert_job_progress(
    job: RecordedJob,
    expected: Sequence[ProgressExpectation],
    *,
    match: Literal["sampled", "exact"] = "sampled",
    min_seen: int = 1,
    timeout: float | None = None,
) -> None:
    """The progress updates that arrived fit the steps the app reports, in order.

    Each expected step is an `(index, length)` tuple, a fraction (float), a desc
    string (or Regex), or a dict of fields (index, length, unit, progress, desc,
    fraction). Only the outermost progress bar of each update is checked.

    Why "sampled" is the default: Gradio's server does not send every progress call.
    A background task wakes every ~10 ms and sends only the latest one; calls in
    between are overwritten, and a call made just before the function returns may
    never be sent. So what arrives is an ordered sample of what the app reported.
    `match="sampled"` passes when every update that arrived matches an expected step,
    the steps are met in order (an update may repeat the current step), and at least
    `min_seen` updates arrived. It never flakes on timing. `match="exact"` wants
    every expected step to arrive, in order, and nothing else; use it only when the
    app spaces its progress calls well apart (tens of ms), and expect flakes on a
    loaded machine.

    >>> assert_job_progress(job, [(0, 3), (1, 3), (2, 3)])
    """
    __tracebackhide__ = True  # the message says it all; the helper's code does not help
    _check_match("assert_job_progress", match, ("sampled", "exact"))
    want = list(expected)
    for step in want:
        _check_progress_expectation(step)
    wait_for_job(job, timeout, helper="assert_job_progress")
    steps = job.timeline.progress()
    problem: str | None = None
    if match == "exact":
        problem = _compare_sequence(want, steps, "exact", _progress_matches)
    else:
        position = 0
        for i, step in enumerate(steps):
            while position < len(want) and not _progress_matches(want[position], step):
                position += 1
            if position == len(want):
                problem = (
                    f"progress update {i} ({step}) matches no expected step at or after "
                    "the ones already met"
                )
                break
        if problem is None and len(steps) < min_seen:
            problem = f"{len(steps)} progress update(s) arrived, at least {min_seen} expected"
    if problem is not None:
        raise AssertionError(
            explain(
                f"assert_job_progress (match={match!r}): {problem}.",
                job,
                f"expected: {_show(want)}",
                f"arrived:  {cut('[' + ', '.join(str(s) for s in steps) + ']')}",
            )
        )


def assert_job_error(
    job: RecordedJob, match: str | None = None, *, timeout: float | None = None
) -> BaseException:
    """The job ended with an error raised by the app (gr.Error or any exception);
    `match`, if given, is a regex searched in the error message. Returns the error.

    >>> assert_job_error(job, match="divide by zero")
    """
    __tracebackhide__ = True  # the message says it all; the helper's code does not help
    import re

    wait_for_job(job, timeout, helper="assert_job_error")
    ok, value = _outcome(job)
    if ok:
        raise AssertionError(
            explain(
                "assert_job_error: the job did not raise.",
                job,
                f"expected: an error{f' matching {match!r}' if match else ''}",
                f"returned: {_show(value)}",
            )
        )
    message = str(value)
    if match is not None and not re.search(match, message):
        raise AssertionError(
            explain(
                "assert_job_error: the error message does not match.",
                job,
                f"pattern: {match!r}",
                f"error:   {_describe_exception(value)}",
            )
        )
    # The summary and the report count this job's error apart: the test asked for it.
    expect_error(job)
    return value  # type: ignore[no-any-return]


LogExpectation = Any  # str | Regex | (message, level)


def _log_matches(expected: LogExpectation, actual: tuple[str, str]) -> bool:
    message, level = actual
    if isinstance(expected, (tuple, list)) and len(expected) == 2:
        exp_message, exp_level = expected
        level_ok = (
            exp_level.lower() == level.lower()
            if isinstance(exp_level, str)
            else matches(exp_level, level)
        )
        return level_ok and matches(exp_message, message)
    return matches(expected, message)


def assert_job_logs(
    job: RecordedJob,
    expected: Sequence[LogExpectation],
    *,
    match: SequenceMatch = "exact",
    timeout: float | None = None,
) -> None:
    """The job's gr.Info / gr.Warning messages match `expected`, in order.

    Each item is a message (str or Regex; any level) or a `(message, level)` tuple,
    level "info", "warning" or "success" (case-insensitive).

    >>> assert_job_logs(job, ["Started", ("Large input", "warning")])
    """
    __tracebackhide__ = True  # the message says it all; the helper's code does not help
    _check_match("assert_job_logs", match, ("exact", "prefix", "subsequence"))
    wait_for_job(job, timeout, helper="assert_job_logs")
    actual = job.timeline.logs()
    problem = _compare_sequence(list(expected), actual, match, _log_matches)
    if problem is not None:
        raise AssertionError(
            explain(
                f"assert_job_logs (match={match!r}): {problem}.",
                job,
                *_expected_actual(list(expected), actual),
            )
        )
