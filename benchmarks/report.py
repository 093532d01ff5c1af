"""Figures, rows and the two ways they leave the run: a table and a JSON file."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: an observed value, never an interpolated one."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


def mean(values: Sequence[float]) -> float:
    return float(statistics.fmean(values))


@dataclass
class Figure:
    """One measured line of a row: its values in the row's columns, and the target
    it is checked against, if any."""

    label: str
    values: list[float | None]
    samples: int
    target: str | None = None
    met: bool | None = None


@dataclass
class Row:
    key: str
    title: str
    columns: list[str]
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: str, *values: float | None, samples: int) -> Figure:
        figure = Figure(label, list(values), samples)
        self.figures.append(figure)
        return figure

    def check(self, figure: Figure, target: str, met: bool | None) -> None:
        """Attach a target to a figure; `met=None` means it could not be judged here."""
        figure.target = target
        figure.met = met


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_table(rows: Sequence[Row]) -> str:
    """Rows as an aligned text table: figures, then each target and whether it is met."""
    label_width = max(len(f.label) for row in rows for f in row.figures) + 2
    lines: list[str] = []
    for row in rows:
        lines.append(f"{row.key}. {row.title}")
        widths = [max(12, len(c) + 2) for c in row.columns]
        header = "".join(f"{c:>{w}}" for c, w in zip(row.columns, widths, strict=True))
        lines.append(f"   {'':<{label_width}}{header}{'n':>6}")
        for figure in row.figures:
            cells = "".join(f"{_cell(v):>{w}}" for v, w in zip(figure.values, widths, strict=True))
            line = f"   {figure.label:<{label_width}}{cells}{figure.samples:>6}"
            if figure.target is not None:
                verdict = {True: "MET", False: "NOT MET", None: "not checked"}[figure.met]
                line += f"   target {figure.target}: {verdict}"
            lines.append(line)
        lines.extend(f"   note: {note}" for note in row.notes)
        lines.append("")
    return "\n".join(lines)


def summary(rows: Sequence[Row]) -> str:
    checked = [f for row in rows for f in row.figures if f.met is not None]
    missed = [f"{row.key}: {f.label}" for row in rows for f in row.figures if f.met is False]
    text = f"targets met: {len(checked) - len(missed)} of {len(checked)}"
    return text + (f"; not met: {'; '.join(missed)}" if missed else "")


def write_json(path: Path, rows: Sequence[Row], meta: dict[str, Any]) -> None:
    data = {"meta": meta, "rows": [asdict(row) for row in rows]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
