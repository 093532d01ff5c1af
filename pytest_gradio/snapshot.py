"""Snapshots of jobs, timelines, results and an app's API, with syrupy.

`GradioSnapshotExtension` is syrupy's amber extension with one step in front: the
asserted value is first turned into plain, normalized data, so that the same app
gives byte-identical snapshot files on every run, on every machine, under xdist.

What the normalization keeps and drops, and why:

- A `RecordedJob` is waited for (bounded, like the assertion helpers) and written
  as `Job({endpoint, statuses, outputs, progress, logs, result, error})`; a
  `Timeline` the same way without `result`. Times, etas, ranks, queue sizes and
  event ids are dropped: they differ on every run.
- `statuses`: the status codes in order, with PROGRESS and LOG left out and
  consecutive repeats collapsed. Why: progress reaches the client only as a sample
  (the server sends the latest progress every ~10 ms and drops the ones between),
  so how many PROGRESS updates arrive, and where they fall between logs and
  outputs, changes from run to run; the server's repeated queue estimations are
  one IN_QUEUE. Heartbeats are never recorded.
- `outputs`: every streamed output, in order, as the client returns them. The
  server does not coalesce outputs, so this is deterministic.
- `progress`: each distinct progress bar, in the order it first appeared, as its
  `desc`, `length` and `unit` (inner bars of nested progress also carry `level`).
  The index and fraction of each update are dropped: which ones arrive is a sample.
  A bar shown for less than the server's ~10 ms interval may not appear at all.
- `logs`: every gr.Info / gr.Warning / gr.Success message with its level, in order
  (logs are sent at once, never coalesced).
- Values (results, outputs, defaults): a string that is the absolute path of an
  existing file, or a gradio FileData dict, becomes `File({name, bytes, sha256})`
  (images also `width` and `height`): the file's base name, not its directory,
  which is a temporary one. Other strings have temporary directories replaced by
  `<tmp>` and the port of loopback URLs by `<port>`. Floats are rounded to
  `float_digits` (12) significant digits, then written as Python's shortest repr,
  so 0.1 + 0.2 is written 0.3 and float noise from another CPU does not show.
  Dicts are written with sorted keys (amber's rule); lists and tuples keep order.

syrupy's `exclude`, `include` and `matcher` apply to the normalized data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from syrupy.extensions.amber import AmberSnapshotExtension

from .client.recording import RecordedJob
from .client.waiting import wait_for_job
from .normalize import (
    FLOAT_DIGITS,
    ApiRecord,
    EndpointRecord,
    JobRecord,
    Normalizer,
    ParameterRecord,
    Record,
    ReturnRecord,
    describe_exception,
    round_float,
    timeline_fields,
    timeline_record,
)
from .timeline import Timeline

if TYPE_CHECKING:
    from syrupy.types import SerializableData, SerializedData

_AUTO_LABEL = re.compile(r"^(?:value|parameter)_\d+$")
# Under syrupy's "Snapshot 'test_x' does not exist!": on a suite's first run every
# snapshot is missing, and syrupy's own summary ("2 snapshots failed.") says nothing
# of how to write them.
MISSING_HINT = (
    "Run `pytest --snapshot-update` once to write it (a new snapshot test has none "
    "yet), then review the new __snapshots__/ file and commit it."
)
__all__ = ["GradioSnapshotExtension", "api_contract", "normalize", "round_float"]


def normalize(value: Any, *, float_digits: int = FLOAT_DIGITS, hash_files: bool = True) -> Any:
    """`value` as the snapshot extension writes it: files as name, size and sha256,
    temporary directories and loopback ports masked, floats rounded; a RecordedJob
    or Timeline as its record (recorded so far: this does not wait).

    >>> normalize({"total": 0.1 + 0.2})
    {'total': 0.3}
    """
    normalizer = Normalizer(float_digits=float_digits, hash_files=hash_files)
    if isinstance(value, RecordedJob):
        return _job_record(value, normalizer)
    if isinstance(value, Timeline):
        return timeline_record(value, normalizer)
    return normalizer.value(value)


def _job_record(job: RecordedJob, normalizer: Normalizer) -> Record:
    result: Any = None
    error: str | None = None
    future = job.future
    if future.done():
        if future.cancelled():
            error = "CancelledError: the job was cancelled"
        elif future.exception(0) is not None:
            error = normalizer.scrub(describe_exception(future.exception(0)))
        else:
            result = normalizer.value(future.result(0))
    return JobRecord(
        [
            *timeline_fields(job.timeline, normalizer),
            ("result", result),
            ("error", error),
        ]
    )


def _wait(value: Any) -> None:
    """Wait (bounded) for a job, or for the job a timeline belongs to."""
    if isinstance(value, RecordedJob):
        wait_for_job(value, helper="gradio_snapshot")
    elif isinstance(value, Timeline) and getattr(value, "job", None) is not None:
        wait_for_job(value.job, helper="gradio_snapshot")


def _reject_unrecorded_job(value: Any) -> None:
    from gradio_client.client import Job

    if isinstance(value, Job) and not isinstance(value, RecordedJob):
        raise TypeError(
            "gradio_snapshot got a gradio_client Job that was not recorded, so it has no "
            "timeline to write. Submit it with a pytest_gradio.GradioClient (the "
            "gradio_client fixture), or snapshot its result: `assert job.result() == "
            "gradio_snapshot`."
        )


# --- the app's API --------------------------------------------------------------------


def api_contract(client: Any) -> Record:
    """The app's API as ordered plain data: per endpoint (sorted by name), its
    parameters in call order (name, type, component, required, default) and its
    returns (type, component, label if given). Pin it with a snapshot so that a
    renamed endpoint or a parameter added, removed, retyped or given another
    default shows up in review.

    Left out: auto-generated labels (they follow component ids, which move when
    the layout changes), example inputs and descriptions (documentation, not API).

    >>> assert api_contract(gradio_client) == gradio_snapshot
    """
    view_api = getattr(client, "view_api", None)
    info = view_api(print_info=False, return_format="dict") if callable(view_api) else None
    if not isinstance(info, Mapping):
        raise TypeError(
            f"api_contract: {client!r} has no view_api() that returns the app's API as a "
            "dict. Pass a gradio_client.Client, such as the gradio_client fixture: "
            "`api_contract(gradio_client)`."
        )
    normalizer = Normalizer(hash_files=False)
    api = ApiRecord()
    named = info.get("named_endpoints") or {}
    for name in sorted(named):
        api[name] = _endpoint(named[name], normalizer)
    unnamed = info.get("unnamed_endpoints") or {}
    for index in sorted(unnamed, key=lambda key: int(key) if str(key).isdigit() else 0):
        api[f"fn_index={index}"] = _endpoint(unnamed[index], normalizer)
    return api


def _endpoint(info: Mapping[str, Any], normalizer: Normalizer) -> Record:
    return EndpointRecord(
        parameters=[_parameter(p, normalizer) for p in info.get("parameters") or ()],
        returns=[_return(r) for r in info.get("returns") or ()],
    )


# gradio 5 and 6.0-6.9 servers spell a file output's type out as the FileData dict;
# from 6.10 they call it "filepath", as they always called file inputs. A contract says
# "filepath" on every version, so that upgrading gradio does not change it.
_FILEDATA_TYPE = "dict(path: str | None (Path to a local file), url: str | None"


def _python_type(info: Mapping[str, Any]) -> Any:
    python_type = info.get("python_type")
    if isinstance(python_type, Mapping):
        python_type = python_type.get("type")
    if isinstance(python_type, str) and python_type.startswith(_FILEDATA_TYPE):
        return "filepath"
    return python_type


def _parameter(info: Mapping[str, Any], normalizer: Normalizer) -> Record:
    has_default = bool(info.get("parameter_has_default"))
    record = ParameterRecord(
        name=info.get("parameter_name") or info.get("label"),
        type=_python_type(info),
        component=info.get("component"),
        required=not has_default,
    )
    if has_default:
        record["default"] = normalizer.value(info.get("parameter_default"))
    return record


def _return(info: Mapping[str, Any]) -> Record:
    record = ReturnRecord(type=_python_type(info), component=info.get("component"))
    label = info.get("label")
    if isinstance(label, str) and label and not _AUTO_LABEL.match(label):
        record["label"] = label
    return record


# --- the syrupy extension -------------------------------------------------------------


class GradioSnapshotExtension(AmberSnapshotExtension):
    """syrupy's amber extension for Gradio jobs, timelines, results and API contracts.

    Jobs are waited for (bounded by the job timeout), then every value is normalized
    (see this module's docstring) before amber writes it. Same files, same format
    and same `__snapshots__/*.ambr` location as syrupy's default, so `snapshot` and
    `gradio_snapshot` can share a test module. Customise by subclassing:

    >>> class Coarse(GradioSnapshotExtension):
    ...     float_digits = 6
    >>> assert result == snapshot.use_extension(Coarse)
    """

    float_digits: int = FLOAT_DIGITS

    def diff_lines(
        self, serialized_data: SerializedData, snapshot_data: SerializedData
    ) -> Iterator[str]:
        # syrupy hands a missing snapshot over as "": amber never writes "" itself.
        if snapshot_data == "":
            yield MISSING_HINT
        yield from super().diff_lines(serialized_data, snapshot_data)

    def serialize(self, data: SerializableData, **kwargs: Any) -> str:
        _reject_unrecorded_job(data)
        _wait(data)
        normalized = normalize(data, float_digits=self.float_digits)
        return str(super().serialize(normalized, **kwargs))
