"""Normalized plain data for snapshots: values, files, timelines.

What is kept and dropped, and why, is written in `pytest_gradio.snapshot`'s docstring.
This module is below the timeline (it reads timelines through their accessors and
imports no gradio), so that `Timeline.to_dict()` can use it.
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

if TYPE_CHECKING:
    from .timeline import Timeline

FLOAT_DIGITS = 12
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico"}
)
# Left out of `statuses`: their number and interleaving depend on timing (see above).
SAMPLED_STATUSES = frozenset({"PROGRESS", "LOG"})

_LOOPBACK_URL = re.compile(
    r"(?P<origin>(?:https?|wss?)://(?:127(?:\.\d{1,3}){3}|localhost|0\.0\.0\.0|\[::1\])):\d+"
)


class Record(OrderedDict):  # type: ignore[type-arg]
    """Plain data with a fixed key order and a name.

    Why an OrderedDict: amber writes an OrderedDict's keys in their order (it sorts
    a dict's), and writes the class name, so a job reads `Job({...})` in the file.
    """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


def record_type(name: str, qualname: str) -> type[Record]:
    # `name` is what amber writes; `qualname` is the module attribute, so that
    # records pickle (pickle finds a class by its qualified name).
    namespace = {"__module__": __name__, "__qualname__": qualname, "__doc__": f"A {name}."}
    return type(name, (Record,), namespace)


JobRecord = record_type("Job", "JobRecord")
TimelineRecord = record_type("Timeline", "TimelineRecord")
FileRecord = record_type("File", "FileRecord")
ImageRecord = record_type("Image", "ImageRecord")
ProgressRecord = record_type("Progress", "ProgressRecord")
LogRecord = record_type("Log", "LogRecord")
ApiRecord = record_type("API", "ApiRecord")
EndpointRecord = record_type("Endpoint", "EndpointRecord")
ParameterRecord = record_type("Parameter", "ParameterRecord")
ReturnRecord = record_type("Return", "ReturnRecord")


# --- values ---------------------------------------------------------------------------


class Normalizer:
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
            return describe_exception(value)
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
            if is_file_data(value):
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


def is_file_data(value: Mapping[Any, Any]) -> bool:
    """Whether `value` is a gradio FileData dict, as a job's output or a result holds
    one: tagged by its `meta` (gradio 5+), or shaped like one (path, url, orig_name).

    >>> is_file_data({"path": "/tmp/cat.png", "url": None, "orig_name": "cat.png"})
    True
    """
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


def describe_exception(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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


def _logs(timeline: Timeline, normalizer: Normalizer) -> list[Record]:
    return [
        LogRecord(level=level, message=normalizer.scrub(message))
        for message, level in timeline.logs()
    ]


def timeline_fields(timeline: Timeline, normalizer: Normalizer) -> list[tuple[str, Any]]:
    return [
        ("endpoint", timeline.endpoint),
        ("statuses", snapshot_statuses(timeline)),
        ("outputs", [normalizer.value(output) for output in timeline.outputs()]),
        ("progress", snapshot_progress(timeline)),
        ("logs", _logs(timeline, normalizer)),
    ]


def timeline_record(timeline: Timeline, normalizer: Normalizer) -> Record:
    error = timeline.error
    return TimelineRecord(
        [
            *timeline_fields(timeline, normalizer),
            ("error", None if error is None else normalizer.scrub(error)),
        ]
    )


def timeline_data(timeline: Timeline) -> dict[str, Any]:
    """`Timeline.to_dict()`: the timeline's snapshot record as plain dicts and lists."""
    return plain(timeline_record(timeline, Normalizer()))  # type: ignore[no-any-return]


def plain(value: Any) -> Any:
    """Records as dicts, recursively (lists and tuples kept)."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    return value
