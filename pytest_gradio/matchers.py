"""Matchers for expected values, and the comparison the assertion helpers use.

Expected values may hold `pytest.approx(...)`, `unittest.mock.ANY`, `Regex(...)` and
`File(...)` anywhere inside lists, tuples and dicts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class Regex:
    """Equals any string in which `pattern` is found (re.search, like pytest.raises).

    >>> assert_job_result(job, Regex(r"^Hello, \\w+!$"))
    """

    def __init__(self, pattern: str | re.Pattern[str], flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags) if isinstance(pattern, str) else pattern

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.search(other) is not None

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Regex({self.pattern.pattern!r})"


class File:
    """Equals a file output whose name, suffix and/or content match.

    A file output is what the client returns: a local path (str or Path) or a
    file dict with a "path". `name` and `content` may be a `Regex`; `content` may be
    bytes or str (compared to the file's bytes, str as UTF-8).

    >>> assert_job_result(job, File(suffix=".png"))
    >>> assert_job_result(job, File("report.txt", content="total: 3\\n"))
    """

    def __init__(
        self,
        name: str | Regex | None = None,
        *,
        suffix: str | None = None,
        content: bytes | str | Regex | None = None,
    ) -> None:
        self.name = name
        self.suffix = suffix
        self.content = content
        self.mismatch: str | None = None

    def __eq__(self, other: object) -> bool:
        path = file_path_of(other)
        if path is None:
            self.mismatch = f"{other!r} is not a file output"
            return False
        if self.name is not None and not self.name == path.name:
            self.mismatch = f"name {path.name!r} != {self.name!r}"
            return False
        if self.suffix is not None and path.suffix.lower() != self.suffix.lower():
            self.mismatch = f"suffix {path.suffix!r} != {self.suffix!r}"
            return False
        if self.content is not None:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.mismatch = f"cannot read {path}: {exc}"
                return False
            if isinstance(self.content, Regex):
                ok = self.content == data.decode("utf-8", errors="replace")
            elif isinstance(self.content, str):
                ok = data == self.content.encode("utf-8")
            else:
                ok = data == self.content
            if not ok:
                preview = data[:60] + (b"..." if len(data) > 60 else b"")
                self.mismatch = f"content of {path.name} is {preview!r} ({len(data)} bytes)"
                return False
        self.mismatch = None
        return True

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        parts = []
        if self.name is not None:
            parts.append(repr(self.name))
        if self.suffix is not None:
            parts.append(f"suffix={self.suffix!r}")
        if self.content is not None:
            shown = repr(self.content)
            parts.append("content=" + (shown if len(shown) < 40 else shown[:37] + "..."))
        return f"File({', '.join(parts)})"


def file_path_of(value: object) -> Path | None:
    """The local path of a file output, or None if value is not one."""
    if isinstance(value, Mapping):
        inner = value.get("path")
        return Path(inner) if isinstance(inner, str) and inner else None
    if isinstance(value, (str, os.PathLike)):
        path = Path(value)
        return path if path.is_file() else None
    return None


def matches(expected: Any, actual: Any) -> bool:
    """Deep comparison where lists and tuples are interchangeable and matchers match."""
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        return len(expected) == len(actual) and all(
            matches(e, a) for e, a in zip(expected, actual, strict=False)
        )
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        return set(expected) == set(actual) and all(
            matches(expected[k], actual[k]) for k in expected
        )
    try:
        return bool(expected == actual)
    except Exception:
        return False
