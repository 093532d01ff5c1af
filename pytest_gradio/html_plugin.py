"""pytest glue for pytest-html: a failing test that ran jobs gets their swimlanes
(the same SVG as --gradio-report's) as an extra in pytest-html's report.

`plugin.py` registers `HtmlExtras` only when pytest-html is loaded, so nothing here
runs (nor is imported) otherwise, and no option is needed.
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
        jobs = self.run.jobs_of(nodeid)
        if not jobs:
            return None
        from pytest_html import extras

        from . import htmlreport

        secrets = self.run.secrets()
        records = [
            htmlreport.record_job(label, job, start=start, secrets=secrets)
            for label, start, job in jobs
        ]
        test = htmlreport.record_test(
            nodeid, "failed" if report.when == "call" else "error", None, records, secrets=secrets
        )
        # The DOM ids of lanes and details must differ between the tests of one page.
        prefix = f"gradio-{zlib.crc32(f'{nodeid}::{report.when}'.encode()):x}"
        return extras.html(htmlreport.lanes_html(test, prefix))  # type: ignore[no-any-return]
