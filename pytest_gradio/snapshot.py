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

import hashlib
import math
import os
import re
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syrupy.extensions.amber import AmberSnapshotExtension

from .assertions import wait_for_job
from .recording import RecordedJob, Timeline

if TYPE_CHECKING:
    from syrupy.types import SerializableData

FLOAT_DIGITS = 12
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico"}
)
# Left out of `statuses`: their number and interleaving depend on timing (see above).
SAMPLED_STATUSES = frozenset({"PROGRESS", "LOG"})

_LOOPBACK_URL = re.compile(
    r"(?P<origin>(?:https?|wss?)://(?:127(?:\.\d{1,3}){3}|localhost|0\.0\.0\.0|\[::1\])):\d+"
)
_AUTO_LABEL = re.compile(r"^(?:value|parameter)_\d+$")


class Record(OrderedDict):  # type: ignore[type-arg]
    """Plain data with a fixed key order and a name.

    Why an OrderedDict: amber writes an OrderedDict's keys in their order (it sorts
    a dict's), and writes the class name, so a job reads `Job({...})` in the file.
    """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


def _record_type(name: str, qualname: str) -> type[Record]:
    # `name` is what amber writes; `qualname` is the module attribute, so that
    # records pickle (pickle finds a class by its qualified name).
    namespace = {"__module__": __name__, "__qualname__": qualname, "__doc__": f"A {name}."}
    return type(name, (Record,), namespace)


JobRecord = _record_type("Job", "JobRecord")
TimelineRecord = _record_type("Timeline", "TimelineRecord")
FileRecord = _record_type("File", "FileRecord")
ImageRecord = _record_type("Image", "ImageRecord")
ProgressRecord = _record_type("Progress", "ProgressRecord")
LogRecord = _record_type("Log", "LogRecord")
ApiRecord = _record_type("API", "ApiRecord")
EndpointRecord = _record_type("Endpoint", "EndpointRecord")
ParameterRecord = _record_type("Parameter", "ParameterRecord")
ReturnRecord = _record_type("Return", "ReturnRecord")


# --- values ---------------------------------------------------------------------------


class _Normalizer:
    def __init__(self, *, float_digits: int = FLOAT_DIGITS, hash_files: bool = True) -> None:
        self.float_digits = float_digits
        self.hash_files = hash_files
        self.temp_dirs = _temp_dirs()
        self._active: set[int] = set()

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, int)):
            return value
        if isinstance(value, float):
            return round_float(value, self.float_digits)
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, os.PathLike):
            return self.string(os.fsdecode(value))
        if isinstance(value, BaseException):
            return _describe_exception(value)
        # A container that holds itself: leave the rest to amber, which marks cycles.
        if id(value) in self._active:
            return value
        self._active.add(id(value))
        try:
            return self._container(value)
        finally:
            self._active.discard(id(value))

    def _container(self, value: Any) -> Any:
        if isinstance(value, Record):
            return type(value)((key, self.value(item)) for key, item in value.items())
        if isinstance(value, Mapping):
            if _is_file_data(value):
                return self.file_data(value)
            return {
                self.scrub(key) if isinstance(key, str) else key: self.value(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, tuple) and not hasattr(value, "_fields"):
            return tuple(self.value(item) for item in value)
        if isinstance(value, (set, frozenset)):
            try:
                return type(value)(self.value(item) for item in value)
            except TypeError:  # a file record cannot be hashed: a list, in a stable order
                return sorted((self.value(item) for item in value), key=repr)
        return value

    def string(self, text: str) -> Any:
        if _looks_like_path(text):
            path = Path(text)
            if path.is_file():
                return self.file(path, path.name)
        return self.scrub(text)

    def scrub(self, text: str) -> str:
        """The text without temporary directories and loopback ports."""
        for directory in self.temp_dirs:
            if directory in text:
                text = text.replace(directory, "<tmp>")
        return _LOOPBACK_URL.sub(r"\g<origin>:<port>", text)

    def file(self, path: Path, name: str) -> Record:
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
        record: Record
        dimensions = _image_size(path)
        if dimensions is None:
            record = FileRecord(name=name, bytes=size, sha256=digest.hexdigest())
        else:
            record = ImageRecord(name=name, bytes=size, sha256=digest.hexdigest())
            record["width"], record["height"] = dimensions
        return record

    def file_data(self, data: Mapping[str, Any]) -> Record:
        """A gradio FileData dict (a file the client did not download)."""
        raw_path = data.get("path")
        name = data.get("orig_name") or (Path(raw_path).name if raw_path else None)
        if self.hash_files and isinstance(raw_path, str) and Path(raw_path).is_file():
            return self.file(Path(raw_path), str(name))
        record = FileRecord(name=None if name is None else self.scrub(str(name)))
        if isinstance(data.get("size"), int):
            record["bytes"] = data["size"]
        return record


def round_float(value: float, digits: int = FLOAT_DIGITS) -> float:
    """`value` rounded to `digits` significant digits (nan and infinities as they are).

    >>> round_float(0.1 + 0.2)
    0.3
    """
    if not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def _temp_dirs() -> list[str]:
    """Directories whose paths differ per machine and run, longest first."""
    candidates = {tempfile.gettempdir(), os.environ.get("GRADIO_TEMP_DIR") or ""}
    client = sys.modules.get("gradio_client.client")
    if client is not None:
        candidates.add(str(getattr(client, "DEFAULT_TEMP_DIR", "")))
    found: set[str] = set()
    for candidate in candidates:
        if len(candidate) > 1:
            found.add(candidate.rstrip(os.sep))
            found.add(os.path.realpath(candidate))
    return sorted(found, key=len, reverse=True)


def _looks_like_path(text: str) -> bool:
    return 1 < len(text) < 4096 and "\n" not in text and os.path.isabs(text)


def _is_file_data(value: Mapping[Any, Any]) -> bool:
    meta = value.get("meta")
    if isinstance(meta, Mapping) and meta.get("_type") == "gradio.FileData":
        return True
    return isinstance(value.get("path"), str) and {"url", "orig_name"} <= set(value)


def _image_size(path: Path) -> tuple[int, int] | None:
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - PIL comes with gradio
        return None
    try:
        # Why this is cheap: open() reads the header only, not the pixels.
        with Image.open(path) as image:
            width, height = image.size
    except Exception:
        return None
    return int(width), int(height)


def _describe_exception(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def normalize(value: Any, *, float_digits: int = FLOAT_DIGITS, hash_files: bool = True) -> Any:
    """`value` as the snapshot extension writes it: files as name, size and sha256,
    temporary directories and loopback ports masked, floats rounded; a RecordedJob
    or Timeline as its record (recorded so far: this does not wait).

    >>> normalize({"total": 0.1 + 0.2})
    {'total': 0.3}
    """
    normalizer = _Normalizer(float_digits=float_digits, hash_files=hash_files)
    if isinstance(value, RecordedJob):
        return _job_record(value, normalizer)
    if isinstance(value, Timeline):
        return _timeline_record(value, normalizer)
    return normalizer.value(value)


# --- jobs and timelines ---------------------------------------------------------------


def snapshot_statuses(timeline: Timeline) -> list[str]:
    """Status codes in order, without the sampled ones (PROGRESS, LOG), repeats collapsed."""
    kept: list[str] = []
    for code in timeline.statuses():
        if code in SAMPLED_STATUSES:
            continue
        if not kept or kept[-1] != code:
            kept.append(code)
    return kept


def snapshot_progress(timeline: Timeline) -> list[Record]:
    """Each distinct progress bar (desc, length, unit), in the order it first showed."""
    seen: set[tuple[Any, ...]] = set()
    bars: list[Record] = []
    for event in timeline.events:
        if event.kind != "progress" or not event.progress:
            continue
        for level, step in enumerate(event.progress):
            key = (level, step.desc, step.length, step.unit)
            if key in seen:
                continue
            seen.add(key)
            bar = ProgressRecord(desc=step.desc, length=step.length, unit=step.unit)
            if level:
                bar["level"] = level
            bars.append(bar)
    return bars


def _logs(timeline: Timeline, normalizer: _Normalizer) -> list[Record]:
    return [
        LogRecord(level=level, message=normalizer.scrub(message))
        for message, level in timeline.logs()
    ]


def _timeline_fields(timeline: Timeline, normalizer: _Normalizer) -> list[tuple[str, Any]]:
    return [
        ("endpoint", timeline.endpoint),
        ("statuses", snapshot_statuses(timeline)),
        ("outputs", [normalizer.value(output) for output in timeline.outputs()]),
        ("progress", snapshot_progress(timeline)),
        ("logs", _logs(timeline, normalizer)),
    ]


def _timeline_record(timeline: Timeline, normalizer: _Normalizer) -> Record:
    error = timeline.error
    return TimelineRecord(
        [
            *_timeline_fields(timeline, normalizer),
            ("error", None if error is None else normalizer.scrub(error)),
        ]
    )


def _job_record(job: RecordedJob, normalizer: _Normalizer) -> Record:
    result: Any = None
    error: str | None = None
    future = job.future
    if future.done():
        if future.cancelled():
            error = "CancelledError: the job was cancelled"
        elif future.exception(0) is not None:
            error = normalizer.scrub(_describe_exception(future.exception(0)))
        else:
            result = normalizer.value(future.result(0))
    return JobRecord(
        [
            *_timeline_fields(job.timeline, normalizer),
            ("result", result),
            ("error", error),
        ]
    )


def timeline_data(timeline: Timeline) -> dict[str, Any]:
    """`Timeline.to_dict()`: the timeline's snapshot record as plain dicts and lists."""
    return _plain(normalize(timeline))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    return value


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
    normalizer = _Normalizer(hash_files=False)
    api = ApiRecord()
    named = info.get("named_endpoints") or {}
    for name in sorted(named):
        api[name] = _endpoint(named[name], normalizer)
    unnamed = info.get("unnamed_endpoints") or {}
    for index in sorted(unnamed, key=lambda key: int(key) if str(key).isdigit() else 0):
        api[f"fn_index={index}"] = _endpoint(unnamed[index], normalizer)
    return api


def _endpoint(info: Mapping[str, Any], normalizer: _Normalizer) -> Record:
    return EndpointRecord(
        parameters=[_parameter(p, normalizer) for p in info.get("parameters") or ()],
        returns=[_return(r) for r in info.get("returns") or ()],
    )


def _python_type(info: Mapping[str, Any]) -> Any:
    python_type = info.get("python_type")
    if isinstance(python_type, Mapping):
        return python_type.get("type")
    return python_type


def _parameter(info: Mapping[str, Any], normalizer: _Normalizer) -> Record:
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

    def serialize(self, data: SerializableData, **kwargs: Any) -> str:
        _reject_unrecorded_job(data)
        _wait(data)
        normalized = normalize(data, float_digits=self.float_digits)
        return str(super().serialize(normalized, **kwargs))
