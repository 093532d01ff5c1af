"""pytest glue for endpoint coverage (--gradio-coverage, --gradio-coverage-fail-under
and their ini twins): each job of the run is counted against its app's endpoints as
its test ends; the controller merges the workers' tallies, shows the table, and fails
the run under the required percentage, as pytest-cov does.

`ci.configure` imports this module and registers `Coverage` only when coverage is
asked for. The counting (`coverage.Tally`) is plain data in the checks layer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any

import pytest

from .coverage import Tally, format_coverage, format_percent, job_kind, under

if TYPE_CHECKING:
    from .ci import GradioRun, JobEntry, RunningTest

# Where a worker leaves its tally for the controller (xdist's workeroutput).
COVERAGE_OUTPUT_KEY = "pytest_gradio_coverage"


def fail_under(config: pytest.Config) -> tuple[float, str] | None:
    """The required percentage and who said so (--gradio-coverage-fail-under, else ini
    gradio_coverage_fail_under); None when neither does. A value that is not a number
    from 0 to 100 is a usage error naming it and its source."""
    cli = config.getoption("gradio_coverage_fail_under", None)
    ini = config.getini("gradio_coverage_fail_under")
    if cli is not None:
        value, source = cli, "--gradio-coverage-fail-under"
    elif ini not in (None, ""):
        value, source = ini, "ini gradio_coverage_fail_under"
    else:
        return None
    text = str(value).strip().removesuffix("%")
    try:
        required = float(text)
    except ValueError:
        required = float("nan")
    if not 0 <= required <= 100:
        raise pytest.UsageError(
            f"Invalid coverage percentage {value!r} from {source}: give a number from 0 "
            "to 100, such as 80 or 87.5."
        )
    return required, source


class Coverage:
    """Counts the run's jobs per app endpoint, shows the table, applies fail-under."""

    def __init__(self, config: pytest.Config, run: GradioRun) -> None:
        self.config = config
        self.run = run
        self.required = None if config.getoption("help", False) else fail_under(config)
        self.tally = Tally()
        self.session: pytest.Session | None = None
        self.verdict: str | None = None
        self.workers = 0
        # Why an app's endpoints or tool names could not be read, per app: said once.
        self.problems: dict[str, str] = {}
        # (what, app label) asked once already: a failed read is not tried per test.
        self._asked: set[tuple[str, str]] = set()

    def document(self) -> dict[str, Any]:
        """The table as plain data (the summary JSON's and the HTML report's)."""
        return self.tally.document(self.required[0] if self.required else None)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    # Before the test's fixtures are torn down: the apps it used still run, so an app
    # whose config no job brought (only tool calls, or no jobs) can still be asked for
    # it, once per app and session.
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        state = self.run.tests.get(item.nodeid)
        if state is not None:
            with contextlib.suppress(Exception):  # counting must never fail a test
                self._learn(state)
        return (yield)

    def _learn(self, state: RunningTest) -> None:
        from .reporting import app_label

        for entry in state.jobs:
            self.tally.learn(entry.label, entry.config)
        for app in state.apps.values():
            label = app_label(app, self.config.rootpath)
            if not self.tally.knows(label) and ("config", label) not in self._asked:
                self._asked.add(("config", label))
                self.tally.learn(label, self._config_of(app, label))
            calls = any(e.label == label and job_kind(e.job) == "mcp" for e in state.jobs)
            if calls and ("tools", label) not in self._asked:
                self._asked.add(("tools", label))
                self.tally.learn_tools(label, self._tools_of(app, label))

    def _config_of(self, app: Any, label: str) -> dict[str, Any] | None:
        # A client of the app: cloned from the app's template when it has one, so no
        # request; the first one reads /config and /info once.
        try:
            client = app.client()
        except Exception as exc:
            self.problems[label] = f"its config could not be read ({type(exc).__name__}: {exc})"
            return None
        try:
            return dict(client.config)
        finally:
            self.run.close_client(client)

    def _tools_of(self, app: Any, label: str) -> dict[str, str]:
        from .apps.base import is_space
        from .mcp_client.contract import schema_tool_endpoints

        token = app.options.token if is_space(app.spec) else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = app.options.startup_timeout or 10.0
        try:
            return schema_tool_endpoints(str(app.url), headers, timeout)
        except Exception as exc:
            self.problems[label] = (
                f"its MCP schema could not be read to match tool calls ({type(exc).__name__})"
            )
            return {}

    def test_finished(self, item: pytest.Item, state: RunningTest) -> None:
        self._count(state.jobs)

    def session_finished(self, jobs: Sequence[JobEntry]) -> None:
        self._count(jobs)
        if hasattr(self.config, "workerinput"):
            self.config.workeroutput[COVERAGE_OUTPUT_KEY] = self.tally.data()  # type: ignore[attr-defined]
            return
        if self.required is None:
            return
        self.verdict = under(self.document(), self.required[0])
        session = self.session
        # As pytest-cov: a run whose tests passed fails; one that failed stays failed.
        if self.verdict is not None and session is not None and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def from_worker(self, output: dict[str, Any]) -> None:
        data = output.get(COVERAGE_OUTPUT_KEY)
        if data is not None:
            self.tally.merge(data)
            self.workers += 1

    def _count(self, jobs: Sequence[JobEntry]) -> None:
        for entry in jobs:
            self.tally.learn(entry.label, entry.config)
            self.tally.count(entry.label, entry.job)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput"):
            return
        document = self.document()
        terminalreporter.write_sep("=", "gradio coverage")
        if not document["apps"]:
            terminalreporter.write_line("no gradio app was used in this run: nothing to cover")
        for line in format_coverage(document):
            terminalreporter.write_line(line)
        for label, problem in sorted(self.problems.items()):
            terminalreporter.write_line(f"{label}: {problem}", yellow=True)
        if self.required is None:
            return
        required, source = self.required
        if self.verdict is not None:
            terminalreporter.write_line(
                f"FAIL Required gradio endpoint coverage of {required:g}% ({source}) not "
                f"reached: {self.verdict}",
                red=True,
                bold=True,
            )
        else:
            terminalreporter.write_line(
                f"Required gradio endpoint coverage of {required:g}% reached. Total: "
                f"{format_percent(document['percent'])}",
                green=True,
            )
