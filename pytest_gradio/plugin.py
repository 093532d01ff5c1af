"""pytest glue: options, the marker, fixtures and hooks. The library lives beside it.

Loading this module imports neither gradio nor gradio_client: both are imported by
the fixtures, the first time a test asks for one.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from . import ci, environment, patches, stubs
from .errors import AppSpecError, AppStartError, GradioTestError
from .specs import AppSpec, is_blocks, parse_spec
from .tokens import hide

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion

    from .apps import AppPool, GradioApp
    from .client.recording import GradioClient
    from .mcp_client.session import GradioMCP
    from .options import AppOptions

# Browser tests (gradio_page, its options and failure artifacts) live in their own
# glue module; it imports no playwright until a test asks for a page.
pytest_plugins = ["pytest_gradio.browser_plugin"]

ENV_APP = "PYTEST_GRADIO_APP"
ENV_TOKEN = "HF_TOKEN"

HELP_APP = (
    "the Gradio app to test: path/app.py[:attr], package.module:attr, http(s)://URL or "
    "[space:]owner/name. Also env PYTEST_GRADIO_APP and ini gradio_app; the "
    "@pytest.mark.gradio_app marker wins over all of them."
)
HELP_MODE = "how local apps run: 'thread' (in this process, default) or 'subprocess'."
HELP_APP_SCOPE = (
    "how long a gradio_app server lives: 'session' (default: to the end of the run, "
    "per xdist worker) or 'module' (stopped after the last test of the module that "
    "started it)."
)
APP_SCOPES = ("session", "module")
HELP_STARTUP_TIMEOUT = (
    "seconds an app may take to start and answer (default: 60, URLs 10, Spaces 600)."
)
HELP_JOB_TIMEOUT = (
    "seconds a job may take (default: 60): the assertion helpers, gradio_snapshot, "
    "job.result() and predict() without a timeout, and iterating a job, wait this long "
    "at most, then fail with the job's timeline."
)
HELP_TRANSPORT = (
    "how clients talk to apps: 'fast' (pooled connections, event-driven; default) or "
    "'stock' (gradio_client's own code)."
)
HELP_TOKEN = "Hugging Face token for private Spaces (default: env HF_TOKEN). Never printed."
HELP_SUMMARY = (
    "at the end of the run, a table per app and endpoint: jobs, failures, p50/p95/max "
    "duration, max queue wait (also shown with -v)."
)
HELP_PATH = (
    "where Gradio is mounted in an ASGI app the plugin serves (e.g. /myapp/gradio), "
    "when it cannot be found from the app's routes."
)
HELP_MCP_TRANSPORT = (
    "how gradio_mcp talks to an app's MCP server: 'streamable-http' (default) or 'sse'."
)
HELP_SUMMARY_JSON = "write the run summary as JSON to this path (merged over xdist workers)."
HELP_COVERAGE = (
    "after the run, a table per app of its endpoints (named and unnamed events, with "
    "their triggers) and how the run exercised each: API jobs, page jobs, MCP tool "
    "calls, by outcome; then the fraction covered (also in --gradio-report and "
    "--gradio-summary-json)."
)
HELP_COVERAGE_FAIL_UNDER = (
    "fail the run (exit code 1) when the endpoints covered, over all apps, are under PCT "
    "percent, as pytest-cov's --cov-fail-under does; turns --gradio-coverage on."
)
HELP_REPORT = (
    "write a self-contained HTML report to this path: every job of the run as a swimlane, "
    "figures per endpoint, failing tests first (merged over xdist workers)."
)

HELP_FUZZ = (
    "generate one test per API endpoint of each app the run uses (--gradio-app, ini, or "
    "the gradio_app markers of the collected tests) that calls it with inputs generated "
    "from its components and fails on unhandled exceptions and hangs (needs hypothesis: "
    "the [fuzz] extra). The apps are started at collection, to list their endpoints."
)
HELP_FUZZ_EXAMPLES = "--gradio-fuzz: generated inputs per endpoint at most (default: 100)."
HELP_FUZZ_SECONDS = (
    "--gradio-fuzz: seconds per endpoint after which no new input is generated "
    "(default: none); it also ends the shrinking of a finding."
)
HELP_FUZZ_SKIP = (
    "--gradio-fuzz: endpoints not to call, comma-separated api_names "
    "(/send_email,/delete): those with side effects."
)

MARKER_OPTIONS = (
    "mode",
    "launch_kwargs",
    "client_kwargs",
    "startup_timeout",
    "job_timeout",
    "token",
    "transport",
    "path",
)
MARKER_HELP = (
    "gradio_app(spec=None, *, mode=None, launch_kwargs=None, client_kwargs=None, "
    "startup_timeout=None, job_timeout=None, token=None, transport=None, path=None): the app this "
    "test talks to and how to start it; the closest marker (function, class, module) wins."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradio", "testing Gradio apps (pytest-gradio)")
    # Each value's placeholder (metavar) says what kind of value it is; argparse's
    # default is the upper-cased dest (GRADIO_STARTUP_TIMEOUT), which says nothing.
    group.addoption("--gradio-app", dest="gradio_app", default=None, metavar="SPEC", help=HELP_APP)
    group.addoption(
        "--gradio-mode", dest="gradio_mode", default=None, metavar="MODE", help=HELP_MODE
    )
    group.addoption(
        "--gradio-app-scope",
        dest="gradio_app_scope",
        default=None,
        metavar="SCOPE",
        help=HELP_APP_SCOPE,
    )
    group.addoption(
        "--gradio-startup-timeout",
        dest="gradio_startup_timeout",
        default=None,
        metavar="SECONDS",
        help=HELP_STARTUP_TIMEOUT,
    )
    group.addoption(
        "--gradio-job-timeout",
        dest="gradio_job_timeout",
        default=None,
        metavar="SECONDS",
        help=HELP_JOB_TIMEOUT,
    )
    group.addoption(
        "--gradio-transport",
        dest="gradio_transport",
        default=None,
        metavar="TRANSPORT",
        help=HELP_TRANSPORT,
    )
    group.addoption(
        "--gradio-path", dest="gradio_path", default=None, metavar="URL_PATH", help=HELP_PATH
    )
    group.addoption(
        "--gradio-mcp-transport",
        dest="gradio_mcp_transport",
        default=None,
        metavar="TRANSPORT",
        help=HELP_MCP_TRANSPORT,
    )
    # No ini twin for the token on purpose: a token does not belong in a config file.
    group.addoption(
        "--gradio-token", dest="gradio_token", default=None, metavar="TOKEN", help=HELP_TOKEN
    )
    group.addoption(
        "--gradio-summary", dest="gradio_summary", action="store_true", help=HELP_SUMMARY
    )
    group.addoption(
        "--gradio-summary-json",
        dest="gradio_summary_json",
        default=None,
        metavar="PATH",
        help=HELP_SUMMARY_JSON,
    )
    group.addoption(
        "--gradio-report", dest="gradio_report", default=None, metavar="PATH", help=HELP_REPORT
    )
    group.addoption(
        "--gradio-coverage", dest="gradio_coverage", action="store_true", help=HELP_COVERAGE
    )
    group.addoption(
        "--gradio-coverage-fail-under",
        dest="gradio_coverage_fail_under",
        default=None,
        metavar="PCT",
        help=HELP_COVERAGE_FAIL_UNDER,
    )
    group.addoption("--gradio-fuzz", dest="gradio_fuzz", action="store_true", help=HELP_FUZZ)
    group.addoption(
        "--gradio-fuzz-examples",
        dest="gradio_fuzz_examples",
        default=None,
        metavar="N",
        help=HELP_FUZZ_EXAMPLES,
    )
    group.addoption(
        "--gradio-fuzz-seconds",
        dest="gradio_fuzz_seconds",
        default=None,
        metavar="SECONDS",
        help=HELP_FUZZ_SECONDS,
    )
    group.addoption(
        "--gradio-fuzz-skip",
        dest="gradio_fuzz_skip",
        default=None,
        metavar="API_NAMES",
        help=HELP_FUZZ_SKIP,
    )
    parser.addini("gradio_fuzz", HELP_FUZZ, type="bool", default=False)
    parser.addini("gradio_fuzz_examples", HELP_FUZZ_EXAMPLES, default=None)
    parser.addini("gradio_fuzz_seconds", HELP_FUZZ_SECONDS, default=None)
    parser.addini("gradio_fuzz_skip", HELP_FUZZ_SKIP, default=None)
    parser.addini("gradio_report", HELP_REPORT, default=None)
    parser.addini("gradio_coverage", HELP_COVERAGE, type="bool", default=False)
    parser.addini("gradio_coverage_fail_under", HELP_COVERAGE_FAIL_UNDER, default=None)
    parser.addini("gradio_app", HELP_APP, default=None)
    parser.addini("gradio_mode", HELP_MODE, default=None)
    parser.addini("gradio_app_scope", HELP_APP_SCOPE, default=None)
    parser.addini("gradio_startup_timeout", HELP_STARTUP_TIMEOUT, default=None)
    parser.addini("gradio_job_timeout", HELP_JOB_TIMEOUT, default=None)
    parser.addini("gradio_transport", HELP_TRANSPORT, default=None)
    parser.addini("gradio_path", HELP_PATH, default=None)
    parser.addini("gradio_mcp_transport", HELP_MCP_TRANSPORT, default=None)
    parser.addini("gradio_summary", HELP_SUMMARY, type="bool", default=False)


# Why this early: gradio and huggingface_hub read these when they are imported, which
# a conftest may do before any fixture runs (see environment.py).
RUN_ENVIRONMENT = pytest.StashKey[environment.RunEnvironment]()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    early_config.stash[RUN_ENVIRONMENT] = environment.prepare()
    # Before a conftest imports gradio (see stubs.py).
    stubs.install()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    run = ci.configure(config)
    run.add_secret(config.getoption("gradio_token"))
    run.add_secret(os.environ.get(ENV_TOKEN))
    if not config.getoption("help", False):
        validate_configuration(config)


def pytest_sessionstart(session: pytest.Session) -> None:
    patches.session_started()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # Apps --gradio-fuzz started at collection, when no test asked for the pool
    # (--collect-only, or every generated test deselected).
    pool = session.config.stash.get(FUZZ_POOL, None)
    if pool is not None:
        ci.get_run(session.config).close_clients()
        pool.close_all()
        del session.config.stash[FUZZ_POOL]
    # Last, after every app is torn down. An in-process pytester run nests a session:
    # only the outermost one's end puts gradio's and uvicorn's names back.
    patches.session_finished()
    if patches.active_sessions() == 0:
        stubs.uninstall()


def validate_configuration(config: pytest.Config) -> None:
    """Check the --gradio-* and ini values once, before any test runs: a typo there is
    a usage error of the whole run, not the same error in every test."""
    resolve_options(config, {}, "the command line")
    app_scope(config)
    configured = _configured_spec(config)
    # Not the environment's: PYTEST_GRADIO_APP may be left set from another project, and
    # must not fail runs that never ask for an app (a test that does gets the error).
    if configured is not None and configured[1] != f"environment {ENV_APP}":
        value, source, base_dir = configured
        try:
            parse_spec(value, source=source, base_dir=base_dir)
        except AppSpecError as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_unconfigure(config: pytest.Config) -> None:
    ci.unconfigure(config)
    prepared = config.stash.get(RUN_ENVIRONMENT, None)
    if prepared is not None:
        del config.stash[RUN_ENVIRONMENT]
        prepared.restore()


# --- resolving spec and options -------------------------------------------------------
# Precedence, written once: marker > command line > environment > ini.


def app_scope(config: pytest.Config) -> Literal["session", "module"]:
    """The scope of `gradio_app_pool`: --gradio-app-scope, else ini gradio_app_scope,
    else "session"."""
    value, source = config.getoption("gradio_app_scope", None), "--gradio-app-scope"
    if value is None:
        value, source = _ini(config, "gradio_app_scope"), "ini gradio_app_scope"
    if value is None:
        return "session"
    if value == "module":
        return "module"
    if value != "session":
        raise pytest.UsageError(
            f"{source} is {value!r}; it must be one of {', '.join(map(repr, APP_SCOPES))} "
            "(how long a gradio_app server lives)."
        )
    return "session"


def _pool_scope(fixture_name: str, config: pytest.Config) -> Literal["session", "module"]:
    # pytest's dynamic scope; --help and bad values stop the run before it matters.
    try:
        return app_scope(config)
    except pytest.UsageError:
        return "session"


def _ini(config: pytest.Config, name: str) -> str | None:
    value = config.getini(name)
    return str(value) if value not in (None, "", []) else None


def _ini_dir(config: pytest.Config) -> Path:
    return Path(config.inipath).parent if config.inipath else Path(config.rootpath)


def resolve_spec(node: pytest.Item, config: pytest.Config) -> AppSpec:
    marker = node.get_closest_marker("gradio_app")
    if marker is not None and marker.args:
        if len(marker.args) > 1:
            raise AppSpecError(
                f"@pytest.mark.gradio_app on {node.nodeid} takes one spec, got "
                f"{len(marker.args)}: {marker.args!r}. Pass options as keywords."
            )
        return parse_spec(
            marker.args[0], source=f"marker on {node.nodeid}", base_dir=node.path.parent
        )
    configured = _configured_spec(config)
    if configured is not None:
        value, source, base_dir = configured
        return parse_spec(value, source=source, base_dir=base_dir)
    raise AppSpecError(
        f"{node.nodeid} uses a gradio fixture but no app is configured. Say which app "
        "to test in one of these places (first found wins): "
        '@pytest.mark.gradio_app("app.py") on the test, class or module; '
        "--gradio-app=app.py on the command line; "
        f"the environment variable {ENV_APP}; "
        "gradio_app = app.py in the ini file."
    )


def _configured_spec(config: pytest.Config) -> tuple[str, str, Path] | None:
    """The spec from the command line, environment or ini (first found), with its
    source and the directory relative paths resolve against."""
    invocation = Path(config.invocation_params.dir)
    cli = config.getoption("gradio_app")
    if cli:
        return cli, "--gradio-app", invocation
    env = os.environ.get(ENV_APP)
    if env:
        return env, f"environment {ENV_APP}", invocation
    ini = _ini(config, "gradio_app")
    if ini:
        return ini, "ini gradio_app", _ini_dir(config)
    return None


def _timeout(value: Any, source: str) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not seconds > 0:
        raise pytest.UsageError(
            f"Invalid timeout {value!r} from {source}: give a positive number of seconds."
        )
    return seconds


def _mapping(value: Any, name: str, source: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise pytest.UsageError(
            f"Invalid {name} {value!r} from {source}: give a dict of keyword arguments."
        )
    return dict(value)


def resolve_options(config: pytest.Config, given: Mapping[str, Any], source: str) -> AppOptions:
    """Options from the marker (or gradio_launch) over CLI, environment and ini."""
    from .options import MODES, TRANSPORTS, AppOptions

    unknown = sorted(set(given) - set(MARKER_OPTIONS))
    if unknown:
        raise pytest.UsageError(
            f"Unknown gradio option(s) {', '.join(unknown)} in {source}; "
            f"valid: {', '.join(MARKER_OPTIONS)}."
        )

    def pick(name: str, cli_dest: str | None, ini: str | None) -> tuple[Any, str]:
        if given.get(name) is not None:
            return given[name], source
        if cli_dest is not None and config.getoption(cli_dest) is not None:
            return config.getoption(cli_dest), "--" + cli_dest.replace("_", "-")
        if ini is not None and _ini(config, ini) is not None:
            return _ini(config, ini), f"ini {ini}"
        return None, ""

    mode, mode_source = pick("mode", "gradio_mode", "gradio_mode")
    if mode is not None and mode not in MODES:
        raise pytest.UsageError(
            f"Invalid gradio mode {mode!r} from {mode_source}: use one of {', '.join(MODES)}."
        )
    startup = _timeout(*pick("startup_timeout", "gradio_startup_timeout", "gradio_startup_timeout"))
    job = _timeout(*pick("job_timeout", "gradio_job_timeout", "gradio_job_timeout"))
    transport, transport_source = pick("transport", "gradio_transport", "gradio_transport")
    if transport is not None and transport not in TRANSPORTS:
        raise pytest.UsageError(
            f"Invalid gradio transport {transport!r} from {transport_source}: "
            f"use one of {', '.join(TRANSPORTS)}."
        )
    path, path_source = pick("path", "gradio_path", "gradio_path")
    if path is not None and not isinstance(path, str):
        raise pytest.UsageError(
            f"Invalid gradio path {path!r} from {path_source}: give a URL path like '/gradio'."
        )
    token, _ = pick("token", "gradio_token", None)
    if token is None:
        token = os.environ.get(ENV_TOKEN) or None
    token = hide(token)  # its repr is a placeholder: safe in tracebacks and reprs
    run = config.stash.get(ci.RUN_KEY, None)
    if run is not None:
        run.add_secret(token)
        for kwargs in (given.get("client_kwargs"), given.get("launch_kwargs")):
            if isinstance(kwargs, Mapping):
                run.add_secret(kwargs.get("token"))
                run.add_secret(kwargs.get("hf_token"))
    return AppOptions(
        mode=mode,
        launch_kwargs=_mapping(given.get("launch_kwargs"), "launch_kwargs", source),
        client_kwargs=_mapping(given.get("client_kwargs"), "client_kwargs", source),
        startup_timeout=startup,
        job_timeout=job,
        token=token,
        transport=transport,
        path=path,
    )


# --- fixtures -------------------------------------------------------------------------


def _progress_writer(config: pytest.Config) -> Callable[[str], None]:
    """Lines about long waits (a Space building), shown on the terminal as they come,
    past output capturing, as live logging does."""

    def write(line: str) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if reporter is None:
            stream = sys.__stderr__
            if stream is not None:
                stream.write(line + "\n")
            return
        disabled = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with disabled:
            reporter.write_line(line)

    return write


FUZZ_POOL = pytest.StashKey["AppPool"]()


def _session_pool(config: pytest.Config) -> AppPool:
    """The session's pool: made at collection when --gradio-fuzz started the apps
    there (to list their endpoints), so that the tests reuse those servers."""
    from .apps import AppPool, start_app

    pool = config.stash.get(FUZZ_POOL, None)
    if pool is None:
        pool = AppPool(functools.partial(start_app, progress=_progress_writer(config)))
        config.stash[FUZZ_POOL] = pool
    return pool


@pytest.fixture(scope=_pool_scope)
def gradio_app_pool(pytestconfig: pytest.Config) -> Iterator[AppPool]:
    """The session's running apps, one per distinct spec and options (per xdist worker).

    Started on first use, stopped at session end, or at the end of each module with
    --gradio-app-scope=module. Override to share apps differently.
    """
    # The plugin was registered after conftests were loaded (`pytest_plugins`): late.
    late = None if RUN_ENVIRONMENT in pytestconfig.stash else environment.prepare()
    pool = _session_pool(pytestconfig)
    try:
        yield pool
    finally:
        # Clients first: a server waits for open streams before it stops.
        ci.get_run(pytestconfig).close_clients()
        pool.close_all()
        del pytestconfig.stash[FUZZ_POOL]
        if late is not None:
            late.restore()


@pytest.fixture
def gradio_app(request: pytest.FixtureRequest, gradio_app_pool: AppPool) -> GradioApp:
    """The app under test, from the marker, --gradio-app, PYTEST_GRADIO_APP or ini.

    >>> def test_url(gradio_app):
    ...     assert gradio_app.url.startswith("http://127.0.0.1:")
    """
    node = request.node
    spec = resolve_spec(node, request.config)
    marker = node.get_closest_marker("gradio_app")
    given = dict(marker.kwargs) if marker is not None else {}
    options = resolve_options(request.config, given, f"marker on {node.nodeid}")
    run = ci.get_run(request.config)
    key = (spec.key, options.key())
    failed = run.failed_starts.get(key)
    if failed is not None:
        first, error = failed
        raise AppStartError(
            f"gradio app {spec.describe()} failed to start earlier in this session "
            f"({_gist(error)}); not started again. Its error is in the report of {first}."
        )
    try:
        app, note = gradio_app_pool.get(spec, options)
    except GradioTestError as exc:
        run.failed_starts[key] = (node.nodeid, str(exc))
        raise
    if note is not None:
        node.add_report_section("setup", "gradio", note)
    run.use_app(node, app)
    return app


@pytest.fixture
def gradio_client(request: pytest.FixtureRequest, gradio_app: GradioApp) -> Iterator[GradioClient]:
    """A fresh client of the app under test, with its own session (gr.State starts
    empty). Its jobs record timelines; jobs still running at teardown are cancelled.

    >>> def test_add(gradio_client):
    ...     assert gradio_client.predict(1, 2, api_name="/add") == 3
    """
    client = gradio_app.client()
    try:
        yield client
    finally:
        # Bounded: a server that does not answer the cancel must not hold teardown.
        ci.get_run(request.config).close_client(client)


@pytest.fixture
def gradio_mcp(request: pytest.FixtureRequest) -> Iterator[GradioMCP]:
    """An MCP client of the app under test (`[mcp]` extra), its session opened for this
    test and closed after it. `call_tool()` returns a recorded call (a job); calls
    still running at teardown are cancelled.

    >>> @pytest.mark.gradio_app("app.py", launch_kwargs={"mcp_server": True})
    ... def test_tool(gradio_mcp):
    ...     assert_job_result(gradio_mcp.call_tool("greet", {"name": "Ada"}), "Hello, Ada!")
    """
    from .mcp_client.session import MCP_TRANSPORTS, open_for_app, require_sdk

    require_sdk()  # before the app starts: a missing extra is said at once
    transport, source = "streamable-http", "the default"
    cli = request.config.getoption("gradio_mcp_transport")
    ini = _ini(request.config, "gradio_mcp_transport")
    if cli is not None:
        transport, source = cli, "--gradio-mcp-transport"
    elif ini is not None:
        transport, source = ini, "ini gradio_mcp_transport"
    if transport not in MCP_TRANSPORTS:
        raise pytest.UsageError(
            f"Invalid MCP transport {transport!r} from {source}: use one of "
            f"{', '.join(MCP_TRANSPORTS)}."
        )
    gradio_app: GradioApp = request.getfixturevalue("gradio_app")
    client = open_for_app(gradio_app, transport=transport)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def gradio_launch(
    request: pytest.FixtureRequest, gradio_app_pool: AppPool
) -> Iterator[Callable[..., GradioApp]]:
    """Factory: `gradio_launch(spec_or_blocks, **options)` starts an app for this test
    only and returns its handle; it is stopped after the test.

    >>> def test_custom(gradio_launch):
    ...     app = gradio_launch(make_demo(), launch_kwargs={"max_file_size": "1kb"})
    """
    from .apps import start_app

    started: list[GradioApp] = []
    source = f"gradio_launch() in {request.node.nodeid}"

    def launch(spec: Any, **options: Any) -> GradioApp:
        parsed = parse_spec(spec, source=source, base_dir=request.node.path.parent)
        app = start_app(
            parsed,
            resolve_options(request.config, options, source),
            progress=_progress_writer(request.config),
        )
        started.append(app)
        ci.get_run(request.config).use_app(request.node, app)
        return app

    try:
        yield launch
    finally:
        for app in reversed(started):
            ci.get_run(request.config).close_clients(url=app.url)
            app.close()


@pytest.fixture
def gradio_snapshot(request: pytest.FixtureRequest) -> SnapshotAssertion:
    """syrupy's `snapshot` with `GradioSnapshotExtension` as its default: jobs are
    waited for, then written without times, ids, ports or temp dirs.

    >>> def test_stream(gradio_client, gradio_snapshot):
    ...     assert gradio_client.submit("hi", api_name="/chat") == gradio_snapshot
    """
    try:
        snapshot = request.getfixturevalue("snapshot")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(
            f"{request.node.nodeid} uses gradio_snapshot, which is built on syrupy's "
            "`snapshot` fixture, but syrupy is not active. Install it "
            "(pip install pytest-gradio brings it) and do not disable it with -p no:syrupy."
        ) from None
    from .snapshot import GradioSnapshotExtension

    return snapshot.use_extension(GradioSnapshotExtension)  # type: ignore[no-any-return]


def _gist(error: str) -> str:
    """The line of an error message that says most: the exception's, else the first."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    for line in lines:
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*", line):
            return line
    return lines[0] if lines else "no message"


# --- marker misuse, found at collection -----------------------------------------------

MARKER_ON_BLOCKS = (
    "{where}: @pytest.mark.gradio_app({name}) was given a gr.Blocks as its only argument. "
    "pytest takes a marker called with one callable as a decorator of that callable, and "
    "a Blocks is callable: the marker went onto the Blocks, and the test under it was "
    "replaced by what the Blocks returned (or failed to import). Write "
    "@pytest.mark.gradio_app.with_args({name}) (also for pytestmark = ...)."
)


def _marked_blocks(namespace: Mapping[str, Any]) -> str | None:
    """The name of a gr.Blocks in `namespace` (or one module deep) that carries a
    gradio_app marker, i.e. that was "decorated" by pytest.mark.gradio_app(demo)."""
    import types

    candidates = list(namespace.items())
    for name, value in list(candidates):
        if isinstance(value, types.ModuleType):
            candidates.extend((f"{name}.{k}", v) for k, v in vars(value).items())
    for name, value in candidates:
        if name == "pytestmark" and is_blocks(value):
            return name
        if is_blocks(value):
            marks = getattr(value, "pytestmark", None)
            if isinstance(marks, list) and any(
                getattr(mark, "name", None) == "gradio_app" for mark in marks
            ):
                return name
    return None


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    if report.passed and _fuzzing(collector.config):
        report.result.extend(_fuzz_items(collector, report.result))
    if not isinstance(collector, pytest.Module) or "gradio" not in sys.modules:
        return report
    namespaces: list[Mapping[str, Any]] = []
    module = collector.__dict__.get("_obj")
    if module is not None:
        namespaces.append(vars(module))
    call = report.__dict__.get("call")
    excinfo = getattr(call, "excinfo", None)
    if report.failed and excinfo is not None:
        # The import failed (a Blocks called with the test function): the frames that
        # ran hold the Blocks; the test module's own names first.
        frames = [entry.frame for entry in reversed(excinfo.traceback)]
        frames.sort(key=lambda frame: frame.code.path != collector.path)
        for frame in frames:
            namespaces.append(frame.f_globals)
            namespaces.append(frame.f_locals)
    for namespace in namespaces:
        name = _marked_blocks(namespace)
        if name is not None:
            shown = "demo" if name in ("self", "pytestmark") else name
            report.outcome = "failed"
            report.longrepr = MARKER_ON_BLOCKS.format(where=collector.nodeid, name=shown)
            report.result = []
            break
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marker options are checked once, at collection: a typo in one is a usage error."""
    for item in items:
        marker = item.get_closest_marker("gradio_app")
        if marker is None:
            continue
        source = f"marker on {item.nodeid}"
        if len(marker.args) > 1:
            raise pytest.UsageError(
                f"@pytest.mark.gradio_app on {item.nodeid} takes one spec, got "
                f"{len(marker.args)}: {marker.args!r}. Pass options as keywords."
            )
        resolve_options(config, marker.kwargs, source)


# --- --gradio-fuzz: one generated test per endpoint --------------------------------------


def _fuzz_settings(config: pytest.Config) -> tuple[int, float | None, set[str]]:
    """max_examples, max_seconds and the api_names to skip, from the command line or
    the ini file; a bad value is a usage error naming its source."""
    from .fuzzing import DEFAULT_EXAMPLES

    def pick(name: str) -> tuple[str | None, str]:
        cli = config.getoption(name)
        if cli is not None:
            return str(cli), "--" + name.replace("_", "-")
        return _ini(config, name), f"ini {name}"

    raw, source = pick("gradio_fuzz_examples")
    examples = DEFAULT_EXAMPLES
    if raw is not None:
        if not raw.strip().isdigit() or int(raw) < 1:
            raise pytest.UsageError(
                f"Invalid number of examples {raw!r} from {source}: give a positive integer."
            )
        examples = int(raw)
    raw, source = pick("gradio_fuzz_seconds")
    seconds = _timeout(raw, source)
    raw, _ = pick("gradio_fuzz_skip")
    skip = {"/" + name.strip().lstrip("/") for name in (raw or "").split(",") if name.strip()}
    return examples, seconds, skip


FuzzApp = tuple[AppSpec, "AppOptions", "pytest.Mark | None"]
# The apps --gradio-fuzz generated tests for in this run, by spec and options key.
FUZZED = pytest.StashKey[set[tuple[Any, ...]]]()


def _fuzzing(config: pytest.Config) -> bool:
    return bool(config.getoption("gradio_fuzz") or config.getini("gradio_fuzz"))


def _fuzz_apps(collector: pytest.Collector, results: list[Any]) -> list[FuzzApp]:
    """The apps not fuzzed yet that `collector` brings: the session, the configured
    one (--gradio-app, environment, ini); any other collector, each distinct
    gradio_app marker of the tests it collected."""
    config = collector.config
    seen = config.stash.setdefault(FUZZED, set())
    found: list[FuzzApp] = []

    def add(spec: AppSpec, options: AppOptions, marker: pytest.Mark | None) -> None:
        key = (spec.key, options.key())
        if key not in seen:
            seen.add(key)
            found.append((spec, options, marker))

    if isinstance(collector, pytest.Session):
        configured = _configured_spec(config)
        if configured is not None:
            value, source, base_dir = configured
            spec = parse_spec(value, source=source, base_dir=base_dir)
            add(spec, resolve_options(config, {}, source), None)
        return found
    for item in results:
        if not isinstance(item, pytest.Item):
            continue
        marker = item.get_closest_marker("gradio_app")
        if marker is None or not marker.args:
            continue
        spec = resolve_spec(item, config)
        add(spec, resolve_options(config, marker.kwargs, f"marker on {item.nodeid}"), marker)
    return found


def _fuzz_items(collector: pytest.Collector, results: list[Any]) -> list[pytest.Item]:
    """The generated tests, one per API endpoint of each app `collector` brings, made
    beside its tests (so that -k, xdist and other plugins see them as collected).
    The app is started now, to list its endpoints, in the pool its tests will use."""
    examples, seconds, skip = _fuzz_settings(collector.config)
    generated: list[pytest.Item] = []
    for spec, options, marker in _fuzz_apps(collector, results):
        # Under the session the name says which app; beside its tests, their marker does.
        prefix = "" if marker is not None else (spec.raw or spec.target)
        try:
            app, _ = _session_pool(collector.config).get(spec, options)
            client = app.client()
            try:
                names = sorted((client._info or {}).get("named_endpoints") or {})
            finally:
                client.close()
        except GradioTestError as exc:
            error = str(exc)

            def failed_to_start(error: str = error) -> None:
                raise AppStartError(f"--gradio-fuzz could not list the endpoints: {error}")

            generated.append(
                _fuzz_function(collector, f"gradio_fuzz[{prefix}]", failed_to_start, marker)
            )
            continue
        for name in names:
            if name in skip:
                continue
            test = _fuzz_test(name, examples, seconds)
            generated.append(
                _fuzz_function(collector, f"gradio_fuzz[{prefix}{name}]", test, marker)
            )
        if not [name for name in names if name not in skip]:
            # Else the run says "no tests ran" (exit 5) and nothing of why.
            why = _nothing_to_fuzz(spec.raw or spec.target, names)
            generated.append(
                _fuzz_function(collector, f"gradio_fuzz[{prefix}]", _skipped(why), marker)
            )
    return generated


def _nothing_to_fuzz(app: str, names: list[str]) -> str:
    if names:
        return (
            f"not fuzzed: --gradio-fuzz-skip leaves no endpoint of {app} "
            f"(its endpoints: {', '.join(names)})"
        )
    return (
        f"not fuzzed: {app} has no API endpoint (its events are private: "
        "api_visibility='private' or api_name=False); test them from the page (gradio_page)"
    )


def _skipped(reason: str) -> Callable[..., None]:
    def gradio_fuzz() -> None:
        pytest.skip(reason)

    return gradio_fuzz


def _fuzz_function(
    parent: Any, name: str, test: Callable[..., None], marker: pytest.Mark | None
) -> pytest.Item:
    function = pytest.Function.from_parent(parent, name=name, callobj=test)
    if marker is not None:
        # Its app, whatever the closest marker says. with_args: a Blocks is callable.
        function.add_marker(
            getattr(pytest.mark, marker.name).with_args(*marker.args, **marker.kwargs)
        )
    return function


def _fuzz_test(endpoint: str, examples: int, seconds: float | None) -> Callable[..., None]:
    """A test --gradio-fuzz generates: fuzz `endpoint` with the run's budget."""

    def gradio_fuzz(gradio_client: GradioClient) -> None:
        __tracebackhide__ = True
        from .errors import UnsupportedComponentError
        from .fuzzing import fuzz_endpoint, not_callable_reason

        reason = not_callable_reason(gradio_client, endpoint)
        if reason is not None:
            pytest.skip(f"not fuzzed: {reason}")
        try:
            fuzz_endpoint(gradio_client, endpoint, max_examples=examples, max_seconds=seconds)
        except UnsupportedComponentError as exc:
            pytest.skip(f"not fuzzed: {exc}")

    return gradio_fuzz
