"""pytest glue between the plugin's tests and syrupy: a snapshot test that failed or
errored (its app did not start, its job failed before the snapshot assertion) keeps
its snapshots.

Why: syrupy counts a snapshot that no assertion read as "unused", and tells the user to
re-run with --snapshot-update, which deletes it. A test that never reached its
assertion did not read its snapshots, but they are not obsolete: the advice would
delete good snapshots. syrupy already keeps the snapshots of a skipped test; such a
test is reported to syrupy as skipped for that purpose (`SnapshotSession.ran_item`, the
call syrupy itself makes for each phase's outcome, in syrupy 6 and 7 alike). pytest's
own outcome, the terminal and the exit status are unchanged.

`ci.configure` registers `SnapshotKeeper` only when syrupy is loaded.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

# The plugin's fixtures: a test that uses syrupy's `snapshot` with one of them is a
# snapshot test of a Gradio app as much as one that uses `gradio_snapshot`.
_GRADIO_FIXTURES = ("gradio_app", "gradio_client", "gradio_launch", "gradio_page")


def is_snapshot_test(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return "gradio_snapshot" in names or (
        "snapshot" in names and any(name in names for name in _GRADIO_FIXTURES)
    )


class SnapshotKeeper:
    """Reports a failed snapshot test to syrupy as skipped, so that its snapshots are
    not "unused"."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.failed: set[str] = set()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed and report.when != "teardown" and is_snapshot_test(item):
            self.failed.add(item.nodeid)
        return report

    # trylast: after syrupy's own pytest_runtest_logreport, which records the
    # phase's outcome ("failed") that this replaces.
    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown" or report.nodeid not in self.failed:
            return
        session: Any = getattr(self.config, "_syrupy", None)
        if session is not None:
            session.ran_item(report.nodeid, "skipped")
