"""pytest glue for the run summary: a table per app and endpoint at the end of the run
(--gradio-summary, ini gradio_summary, -v) and its JSON (--gradio-summary-json),
merged over xdist workers.

`ci.configure` registers `Summary` only when one of those asks for it; otherwise no
job record is made at all. `reporting` is imported once there is a job to record:
-v alone must not make loading the plugin dearer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .ci import JobEntry, RunningTest
    from .coverage_plugin import Coverage

# Where a worker leaves its job records for the controller (xdist's workeroutput).
WORKER_OUTPUT_KEY = "pytest_gradio_jobs"


class Summary:
    """Keeps one record per job (`reporting.job_record`) and shows the summary."""

    def __init__(self, config: pytest.Config, coverage: Coverage | None = None) -> None:
        self.config = config
        # With --gradio-coverage: its table goes into the JSON too.
        self.coverage = coverage
        self.records: list[dict[str, Any]] = []
        self.workers = 0

    def test_finished(self, item: pytest.Item, state: RunningTest) -> None:
        self._record(state.jobs)

    def session_finished(self, jobs: Sequence[JobEntry]) -> None:
        self._record(jobs)
        if hasattr(self.config, "workerinput"):
            self.config.workeroutput[WORKER_OUTPUT_KEY] = self.records  # type: ignore[attr-defined]
            return
        path = self.config.getoption("gradio_summary_json")
        if path:
            from . import reporting

            target = Path(self.config.invocation_params.dir) / path
            table = self.coverage.document() if self.coverage is not None else None
            reporting.write_summary_json(
                target, reporting.summarize(self.records), self.workers, coverage=table
            )

    def from_worker(self, output: dict[str, Any]) -> None:
        records = output.get(WORKER_OUTPUT_KEY)
        if records is not None:
            self.records.extend(records)
            self.workers += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        config = self.config
        table = config.getoption("gradio_summary") or config.getini("gradio_summary")
        if hasattr(config, "workerinput") or not (table or config.getoption("verbose") > 0):
            return
        if not self.records:
            return
        from . import reporting

        rows = reporting.summarize(self.records)
        terminalreporter.write_sep("=", "gradio summary")
        for line in reporting.format_summary(rows):
            terminalreporter.write_line(line)

    def _record(self, jobs: Sequence[JobEntry]) -> None:
        if not jobs:
            return
        from . import reporting

        self.records.extend(reporting.job_record(entry.label, entry.job) for entry in jobs)
