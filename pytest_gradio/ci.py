"""pytest glue for running unattended: deadlines from pytest-timeout, failure reports,
teardown of leftover jobs and clients, the run summary, and xdist.

`plugin.py` registers these objects at configure time; the pytest-timeout and xdist
hooks only when those plugins are loaded, since pytest rejects implementations of
hooks nobody declared. Nothing here imports gradio.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import deadlines
from .client import registry

if TYPE_CHECKING:
    from .client.recording import GradioClient, RecordedJob

RUN_KEY = pytest.StashKey["GradioRun"]()
# Where a worker leaves its job records for the controller (xdist's workeroutput).
WORKER_OUTPUT_KEY = "pytest_gradio_jobs"
# How long teardown waits for the jobs it cancelled to stop. Never past the test's
# pytest-timeout deadline: the cancel requests go on in the background.
CANCEL_WAIT = 1.0
SECTION_TITLE = "gradio: jobs and server log"
# Apps whose output the plugin sees; a URL or a Space logs elsewhere.
_LOGGED_MODES = ("thread", "subprocess")


def configure(config: pytest.Config) -> GradioRun:
    run = GradioRun(config)
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(run, "gradio-run")
    registry.listen(run)
    if config.pluginmanager.hasplugin("timeout"):
        config.pluginmanager.register(TimeoutHooks(), "gradio-timeout")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(run), "gradio-xdist")
    return run


def unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        registry.unlisten(run)


def get_run(config: pytest.Config) -> GradioRun:
    return config.stash[RUN_KEY]


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@dataclass(frozen=True)
class _Job:
    """A job, with the app it ran on as known when it was submitted."""

    job: Any
    label: str
    app: weakref.ref[Any] | None


@dataclass
class _TestState:
    """What one running test did: its jobs, the apps it used, where their logs stood."""

    jobs: list[_Job] = field(default_factory=list)
    apps: dict[int, Any] = field(default_factory=dict)
    marks: dict[int, int | None] = field(default_factory=dict)
    reported: bool = False


class GradioRun(registry.Listener):
    """The session's record: which test ran which job on which app, and every job's
    outcome for the summary."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[dict[str, Any]] = []
        self.workers = 0
        # url -> (label, app). Weak: an app gradio_launch stopped can go.
        self._apps: dict[str, tuple[str, weakref.ref[Any]]] = {}
        # Who owns a job submitted now: the running test's nodeid, or None (the
        # session) while a class/module/session fixture is being set up.
        self._owners: list[str | None] = []
        self._tests: dict[str, _TestState] = {}
        self._session_jobs: list[_Job] = []
        # In creation order: clones are closed before the template whose connection
        # pool they share (closing the pool first would strand their stream readers).
        self._clients: list[weakref.ref[Any]] = []

    # -- what the library and fixtures report ---------------------------------------------

    def client_created(self, client: GradioClient) -> None:
        self._clients = [ref for ref in self._clients if ref() is not None]
        self._clients.append(weakref.ref(client))

    def job_submitted(self, client: GradioClient, job: RecordedJob) -> None:
        src = str(getattr(client, "src", "unknown app"))
        label, app = self._apps.get(src, (src, None))
        entry = _Job(job, label, app)
        owner = self._owners[-1] if self._owners else None
        state = self._tests.get(owner) if owner is not None else None
        (state.jobs if state is not None else self._session_jobs).append(entry)

    def use_app(self, item: pytest.Item, app: Any) -> None:
        """A fixture handed `app` to `item`: name it, and show its log if item fails."""
        from . import reporting

        label = reporting.app_label(app, self.config.rootpath)
        self._apps = {url: known for url, known in self._apps.items() if known[1]() is not None}
        self._apps[str(app.url)] = (label, weakref.ref(app))
        state = self._tests.get(item.nodeid)
        if state is not None:
            state.apps[id(app)] = app
            # An app first seen in this test started in it: all of its log is relevant.
            state.marks.setdefault(id(app), 0)

    # -- per test ---------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        apps = [app for _, ref in self._apps.values() if (app := ref()) is not None]
        state = _TestState(marks={id(app): _mark(app) for app in apps})
        self._tests[item.nodeid] = state
        self._owners.append(item.nodeid)
        try:
            return (yield)
        finally:
            self._owners.pop()
            self._tests.pop(item.nodeid, None)
            self._record(state.jobs)

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
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed:
            self._add_section(item, report)
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        # Before the fixtures' teardown: a job the test left running is cancelled
        # while its app still runs (gradio_launch stops the app), so that it ends as
        # CANCELLED rather than with "server stopped".
        state = self._tests.get(item.nodeid)
        if state is not None:
            registry.cancel_jobs([entry.job for entry in state.jobs], CANCEL_WAIT)
        return (yield)

    def _add_section(self, item: pytest.Item, report: pytest.TestReport) -> None:
        state = self._tests.get(item.nodeid)
        if state is None or state.reported:
            return
        # Imported here, not at the top: loading the plugin must stay cheap for runs
        # that never use a gradio fixture.
        from . import reporting
        from .apps.serverlog import log_since

        state.reported = True
        apps: dict[int, tuple[str, Any]] = {}
        for app in state.apps.values():
            apps[id(app)] = (reporting.app_label(app, self.config.rootpath), app)
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
        text = reporting.failure_section([entry.job for entry in state.jobs], logs)
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

    def _record(self, jobs: list[_Job]) -> None:
        if not jobs:
            return
        from . import reporting

        for entry in jobs:
            self.records.append(reporting.job_record(entry.label, entry.job))

    # -- end of the session -------------------------------------------------------------------

    def close_client(self, client: GradioClient) -> None:
        """Cancel the client's unfinished jobs (bounded wait) and close it."""
        self._clients = [ref for ref in self._clients if ref() is not None and ref() is not client]
        registry.cancel_jobs(client.jobs, CANCEL_WAIT)
        client.close()

    def close_clients(self, url: str | None = None) -> None:
        """Cancel the jobs still running and close the clients of this session (of the
        app at `url`, if given), newest first, so that apps stop at once: a server
        waits for open streams before it stops."""
        clients = []
        kept = []
        for ref in self._clients:
            client = ref()
            if client is None:
                continue
            if url is None or str(getattr(client, "src", "")) == url:
                clients.append(client)
            else:
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
        self._record(self._session_jobs)
        self._session_jobs = []
        if is_worker(self.config):
            self.config.workeroutput[WORKER_OUTPUT_KEY] = self.records  # type: ignore[attr-defined]
            return
        path = self.config.getoption("gradio_summary_json")
        if path:
            from . import reporting

            target = Path(self.config.invocation_params.dir) / path
            reporting.write_summary_json(target, reporting.summarize(self.records), self.workers)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if is_worker(self.config) or not self._wants_summary():
            return
        from . import reporting

        rows = reporting.summarize(self.records)
        if not rows:
            return
        terminalreporter.write_sep("=", "gradio summary")
        for line in reporting.format_summary(rows):
            terminalreporter.write_line(line)

    def _wants_summary(self) -> bool:
        config = self.config
        return bool(
            config.getoption("gradio_summary")
            or config.getini("gradio_summary")
            or config.getoption("verbose") > 0
        )


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
    """On the controller: merge the job records each worker sends when it finishes."""

    def __init__(self, run: GradioRun) -> None:
        self.run = run

    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        output = getattr(node, "workeroutput", None) or {}
        records = output.get(WORKER_OUTPUT_KEY)
        if records is not None:
            self.run.records.extend(records)
            self.run.workers += 1
