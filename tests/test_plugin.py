"""The plugin as users meet it: markers, options, precedence, fixture scopes.

Each test runs a real pytest session through `pytester` against real Gradio apps.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from .conftest import WHICH_TEST, write_which_app

pytestmark = pytest.mark.timeout(120)


def _write_test(pytester: pytest.Pytester, expected: str, where: str = "test_which.py") -> None:
    path = pytester.path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(WHICH_TEST.format(expected=expected)))


def test_marker_path_is_relative_to_the_test_file(pytester: pytest.Pytester) -> None:
    """@pytest.mark.gradio_app("app.py") finds app.py beside the test file."""
    write_which_app(pytester.path / "sub", "beside the test")
    (pytester.path / "sub" / "test_marker.py").write_text(
        "import pytest\n"
        'pytestmark = pytest.mark.gradio_app("app.py")\n'
        + textwrap.dedent(WHICH_TEST.format(expected="beside the test"))
    )
    pytester.runpytest("sub").assert_outcomes(passed=1)


def test_cli_path_is_relative_to_the_invocation_dir(pytester: pytest.Pytester) -> None:
    """--gradio-app resolves against the directory pytest was started in."""
    write_which_app(pytester.path / "apps", "from the command line")
    _write_test(pytester, "from the command line", "tests/test_which.py")
    pytester.runpytest("--gradio-app=apps/app.py", "tests").assert_outcomes(passed=1)


def test_env_spec(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """PYTEST_GRADIO_APP is read when there is no marker and no --gradio-app."""
    write_which_app(pytester.path, "from the environment")
    _write_test(pytester, "from the environment")
    monkeypatch.setenv("PYTEST_GRADIO_APP", "app.py:demo")
    pytester.runpytest().assert_outcomes(passed=1)


def test_ini_path_is_relative_to_the_ini_file(pytester: pytest.Pytester) -> None:
    """ini gradio_app resolves against the ini file's directory, wherever pytest starts."""
    write_which_app(pytester.path / "apps", "from the ini file")
    pytester.makeini("[pytest]\ngradio_app = apps/app.py\n")
    _write_test(pytester, "from the ini file", "tests/test_which.py")
    tests_dir = pytester.path / "tests"
    monkeypatch = pytest.MonkeyPatch()
    try:
        monkeypatch.chdir(tests_dir)
        result = pytester.runpytest(str(tests_dir))
    finally:
        monkeypatch.undo()
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "cli", "env", "expected"),
    [
        (True, True, True, "marker"),
        (False, True, True, "cli"),
        (False, False, True, "env"),
        (False, False, False, "ini"),
    ],
)
def test_precedence_marker_cli_env_ini(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    marker: bool,
    cli: bool,
    env: bool,
    expected: str,
) -> None:
    """The first source found wins: marker > --gradio-app > PYTEST_GRADIO_APP > ini."""
    for name in ("marker", "cli", "env", "ini"):
        write_which_app(pytester.path, name, f"{name}_app.py")
    pytester.makeini("[pytest]\ngradio_app = ini_app.py\n")
    header = (
        'import pytest\npytestmark = pytest.mark.gradio_app("marker_app.py")\n' if marker else ""
    )
    pytester.makepyfile(test_precedence=header + WHICH_TEST.format(expected=expected))
    if env:
        monkeypatch.setenv("PYTEST_GRADIO_APP", "env_app.py")
    args = ["--gradio-app=cli_app.py"] if cli else []
    pytester.runpytest(*args).assert_outcomes(passed=1)


def test_closest_marker_wins(pytester: pytest.Pytester) -> None:
    """A function marker overrides a class marker, which overrides the module marker."""
    for name in ("module", "klass", "function"):
        write_which_app(pytester.path, name, f"{name}.py")
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.gradio_app("module.py")

        def test_module(gradio_client):
            assert gradio_client.predict(api_name="/which") == "module"

        @pytest.mark.gradio_app("klass.py")
        class TestClass:
            def test_class(self, gradio_client):
                assert gradio_client.predict(api_name="/which") == "klass"

            @pytest.mark.gradio_app("function.py")
            def test_function(self, gradio_client):
                assert gradio_client.predict(api_name="/which") == "function"
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_no_spec_names_the_four_places(pytester: pytest.Pytester) -> None:
    """Asking for gradio_app with no app configured errors with the four sources."""
    pytester.makepyfile("def test_x(gradio_app):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*no app is configured*@pytest.mark.gradio_app*--gradio-app*PYTEST_GRADIO_APP*"
            "gradio_app = app.py*",
        ]
    )


def test_unknown_marker_option(pytester: pytest.Pytester) -> None:
    """A misspelt marker keyword is reported with the valid ones."""
    write_which_app(pytester.path, "x")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.gradio_app("app.py", startup_timout=5)
        def test_x(gradio_client):
            pass
        """
    )
    result = pytester.runpytest()
    # Found at collection, before any app starts: a usage error of the run.
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*Unknown gradio option(s) startup_timout in marker on test_unknown_marker_option.py*"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gradio-job-timeout=soon"], "*Invalid timeout 'soon' from --gradio-job-timeout*"),
        (["--gradio-startup-timeout=-1"], "*Invalid timeout '-1' from --gradio-startup-timeout*"),
        (["--gradio-mode=process"], "*Invalid gradio mode 'process' from --gradio-mode*"),
        (
            ["--gradio-app-scope=modul"],
            "*--gradio-app-scope is 'modul'; it must be one of 'session', 'module'*",
        ),
        (
            ["-o", "gradio_app_scope=test"],
            "*ini gradio_app_scope is 'test'; it must be one of 'session', 'module'*",
        ),
    ],
)
def test_invalid_option_values_name_their_source(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    """Bad option values fail once, at start-up, with the value and the option it
    came from."""
    write_which_app(pytester.path, "x")
    pytester.makepyfile("def test_x(gradio_client):\n    pass\n")
    result = pytester.runpytest("--gradio-app=app.py", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_one_server_per_spec_and_options(pytester: pytest.Pytester) -> None:
    """Tests with the same spec+options share a server; other options get their own."""
    write_which_app(pytester.path, "shared")
    pytester.makepyfile(
        test_a="""
        import pytest

        URLS = []

        def test_one(gradio_app):
            URLS.append(gradio_app.url)

        def test_two(gradio_app):
            assert gradio_app.url == URLS[0]

        @pytest.mark.gradio_app(launch_kwargs={"max_file_size": "5mb"})
        def test_other_options(gradio_app):
            assert gradio_app.url != URLS[0]
            URLS.append(gradio_app.url)
        """,
        test_b="""
        from test_a import URLS

        def test_other_module(gradio_app):
            assert gradio_app.url == URLS[0]
        """,
    )
    pytester.runpytest("--gradio-app=app.py", "-p", "no:randomly").assert_outcomes(passed=4)


SCOPE_TESTS = {
    "test_a": """
        URLS = []

        def test_one(gradio_app):
            URLS.append(gradio_app.url)

        def test_two(gradio_app):
            assert gradio_app.url == URLS[0]
        """,
    "test_b": """
        import httpx
        from test_a import URLS

        def test_other_module(gradio_app):
            URLS.append(gradio_app.url)
            if gradio_app.url == URLS[0]:
                return
            # Another server: the first module's was stopped after its last test.
            try:
                httpx.get(URLS[0] + "config", timeout=5)
            except httpx.TransportError:
                return
            raise AssertionError(f"the first module's server still answers at {URLS[0]}")
        """,
}


@pytest.mark.parametrize(
    ("args", "ini", "shared"),
    [
        ((), "", True),
        (("--gradio-app-scope=session",), "", True),
        (("--gradio-app-scope=module",), "", False),
        ((), "gradio_app_scope = module", False),
        (("--gradio-app-scope=session",), "gradio_app_scope = module", True),
    ],
    ids=["default", "cli-session", "cli-module", "ini-module", "cli-wins"],
)
def test_app_scope_session_or_module(
    pytester: pytest.Pytester, args: tuple[str, ...], ini: str, shared: bool
) -> None:
    """`gradio_app` servers live for the session by default; with module scope, each
    module's are stopped after its last test and the next module starts its own."""
    write_which_app(pytester.path, "scoped")
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(**SCOPE_TESTS)
    (pytester.path / "conftest.py").write_text(
        "import test_a\n\ndef pytest_sessionfinish(session):\n"
        "    open('urls.txt', 'w').write(' '.join(test_a.URLS))\n"
    )
    result = pytester.runpytest("--gradio-app=app.py", "-p", "no:randomly", *args)
    result.assert_outcomes(passed=3)
    first, other = (pytester.path / "urls.txt").read_text().split()
    assert (other == first) is shared


def test_gradio_client_is_fresh_per_test(pytester: pytest.Pytester, basic_app_source: str) -> None:
    """Each test's client has its own session, so gr.State never leaks between tests."""
    (pytester.path / "app.py").write_text(basic_app_source)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")
        HASHES = []

        @pytest.mark.parametrize("run", [1, 2])
        def test_state(gradio_client, run):
            HASHES.append(gradio_client.session_hash)
            assert gradio_client.predict("x", api_name="/remember") == "x"
            assert gradio_client.predict("y", api_name="/remember") == "x, y"

        def test_sessions_differ():
            assert len(set(HASHES)) == 2
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_gradio_launch_is_per_test(pytester: pytest.Pytester) -> None:
    """gradio_launch starts an app for one test and stops it after that test."""
    write_which_app(pytester.path, "launched")
    pytester.makepyfile(
        """
        import httpx
        import gradio as gr

        URLS = []

        def test_launch_script(gradio_launch):
            app = gradio_launch("app.py")
            assert app.client().predict(api_name="/which") == "launched"
            URLS.append(app.url)

        def test_launch_blocks_object(gradio_launch):
            with gr.Blocks() as demo:
                box = gr.Textbox()
                gr.Button().click(lambda: "object", None, box, api_name="which")
            app = gradio_launch(demo)
            assert app.client().predict(api_name="/which") == "object"

        def test_stopped_after_its_test():
            try:
                httpx.get(URLS[0] + "config", timeout=2)
            except httpx.ConnectError:
                return
            raise AssertionError("the app launched by the first test still answers")
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_dead_server_is_restarted_with_a_note(pytester: pytest.Pytester) -> None:
    """A session app that died is restarted for the next test, which is told so."""
    write_which_app(pytester.path, "alive again")
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")
        URLS = []

        def test_kill(gradio_app):
            URLS.append(gradio_app.url)
            gradio_app.blocks.close()

        def test_restarted(gradio_app, gradio_client):
            assert gradio_app.restarts == 1
            assert gradio_client.predict(api_name="/which") == "alive again"
        """
    )
    result = pytester.runpytest("-rP", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*had stopped*restarted it for this test*"])


def test_script_launch_is_owned_by_the_plugin(pytester: pytest.Pytester) -> None:
    """A module-level launch(server_name="0.0.0.0", server_port=7860) runs on
    127.0.0.1 and a free port, and the script's other launch arguments are kept."""
    pytester.makepyfile(
        app="""
        import gradio as gr

        with gr.Blocks() as demo:
            n = gr.Number()
            gr.Button().click(lambda x: 1 / 0, n, n, api_name="crash")

        demo.launch(server_name="0.0.0.0", server_port=7860, show_error=True)
        """,
        test_launch="""
        import pytest
        from pytest_gradio import assert_job_error

        pytestmark = pytest.mark.gradio_app("app.py")

        def test_where(gradio_app):
            assert gradio_app.url.startswith("http://127.0.0.1:")
            assert ":7860/" not in gradio_app.url

        def test_show_error_kept(gradio_client):
            # show_error=True is the script's own argument: the real message comes back.
            assert_job_error(gradio_client.submit(1, api_name="/crash"), match="division by zero")
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_main_guarded_launch_arguments_are_kept(pytester: pytest.Pytester) -> None:
    """launch() under `if __name__ == "__main__"` is honoured too (argv is the script's)."""
    pytester.makepyfile(
        app="""
        import argparse
        import gradio as gr

        with gr.Blocks() as demo:
            n = gr.Number()
            gr.Button().click(lambda x: 1 / 0, n, n, api_name="crash")

        if __name__ == "__main__":
            argparse.ArgumentParser().parse_args()
            demo.launch(show_error=True)
        """,
        test_launch="""
        import pytest
        from pytest_gradio import assert_job_error

        @pytest.mark.gradio_app("app.py")
        def test_show_error_kept(gradio_client):
            assert_job_error(gradio_client.submit(1, api_name="/crash"), match="division by zero")
        """,
    )
    pytester.runpytest("-q").assert_outcomes(passed=1)


def test_module_factory_spec(pytester: pytest.Pytester) -> None:
    """`package.module:factory` calls a zero-argument factory returning a Blocks."""
    pkg = pytester.mkpydir("myapps")
    (pkg / "factory.py").write_text(
        textwrap.dedent(
            """
            import gradio as gr

            def make_demo():
                with gr.Blocks() as demo:
                    box = gr.Textbox()
                    gr.Button().click(lambda: "factory", None, box, api_name="which")
                return demo
            """
        )
    )
    pytester.syspathinsert()
    _write_test(pytester, "factory")
    pytester.runpytest("--gradio-app=myapps.factory:make_demo").assert_outcomes(passed=1)


def test_blocks_object_in_marker(pytester: pytest.Pytester) -> None:
    """A gr.Blocks object can be given to the marker, through `with_args` (pytest
    takes a lone callable argument for the function being decorated, and a Blocks is
    callable)."""
    pytester.makepyfile(
        """
        import gradio as gr
        import pytest

        with gr.Blocks() as demo:
            box = gr.Textbox()
            gr.Button().click(lambda: "object", None, box, api_name="which")

        @pytest.mark.gradio_app.with_args(demo)
        def test_object(gradio_client):
            assert gradio_client.predict(api_name="/which") == "object"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_url_spec_targets_a_running_app(pytester: pytest.Pytester, gradio_launch: object) -> None:
    """--gradio-app=http://... talks to an app that already runs."""
    app_path = write_which_app(pytester.path / "elsewhere", "already running")
    running = gradio_launch(str(app_path))  # type: ignore[operator]
    _write_test(pytester, "already running")
    result = pytester.runpytest(f"--gradio-app={running.url}", "test_which.py")
    result.assert_outcomes(passed=1)


def test_no_gradio_import_without_gradio_fixtures(pytester: pytest.Pytester) -> None:
    """Loading the plugin imports neither gradio nor gradio_client."""
    pytester.makepyfile(
        """
        import sys

        def test_plain():
            assert "gradio" not in sys.modules
            assert "gradio_client" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess("-p", "gradio")
    result.assert_outcomes(passed=1)


# Every option that takes a value, with the placeholder its help shows (issue 19).
OPTION_VALUES = {
    "--gradio-app": "SPEC",
    "--gradio-mode": "MODE",
    "--gradio-app-scope": "SCOPE",
    "--gradio-startup-timeout": "SECONDS",
    "--gradio-job-timeout": "SECONDS",
    "--gradio-transport": "TRANSPORT",
    "--gradio-path": "URL_PATH",
    "--gradio-mcp-transport": "TRANSPORT",
    "--gradio-token": "TOKEN",
    "--gradio-summary-json": "PATH",
    "--gradio-report": "PATH",
    "--gradio-coverage-fail-under": "PCT",
    "--gradio-fuzz-examples": "N",
    "--gradio-fuzz-seconds": "SECONDS",
    "--gradio-fuzz-skip": "API_NAMES",
    "--gradio-browser": "PATH",
    "--gradio-output": "DIR",
    "--gradio-tracing": "MODE",
    "--gradio-console-errors": "MODE",
}


def test_help_lists_the_options(pytester: pytest.Pytester) -> None:
    """`pytest --help` shows the gradio option group, each value as a placeholder that
    says what it is (SECONDS, PATH, MODE), never argparse's GRADIO_* dest names, and
    the job timeout's help says what it bounds besides the helpers."""
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        ["*testing Gradio apps*"]
        + [f"  {option}={value}*" for option, value in OPTION_VALUES.items()]
    )
    result.stdout.fnmatch_lines(["  --gradio-job-timeout=SECONDS", "*result() and predict()*"])
    assert "=GRADIO_" not in result.stdout.str()


def test_readme_install_leads_with_a_command_that_works() -> None:
    """Issue 19: `pip install pytest-gradio` fails until the first release is on an
    index, so the Install section's first command installs from a checkout, and the
    index line comes after it, saying when it applies."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^pip install .*$", install, re.MULTILINE)
    assert commands[0].startswith("pip install -e path/to/pytest-gradio ")
    assert "pip install pytest-gradio" not in install.split("Once the first release", 1)[0]
    assert "Once the first release is on PyPI, `pip install pytest-gradio`" in install


def test_readme_options_table_matches_the_help() -> None:
    """README's Options table names each option with the placeholder --help shows."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("## Options", 1)[1].split("\n\n", 2)[1]
    shown = dict(re.findall(r"`(--gradio-[a-z-]+) ([A-Z_]+)`", table))
    assert shown == OPTION_VALUES
    assert "`--gradio-job-timeout SECONDS` | `gradio_job_timeout` | 60 s: bounds" in table


def test_telemetry_is_off_before_conftests_import_gradio(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin sets telemetry defaults before any conftest runs; a user's own
    setting is kept."""
    pytester.makeconftest(
        """
        import os

        SEEN = dict(os.environ)
        """
    )
    pytester.makepyfile(
        """
        from conftest import SEEN

        def test_env():
            assert SEEN["GRADIO_ANALYTICS_ENABLED"] == "False"
            assert SEEN["HF_HUB_DISABLE_TELEMETRY"] == "7"
        """
    )
    monkeypatch.delenv("GRADIO_ANALYTICS_ENABLED", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "7")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
