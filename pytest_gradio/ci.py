"""pytest glue for running unattended: deadlines from pytest-timeout, failure reports,
teardown of leftover jobs and clients, the run summary, and xdist.

`plugin.py` registers these objects at configure time; the pytest-timeout and xdist
hooks only when those plugins are loaded, since pytest rejects implementations of
hooks nobody declared. Nothing here imports gradio.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import time
import weakref
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
import pytest

from . import deadlines
from .client import registry
from .errors import GradioTestError
from .tokens import redact

if TYPE_CHECKING:
    from .client.recording import GradioClient, RecordedJob

RUN_KEY = pytest.StashKey["GradioRun"]()
# Where a worker leaves its job records for the controller (xdist's workeroutput).
WORKER_OUTPUT_KEY = "pytest_gradio_jobs"
# And the tests with their jobs for the HTML report (--gradio-report), when asked for.
REPORT_OUTPUT_KEY = "pytest_gradio_report"
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
    # time.perf_counter() when it was submitted: where its lane starts in the report.
    started: float = 0.0


@dataclass
class _TestState:
    """What one running test did: its jobs, the apps it used, where their logs stood."""

    jobs: list[_Job] = field(default_factory=list)
    apps: dict[int, Any] = field(default_factory=dict)
    marks: dict[int, int | None] = field(default_factory=dict)
    reported: bool = False
    started: float = field(default_factory=time.perf_counter)
    # For the HTML report: pytest's word for how the test went, and why it failed.
    outcome: str = "passed"
    message: str | None = None


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
        # The HTML report (--gradio-report): None when not asked for, and then no
        # test's jobs are turned into report records.
        self.report_path, self.report_source = report_path(config)
        self.report_error: str | None = None
        self.report_tests: list[dict[str, Any]] = []
        self._started = time.perf_counter()
        self._tokens: set[str] = set()
        # Apps that failed to start: (spec key, options key) -> (nodeid, error). A later
        # test that needs one fails at once, pointing at the first failure, rather than
        # starting a broken app again (subprocess mode: seconds each).
        self.failed_starts: dict[tuple[Any, ...], tuple[str, str]] = {}
        # Tokens seen in options: scrubbed from every report (tracebacks with -l, JUnit).
        self._scrub_tokens: set[str] = set()

    def scrub(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        """Replace every token the run knows in what `report` shows."""
        tokens = self._scrub_tokens | self._tokens
        if tokens:
            scrub_report(report, tokens)

    def add_secret(self, token: object) -> None:
        if isinstance(token, str) and token:
            self._scrub_tokens.add(str.__str__(token))

    # -- what the library and fixtures report ---------------------------------------------

    def client_created(self, client: GradioClient) -> None:
        self._clients = [ref for ref in self._clients if ref() is not None]
        self._clients.append(weakref.ref(client))

    def job_submitted(self, client: GradioClient, job: RecordedJob) -> None:
        src = str(getattr(client, "src", "unknown app"))
        label, app = self._apps.get(src, (src, None))
        entry = _Job(job, label, app, time.perf_counter())
        token = getattr(client, "token", None)
        if self.report_path is not None and isinstance(token, str):
            self._tokens.add(token)
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
            if self.report_path is not None:
                self._report_test(item.nodeid, state, _screenshots(item))

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
            short = short_error_repr(item, call.excinfo)
            if short is not None:
                report.longrepr = short
            shown = str(call.excinfo.value) if call.excinfo is not None else ""
            self._add_section(item, report, shown)
        if self.report_path is not None:
            self._note_outcome(item, report)
        self.scrub(report)
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

    def _add_section(self, item: pytest.Item, report: pytest.TestReport, shown: str = "") -> None:
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
        if self.report_path is not None:
            self._report_session_jobs()
        self._session_jobs = []
        if is_worker(self.config):
            self.config.workeroutput[WORKER_OUTPUT_KEY] = self.records  # type: ignore[attr-defined]
            if self.report_path is not None:
                self.config.workeroutput[REPORT_OUTPUT_KEY] = self.report_tests  # type: ignore[attr-defined]
            return
        if self.report_path is not None:
            self._write_report()
        path = self.config.getoption("gradio_summary_json")
        if path:
            from . import reporting

            target = Path(self.config.invocation_params.dir) / path
            reporting.write_summary_json(target, reporting.summarize(self.records), self.workers)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report_path is not None and not is_worker(self.config):
            if self.report_error is not None:
                terminalreporter.write_line(self.report_error, red=True)
            else:
                terminalreporter.write_sep("-", f"gradio report: {self.report_path}")
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

    # -- the HTML report (--gradio-report) -------------------------------------------------

    def jobs_of(self, nodeid: str, state: _TestState | None = None) -> list[tuple[str, float, Any]]:
        """The running test's jobs: (app label, seconds from the test's start to the
        submit, job). Empty once the test is over."""
        state = state or self._tests.get(nodeid)
        if state is None:
            return []
        return [(e.label, max(0.0, e.started - state.started), e.job) for e in state.jobs]

    def secrets(self) -> list[str]:
        """What the report redacts: the tokens clients used, and env secrets."""
        from . import htmlreport

        return htmlreport.known_secrets([*self._tokens, self.config.getoption("gradio_token")])

    def _note_outcome(self, item: pytest.Item, report: pytest.TestReport) -> None:
        state = self._tests.get(item.nodeid)
        if state is None:
            return
        if report.failed:
            state.outcome = "failed" if report.when == "call" else "error"
            crash = getattr(report.longrepr, "reprcrash", None)
            message = getattr(crash, "message", None) or str(report.longrepr or "")
            first = next(iter(message.strip().splitlines()), "")
            state.message = state.message or first[:500] or None
        elif state.outcome == "passed" and report.skipped:
            state.outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        elif state.outcome == "passed" and report.when == "call" and hasattr(report, "wasxfail"):
            state.outcome = "xpassed"

    def _report_test(self, nodeid: str, state: _TestState, screenshots: list[Path]) -> None:
        if not state.jobs and not screenshots:
            return
        from . import htmlreport

        secrets = self.secrets()
        jobs = [
            htmlreport.record_job(label, job, start=start, secrets=secrets)
            for label, start, job in self.jobs_of(nodeid, state)
        ]
        duration = time.perf_counter() - state.started
        self.report_tests.append(
            htmlreport.record_test(
                nodeid,
                state.outcome,
                duration,
                jobs,
                message=state.message,
                secrets=secrets,
                screenshots=screenshots,
            )
        )

    def _report_session_jobs(self) -> None:
        if not self._session_jobs:
            return
        from . import htmlreport

        secrets = self.secrets()
        jobs = [
            htmlreport.record_job(e.label, e.job, start=e.started - self._started, secrets=secrets)
            for e in self._session_jobs
        ]
        self.report_tests.append(
            htmlreport.record_test(htmlreport.SESSION_NODEID, "passed", None, jobs)
        )

    def _write_report(self) -> None:
        from . import htmlreport

        assert self.report_path is not None
        try:
            htmlreport.write(
                self.report_path,
                self.report_tests,
                wall=time.perf_counter() - self._started,
                workers=self.workers,
            )
        except OSError as exc:
            # The tests ran: say why the report is missing rather than end in a traceback.
            self.report_error = (
                f"could not write the gradio report to {self.report_path} "
                f"(from {self.report_source}): {exc}. Give a file path in a writable directory."
            )


def report_path(config: pytest.Config) -> tuple[Path | None, str]:
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
        return None, ""
    if path.is_dir():
        raise pytest.UsageError(
            f"Invalid report path {str(path)!r} from {source}: it is a directory; "
            "give a file path such as report.html."
        )
    return path, source


# --- short errors, and no secrets in reports --------------------------------------------

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
        self.run.report_tests.extend(output.get(REPORT_OUTPUT_KEY) or [])


def _screenshots(item: pytest.Item) -> list[Path]:
    """The PNGs a failing browser test left (browser_plugin names its artifacts in
    the item's user properties, for JUnit)."""
    return [
        Path(str(value))
        for name, value in item.user_properties
        if name == "gradio_artifact" and str(value).endswith(".png")
    ]
