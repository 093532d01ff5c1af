"""pytest glue for a failing test's report: the error without the plugin's frames, and
a section with the test's job timelines and the server log of its apps.

Registered for every run (`ci.configure`): any test may fail. Nothing here imports
gradio; `reporting` (the section's text) is imported when a test first sets up a
gradio fixture, not when it fails (see `pytest_fixture_setup`).
"""

from __future__ import annotations

import inspect
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
import pytest

from .errors import GradioTestError

if TYPE_CHECKING:
    from .ci import GradioRun

SECTION_TITLE = "gradio: jobs and server log"
# Apps whose output the plugin sees; a URL or a Space logs elsewhere.
_LOGGED_MODES = ("thread", "subprocess")
# A test gets one section, from the first of its phases that fails.
_REPORTED = pytest.StashKey[bool]()


class FailureReports:
    """Shortens a failing test's error and adds its jobs and server log to it."""

    def __init__(self, run: GradioRun) -> None:
        self.run = run

    @pytest.hookimpl(tryfirst=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> None:
        # A test that uses an app may fail while it waits, cut by its pytest-timeout's
        # deadline: the report is then made in the margin the plugin keeps before
        # that timeout fires, and importing `reporting` there (its source rewritten by
        # pytest's assertion rewriting in an inner pytester run) took all of that
        # margin on a busy machine. So it is loaded before any wait.
        if fixturedef.argname.startswith("gradio_"):
            from . import reporting  # noqa: F401

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed:
            short = short_error_repr(item, call.excinfo)
            if short is not None:
                report.longrepr = short
            shown = str(call.excinfo.value) if call.excinfo is not None else ""
            self.add_section(item, report, shown)
        return report

    def add_section(self, item: pytest.Item, report: pytest.TestReport, shown: str = "") -> None:
        state = self.run.tests.get(item.nodeid)
        if state is None or item.stash.get(_REPORTED, False):
            return
        item.stash[_REPORTED] = True
        # Imported here, not at the top: loading the plugin must stay cheap for runs
        # that never use a gradio fixture.
        from . import reporting
        from .apps.serverlog import log_since

        apps: dict[int, tuple[str, Any]] = {}
        for app in state.apps.values():
            apps[id(app)] = (reporting.app_label(app, self.run.config.rootpath), app)
        for entry in state.jobs:
            app = entry.app() if entry.app is not None else None
            if app is not None:
                apps.setdefault(id(app), (entry.label, app))
        logs = []
        for key, (label, app) in apps.items():
            if getattr(app, "mode", None) not in _LOGGED_MODES:
                continue
            name = label.removesuffix(" [subprocess]")
            heading = f"server log of {name} ({app.mode}, {app.url}) during this test:"
            logs.append((heading, log_since(app, state.marks.get(key, 0))))
        text = reporting.failure_section([entry.job for entry in state.jobs], logs, shown)
        if text is None:
            return
        # Why in the failure's longrepr and not a report section: there it shows in
        # the terminal under the traceback and, with it, in JUnit XML's <failure>
        # element whatever junit_logging says; report sections reach JUnit only as
        # captured stdout/stderr/log.
        addsection = getattr(report.longrepr, "addsection", None)
        if addsection is not None:
            addsection(SECTION_TITLE, text)
        else:
            report.sections.append((f"{SECTION_TITLE} ({report.when})", text))


# Frames from these packages never help a user fix their test: the plugin's own, and
# pytest's and pluggy's machinery that runs fixtures and hooks.
_PLUGIN_DIR = str(Path(__file__).resolve().parent)
_INTERNAL_DIRS = tuple(
    str(Path(path).resolve().parent)
    for path in (__file__, inspect.getfile(pytest.Item), pluggy.__file__)
)


def _is_internal(entry: Any) -> bool:
    return str(entry.path).startswith(_INTERNAL_DIRS)


def short_error_repr(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException] | None) -> Any:
    """The failure without the plugin's frames: its message, and the user's own frames.

    A GradioTestError (a bad spec, an app that did not start, ...) whose traceback
    holds no user frame is its message alone: the message says what to fix. Any other
    error that passed through the plugin (a job's AppError raised by `predict()`, a
    helper's AssertionError) keeps pytest's report of the user's frames. None when the
    plugin has no frame in the traceback (pytest's report stands) and with --full-trace.
    """
    if excinfo is None:
        return None
    config = item.config
    tbstyle = config.getoption("tbstyle", "auto")
    if config.getoption("fulltrace", False) or tbstyle in ("native", "no", "line"):
        return None
    ours = isinstance(excinfo.value, GradioTestError) and not isinstance(
        excinfo.value, AssertionError
    )
    if not ours and not any(str(e.path).startswith(_PLUGIN_DIR) for e in excinfo.traceback):
        return None
    if not _user_frames(item, excinfo, tbstyle):
        if not ours:
            return None
        # chain=False: the message already quotes what matters of the cause.
        return excinfo.getrepr(style="value", chain=False)
    return excinfo.getrepr(
        style="short" if tbstyle == "short" else "long",
        tbfilter=lambda info: _user_frames(item, info, tbstyle),
        showlocals=bool(config.getoption("showlocals", False)),
        funcargs=True,
        truncate_locals=config.get_verbosity() <= 1,
        chain=not ours,
    )


def _user_frames(
    item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException], tbstyle: str
) -> Any:
    user = _from_test_function(item, excinfo.traceback)
    user = user.filter(lambda entry: not _is_internal(entry)).filter(excinfo)
    if tbstyle == "auto" and len(user) > 2:
        # As pytest does for a test's own frames: the middle ones on one line each.
        user = type(user)(
            [user[0], *(entry.with_repr_style("short") for entry in user[1:-1]), user[-1]]
        )
    return user


def _from_test_function(item: pytest.Item, traceback: Any) -> Any:
    """The traceback from the test function's frame on, as pytest cuts a test's: the
    frames above it are hook wrappers of other plugins (pytest-playwright's
    pytest_runtest_call, ...), never the user's. Unchanged when the test function has
    no frame in it (a fixture's setup failed)."""
    function = getattr(item, "function", None)
    code = getattr(inspect.unwrap(function), "__code__", None) if function else None
    if code is None:
        return traceback
    return traceback.cut(path=code.co_filename, firstlineno=code.co_firstlineno - 1)
