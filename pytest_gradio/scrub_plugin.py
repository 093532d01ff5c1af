"""pytest glue that keeps the run's secrets out of its reports: every test and
collection report has each known token replaced before the terminal, JUnit XML or any
other plugin reads it.

`Scrubber` registers its hooks itself, on the first secret it is given (a token from
the command line, HF_TOKEN, a marker or a client): a run without one has no hook here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from typing import Any, TypeVar

import pytest

from .tokens import redact

_Report = TypeVar("_Report", pytest.TestReport, pytest.CollectReport)


class Scrubber:
    """The run's secrets, and the hooks that redact them from reports."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.secrets: set[str] = set()

    def add(self, token: object) -> None:
        if not isinstance(token, str) or not token:
            return
        if not self.secrets:
            self.config.pluginmanager.register(self, "gradio-scrub")
        self.secrets.add(str.__str__(token))

    def scrub(self, report: Any) -> None:
        """Replace every secret of the run in what `report` shows."""
        if self.secrets:
            scrub_report(report, self.secrets)

    # tryfirst: the outermost wrapper, so that its code after the yield runs last,
    # once every other plugin (the failure section included) has written the report.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        return self._scrubbed((yield))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        return self._scrubbed((yield))

    def _scrubbed(self, report: _Report) -> _Report:
        self.scrub(report)
        return report


def _scrub(value: Any, secrets: set[str], seen: set[int]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = redact(value, secret)
        return value
    if id(value) in seen:
        return value
    seen.add(id(value))
    if isinstance(value, list):
        value[:] = [_scrub(item, secrets, seen) for item in value]
    elif isinstance(value, tuple):
        items = [_scrub(item, secrets, seen) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    elif isinstance(value, dict):
        for key in list(value):
            value[key] = _scrub(value[key], secrets, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            object.__setattr__(value, f.name, _scrub(getattr(value, f.name), secrets, seen))
    return value


def scrub_report(report: Any, secrets: set[str]) -> None:
    """Replace every secret in what a report shows: the failure (source lines, locals
    and arguments of every frame, as -l and --showlocals print them, the message) and
    the captured output sections. Terminal and JUnit XML both read these."""
    seen: set[int] = set()
    report.longrepr = _scrub(report.longrepr, secrets, seen)
    report.sections = _scrub(list(report.sections), secrets, seen)
