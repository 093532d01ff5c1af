"""pytest glue for the HTML report (--gradio-report, ini gradio_report): each test
that ran jobs (or left a screenshot) becomes a record as it ends; the controller
writes them all, merged over xdist workers, when the session ends.

`ci.configure` imports this module and registers `HtmlReport` only when a report is
asked for. `build_record` is the one builder of a test's record: pytest-html's extras
(`html_plugin`) use it too. `htmlreport` (the records and the page) is imported when
the first record is made.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .ci import GradioRun, JobEntry, RunningTest
    from .coverage_plugin import Coverage

# Where a worker leaves its tests' records for the controller (xdist's workeroutput).
REPORT_OUTPUT_KEY = "pytest_gradio_report"
# pytest's word for how the test went, and the failure's message, as its phases end.
_OUTCOME = pytest.StashKey[tuple[str, str | None]]()


def report_path(config: pytest.Config) -> tuple[Path, str] | None:
    """Where --gradio-report (relative to the invocation directory) or ini gradio_report
    (relative to the ini file) says the HTML report goes, and which of them said it;
    None if neither does."""
    cli = config.getoption("gradio_report", None)
    ini = config.getini("gradio_report")
    if cli:
        path, source = Path(config.invocation_params.dir) / str(cli), "--gradio-report"
    elif ini:
        base = Path(config.inipath).parent if config.inipath else Path(config.rootpath)
        path, source = base / str(ini), "ini gradio_report"
    else:
        return None
    if path.is_dir():
        raise pytest.UsageError(
            f"Invalid report path {str(path)!r} from {source}: it is a directory; "
            "give a file path such as report.html."
        )
    return path, source


def build_record(
    run: GradioRun,
    nodeid: str,
    outcome: str,
    jobs: Sequence[JobEntry],
    *,
    origin: float,
    duration: float | None = None,
    message: str | None = None,
    screenshots: Sequence[Path] = (),
) -> dict[str, Any]:
    """A test and its jobs as the report keeps them (`htmlreport.record_test`), with
    every secret the run knows redacted; each lane starts at its submit, in seconds
    since `origin` (a `time.perf_counter()`)."""
    from . import htmlreport

    secrets = htmlreport.known_secrets(run.scrubber.secrets)
    records = [
        htmlreport.record_job(e.label, e.job, start=max(0.0, e.started - origin), secrets=secrets)
        for e in jobs
    ]
    return htmlreport.record_test(
        nodeid,
        outcome,
        duration,
        records,
        message=message,
        secrets=secrets,
        screenshots=screenshots,
    )


class HtmlReport:
    """The report's bookkeeping: outcomes, records, the file, and where it went."""

    def __init__(
        self,
        config: pytest.Config,
        run: GradioRun,
        path: Path,
        source: str,
        *,
        coverage: Coverage | None = None,
    ) -> None:
        self.config = config
        # With --gradio-coverage: its table goes into the report too.
        self.coverage = coverage
        self.run = run
        self.path = path
        self.source = source
        self.tests: list[dict[str, Any]] = []
        self.workers = 0
        self.error: str | None = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        outcome, message = item.stash.get(_OUTCOME, ("passed", None))
        if report.failed:
            # The first failure's message, whole: as the terminal shows it under the
            # traceback (its first line alone says little of an assertion helper's).
            crash = getattr(report.longrepr, "reprcrash", None)
            text = getattr(crash, "message", None) or str(report.longrepr or "")
            message = message or text.strip() or None
            outcome = "failed" if report.when == "call" else "error"
        elif outcome == "passed" and report.skipped:
            outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        elif outcome == "passed" and report.when == "call" and hasattr(report, "wasxfail"):
            outcome = "xpassed"
        item.stash[_OUTCOME] = (outcome, message)
        return report

    def test_finished(self, item: pytest.Item, state: RunningTest) -> None:
        screenshots = _screenshots(item)
        if not state.jobs and not screenshots:
            return
        outcome, message = item.stash.get(_OUTCOME, ("passed", None))
        self.tests.append(
            build_record(
                self.run,
                item.nodeid,
                outcome,
                state.jobs,
                origin=state.started,
                duration=time.perf_counter() - state.started,
                message=message,
                screenshots=screenshots,
            )
        )

    def session_finished(self, jobs: Sequence[JobEntry]) -> None:
        if jobs:
            from .htmlreport import SESSION_NODEID

            self.tests.append(
                build_record(self.run, SESSION_NODEID, "passed", jobs, origin=self.run.started)
            )
        if hasattr(self.config, "workerinput"):
            self.config.workeroutput[REPORT_OUTPUT_KEY] = self.tests  # type: ignore[attr-defined]
            return
        from . import htmlreport

        wall = time.perf_counter() - self.run.started
        try:
            coverage = self.coverage.document() if self.coverage is not None else None
            htmlreport.write(
                self.path, self.tests, wall=wall, workers=self.workers, coverage=coverage
            )
        except OSError as exc:
            # The tests ran: say why the report is missing rather than end in a traceback.
            self.error = (
                f"could not write the gradio report to {self.path} "
                f"(from {self.source}): {exc}. Give a file path in a writable directory."
            )

    def from_worker(self, output: dict[str, Any]) -> None:
        tests = output.get(REPORT_OUTPUT_KEY)
        if tests is not None:
            self.tests.extend(tests)
            self.workers += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput"):
            return
        if self.error is not None:
            terminalreporter.write_line(self.error, red=True)
        else:
            terminalreporter.write_sep("-", f"gradio report: {self.path}")


def _screenshots(item: pytest.Item) -> list[Path]:
    """The PNGs a failing browser test left (browser_plugin names its artifacts in
    the item's user properties, for JUnit)."""
    return [
        Path(str(value))
        for name, value in item.user_properties
        if name == "gradio_artifact" and str(value).endswith(".png")
    ]
