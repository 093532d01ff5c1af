"""pytest glue for running unattended: the session's record of which test ran which job
on which app, teardown of leftover jobs and clients, and the listeners that report on
that record.

`configure` registers the run, then each listener only when it has work to do: the
failure report always, the summary when asked for (or -v), the HTML report with
--gradio-report, secret scrubbing once there is a secret, and syrupy's, pytest-timeout's,
xdist's and pytest-html's hooks only when those plugins are loaded (pytest rejects
implementations of hooks nobody declared). Nothing here imports gradio.
"""

from __future__ import annotations

import contextlib
import time
import weakref
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from . import deadlines
from .client import registry
from .failure_plugin import FailureReports
from .scrub_plugin import Scrubber

if TYPE_CHECKING:
    from .client.recording import GradioClient, RecordedJob

RUN_KEY = pytest.StashKey["GradioRun"]()
# How long teardown waits for the jobs it cancelled to stop. Never past the test's
# pytest-timeout deadline: the cancel requests go on in the background.
CANCEL_WAIT = 1.0


def configure(config: pytest.Config) -> GradioRun:
    manager = config.pluginmanager
    run = GradioRun(config)
    config.stash[RUN_KEY] = run
    manager.register(run, "gradio-run")
    registry.listen(run)
    manager.register(FailureReports(run), "gradio-failures")
    listeners: list[Any] = []
    # Imported only when used: a plain run loads none of these modules. Coverage
    # first: its tally is final before the summary and the report write it out.
    coverage = None
    if coverage_wanted(config):
        from .coverage_plugin import Coverage

        coverage = Coverage(config, run)
        listeners.append(coverage)
    if summary_wanted(config):
        from .summary_plugin import Summary

        listeners.append(Summary(config, coverage))
    report = report_path(config)
    if report is not None:
        from .report_plugin import HtmlReport

        listeners.append(HtmlReport(config, run, *report, coverage=coverage))
    for listener in listeners:
        run.listeners.append(listener)
        manager.register(listener, f"gradio-{type(listener).__name__.lower()}")
    if manager.hasplugin("syrupy"):
        from .snapshot_plugin import SnapshotKeeper

        manager.register(SnapshotKeeper(config), "gradio-snapshots")
    if manager.hasplugin("timeout"):
        manager.register(TimeoutHooks(), "gradio-timeout")
    if manager.hasplugin("xdist") and listeners:
        manager.register(XdistHooks(listeners), "gradio-xdist")
    # pytest-html's extras: only when it is loaded and writes a report (--html).
    if manager.hasplugin("html") and config.getoption("htmlpath", None):
        from .html_plugin import HtmlExtras

        manager.register(HtmlExtras(run), "gradio-html")
    return run


def unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        registry.unlisten(run)


def get_run(config: pytest.Config) -> GradioRun:
    return config.stash[RUN_KEY]


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def summary_wanted(config: pytest.Config) -> bool:
    """The summary's records are kept when a table (--gradio-summary, ini, -v) or the
    JSON (--gradio-summary-json) asks for them; on an xdist worker as on the controller
    (workers get the controller's arguments)."""
    return bool(
        config.getoption("gradio_summary", False)
        or config.getini("gradio_summary")
        or config.getoption("verbose", 0) > 0
        or config.getoption("gradio_summary_json", None)
    )


def coverage_wanted(config: pytest.Config) -> bool:
    """--gradio-coverage, ini gradio_coverage, or a fail-under (which needs the table)."""
    return bool(
        config.getoption("gradio_coverage", False)
        or config.getini("gradio_coverage")
        or config.getoption("gradio_coverage_fail_under", None) is not None
        or config.getini("gradio_coverage_fail_under")
    )


def report_path(config: pytest.Config) -> tuple[Any, str] | None:
    """Where the HTML report goes and who said so; None without --gradio-report or ini
    gradio_report (then its module is not even imported)."""
    if not (config.getoption("gradio_report", None) or config.getini("gradio_report")):
        return None
    from .report_plugin import report_path as resolve

    return resolve(config)


@dataclass(frozen=True)
class JobEntry:
    """A job, with the app it ran on as known when it was submitted."""

    job: Any
    label: str
    app: weakref.ref[Any] | None
    # time.perf_counter() when it was submitted: where its lane starts in the report.
    started: float = 0.0
    # The app's config as the submitting client had it (None for a tool call): the
    # endpoint list coverage counts against, without asking the app again.
    config: Any = None


@dataclass
class RunningTest:
    """What one running test did: its jobs, the apps it used, where their logs stood."""

    jobs: list[JobEntry] = field(default_factory=list)
    apps: dict[int, Any] = field(default_factory=dict)
    marks: dict[int, int | None] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


class GradioRun(registry.Listener):
    """The session's record: which test ran which job on which app. Its `listeners`
    hear when a test's jobs are final (`test_finished(item, state)`) and when the
    session's are (`session_finished(jobs)`), after teardown cancelled what was left."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.listeners: list[Any] = []
        self.started = time.perf_counter()
        # url -> (label, app). Weak: an app gradio_launch stopped can go.
        self._apps: dict[str, tuple[str, weakref.ref[Any]]] = {}
        # Who owns a job submitted now: the running test's nodeid, or None (the
        # session) while a class/module/session fixture is being set up.
        self._owners: list[str | None] = []
        self.tests: dict[str, RunningTest] = {}
        self._session_jobs: list[JobEntry] = []
        # In creation order: clones are closed before the template whose connection
        # pool they share (closing the pool first would strand their stream readers).
        self._clients: list[weakref.ref[Any]] = []
        # Apps that failed to start: (spec key, options key) -> (nodeid, error). A later
        # test that needs one fails at once, pointing at the first failure, rather than
        # starting a broken app again (subprocess mode: seconds each).
        self.failed_starts: dict[tuple[Any, ...], tuple[str, str]] = {}
        self.scrubber = Scrubber(config)

    def add_secret(self, token: object) -> None:
        """Keep `token` out of every report of this run (tracebacks with -l, JUnit)."""
        self.scrubber.add(token)

    def client_created(self, client: GradioClient) -> None:
        self._clients = [ref for ref in self._clients if ref() is not None]
        self._clients.append(weakref.ref(client))

    def job_submitted(self, client: GradioClient, job: RecordedJob) -> None:
        src = str(getattr(client, "src", "unknown app"))
        label, app = self._apps.get(src, (src, None))
        self.add_secret(getattr(client, "token", None))
        owner = self._owners[-1] if self._owners else None
        state = self.tests.get(owner) if owner is not None else None
        entry = JobEntry(job, label, app, time.perf_counter(), getattr(client, "config", None))
        (state.jobs if state is not None else self._session_jobs).append(entry)

    def use_app(self, item: pytest.Item, app: Any) -> None:
        """A fixture handed `app` to `item`: name it, and show its log if item fails."""
        from .reporting import app_label

        label = app_label(app, self.config.rootpath)
        self._apps = {url: known for url, known in self._apps.items() if known[1]() is not None}
        self._apps[str(app.url)] = (label, weakref.ref(app))
        state = self.tests.get(item.nodeid)
        if state is not None:
            state.apps[id(app)] = app
            # An app first seen in this test started in it: all of its log is relevant.
            state.marks.setdefault(id(app), 0)

    # tryfirst: the outermost wrapper, so that the test's state exists for every other
    # plugin's wrapper of the protocol, the listeners' included.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        apps = [app for _, ref in self._apps.values() if (app := ref()) is not None]
        state = RunningTest(marks={id(app): _mark(app) for app in apps})
        self.tests[item.nodeid] = state
        self._owners.append(item.nodeid)
        try:
            return (yield)
        finally:
            self._owners.pop()
            for listener in self.listeners:
                listener.test_finished(item, state)
            self.tests.pop(item.nodeid, None)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, object, object]:
        # A job submitted while a wider-scoped fixture sets up belongs to the session,
        # not to the test that happened to trigger the setup: teardown leaves it alone.
        if fixturedef.scope == "function":
            return (yield)
        self._owners.append(None)
        try:
            return (yield)
        finally:
            self._owners.pop()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        # Before the fixtures' teardown: a job the test left running is cancelled
        # while its app still runs (gradio_launch stops the app), so that it ends as
        # CANCELLED rather than with "server stopped".
        state = self.tests.get(item.nodeid)
        if state is not None:
            registry.cancel_jobs([entry.job for entry in state.jobs], CANCEL_WAIT)
        return (yield)

    def close_client(self, client: GradioClient) -> None:
        """Cancel the client's unfinished jobs (bounded wait) and close it."""
        self._clients = [ref for ref in self._clients if ref() is not None and ref() is not client]
        registry.cancel_jobs(client.jobs, CANCEL_WAIT)
        client.close()

    def close_clients(self, url: str | None = None) -> None:
        """Cancel the jobs still running and close the clients of this session (of the
        app at `url`, if given), newest first, so that apps stop at once: a server
        waits for open streams before it stops."""
        clients, kept = [], []
        for ref in self._clients:
            client = ref()
            if client is not None and (url is None or str(getattr(client, "src", "")) == url):
                clients.append(client)
            elif client is not None:
                kept.append(ref)
        self._clients = kept
        jobs = [job for client in clients for job in getattr(client, "jobs", [])]
        registry.cancel_jobs(jobs, CANCEL_WAIT)
        for client in reversed(clients):
            with contextlib.suppress(Exception):
                client.close()

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # trylast: after the session fixtures' teardown, so their jobs have ended.
        self.close_clients()
        jobs, self._session_jobs = self._session_jobs, []
        for listener in self.listeners:
            listener.session_finished(jobs)


def _mark(app: Any) -> int | None:
    try:
        return int(app.log_mark())
    except Exception:
        return None


class TimeoutHooks:
    """pytest-timeout's hooks, observed: record the test's deadline, then let
    pytest-timeout arm its own timer (returning None passes the call on)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_timeout_set_timer(self, item: pytest.Item, settings: Any) -> None:
        deadlines.start(item, float(settings.timeout))

    @pytest.hookimpl(tryfirst=True)
    def pytest_timeout_cancel_timer(self, item: pytest.Item) -> None:
        deadlines.stop(item)


class XdistHooks:
    """On the controller: hand what each worker sent when it finished (its
    `workeroutput`) to the listeners that merge it (summary, report)."""

    def __init__(self, listeners: Sequence[Any]) -> None:
        self.listeners = listeners

    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        output = getattr(node, "workeroutput", None) or {}
        for listener in self.listeners:
            listener.from_worker(output)
