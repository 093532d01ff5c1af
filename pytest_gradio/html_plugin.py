"""pytest glue for pytest-html: a failing test that ran jobs gets their swimlanes
(the same SVG as --gradio-report's) as an extra in pytest-html's report.

`ci.configure` registers `HtmlExtras` only when pytest-html is loaded and writes a
report, so nothing here runs (nor is imported) otherwise, and no option is needed.
"""

from __future__ import annotations

import zlib
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .ci import GradioRun


class HtmlExtras:
    """Adds the failing test's timelines to `report.extras`, which pytest-html reads."""

    def __init__(self, run: GradioRun) -> None:
        self.run = run

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed:
            extra = self.timelines_extra(item.nodeid, report)
            if extra is not None:
                report.extras = [*getattr(report, "extras", []), extra]  # type: ignore[attr-defined]
        return report

    def timelines_extra(self, nodeid: str, report: pytest.TestReport) -> dict[str, Any] | None:
        state = self.run.tests.get(nodeid)
        if state is None or not state.jobs:
            return None
        from pytest_html import extras

        from . import htmlreport
        from .report_plugin import build_record

        outcome = "failed" if report.when == "call" else "error"
        test = build_record(self.run, nodeid, outcome, state.jobs, origin=state.started)
        # The DOM ids of lanes and details must differ between the tests of one page.
        prefix = f"gradio-{zlib.crc32(f'{nodeid}::{report.when}'.encode()):x}"
        return extras.html(htmlreport.lanes_html(test, prefix))  # type: ignore[no-any-return]
