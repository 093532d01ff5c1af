"""First contact (issue 10): one mistake gives one short error, on a screen.

Each case is run as a user would meet it, and the report of every failing test is
counted: at most 25 lines, with the cause in its first 5 lines (not counting blank
lines), no frame of the plugin, and nothing repeated.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from .conftest import APPS

pytestmark = pytest.mark.timeout(240)

MAX_LINES = 25
CAUSE_WITHIN = 5
_HEADER = re.compile(r"^_{3,} (.+?) _{3,}$")
_END = re.compile(r"^={3,} .* ={3,}$")


def reports(output: str) -> dict[str, list[str]]:
    """Each failing test's report in the terminal output, by its header title."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        header = _HEADER.match(line)
        if header is not None:
            current = blocks.setdefault(header.group(1), [])
            continue
        if _END.match(line):
            current = None
            continue
        if current is not None:
            current.append(line)
    return blocks


def check_short(block: list[str], cause: str, name: str) -> None:
    text = "\n".join(block)
    assert len(block) <= MAX_LINES, f"{name}: {len(block)} lines\n{text}"
    first = [line for line in block if line.strip()][:CAUSE_WITHIN]
    assert any(cause in line for line in first), f"{name}: {cause!r} not in\n" + "\n".join(first)
    assert "pytest_gradio/" not in text, f"{name}: a plugin frame is shown\n{text}"
    assert "site-packages/_pytest" not in text, text


FIVE_TESTS = """
import pytest

pytestmark = pytest.mark.gradio_app({spec!r}{options})

@pytest.mark.parametrize("n", range(5))
def test_app(gradio_client, n):
    pass
"""


def test_misspelled_path_is_one_short_error_per_test(pytester: pytest.Pytester) -> None:
    """ap.py for app.py: each test's error is the message, first, and short."""
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(test_app=FIVE_TESTS.format(spec="ap.py", options=""))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=5)
    blocks = reports(result.stdout.str())
    assert len(blocks) == 5
    for name, block in blocks.items():
        check_short(block, "gradio app script 'ap.py'", name)
        assert "does not exist" in block[0]


def test_bad_mode_is_one_usage_error_at_start_up(pytester: pytest.Pytester) -> None:
    """--gradio-mode=subproces fails the run once, before any test, as a usage error."""
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(test_app=FIVE_TESTS.format(spec="app.py", options=""))
    result = pytester.runpytest("--gradio-mode=subproces")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = result.stdout.lines + result.stderr.lines
    check_short(
        [line for line in lines if line.strip()],
        "Invalid gradio mode 'subproces' from --gradio-mode: use one of thread, subprocess.",
        "usage error",
    )
    assert "test_app" not in result.stdout.str()  # no test ran, none reported


def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """An ini value is checked at start-up too, naming the ini option."""
    pytester.makeini("[pytest]\ngradio_job_timeout = soon\n")
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*Invalid timeout 'soon' from ini gradio_job_timeout*"])


def test_bad_app_path_on_the_command_line_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--gradio-app=ap.py is found at start-up, not in each test."""
    pytester.makepyfile("def test_x(gradio_client):\n    pass\n")
    result = pytester.runpytest("--gradio-app=ap.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*gradio app script 'ap.py' from --gradio-app does not exist*"])


def test_syntax_error_in_subprocess_mode_starts_once(pytester: pytest.Pytester) -> None:
    """A broken app in subprocess mode: the first test shows the SyntaxError in its first
    lines; the four others fail at once with one line pointing at the first."""
    (pytester.path / "app.py").write_text("import gradio as gr\ndef f(x)\n    return x\n")
    pytester.makepyfile(test_app=FIVE_TESTS.format(spec="app.py", options=', mode="subprocess"'))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=5)
    blocks = list(reports(result.stdout.str()).values())
    assert len(blocks) == 5
    check_short(blocks[0], "SyntaxError: expected ':'", "first")
    for block in blocks[1:]:
        check_short(block, "failed to start earlier in this session", "later")
        assert len([line for line in block if line.strip()]) == 1
        assert "(SyntaxError: expected ':'); not started again" in block[0]
        assert block[0].endswith("Its error is in the report of test_app.py::test_app[0].")
    # Started once: one app process wrote one error.
    # In the reports, before pytest's one-line summary (which quotes the message's first
    # line again; in full when CI is set, cut to the terminal's width elsewhere).
    before_summary = result.stdout.str().split("short test summary info")[0]
    assert before_summary.count("raised while starting") == 1


def test_failing_helper_shows_the_message_not_its_source(pytester: pytest.Pytester) -> None:
    """A failing assert_job_* shows the user's line and the message; the helper's own
    source is hidden, and the timeline is not printed twice."""
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(
        test_app="""
        import pytest
        from pytest_gradio import assert_job_result

        pytestmark = pytest.mark.gradio_app("app.py")

        def test_add(gradio_client):
            assert_job_result(gradio_client.submit(1, 2, api_name="/add"), 4)
        """
    )
    result = pytester.runpytest("-W", "ignore")
    result.assert_outcomes(failed=1)
    (block,) = reports(result.stdout.str()).values()
    check_short(block, "AssertionError: assert_job_result: the result differs.", "helper")
    text = "\n".join(block)
    assert "def assert_job_result" not in text
    assert text.count("timeline of /add(1, 2):") == 1
    assert "(timeline above)" in text


def test_app_traceback_once_and_gr_error_as_its_message(pytester: pytest.Pytester) -> None:
    """The app's traceback shows once (the report's server log, not again as captured
    stderr), a gr.Error as one line with its message, and no plugin frame leads to the
    AppError that predict() raised."""
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(
        test_app="""
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")

        def test_crash(gradio_client):
            gradio_client.predict(1, api_name="/crash")

        def test_gr_error(gradio_client):
            gradio_client.predict("not allowed", api_name="/fail")
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-W", "ignore")
    result.assert_outcomes(failed=2)
    blocks = reports(result.stdout.str())
    crash = "\n".join(blocks["test_crash"])
    assert crash.count("ZeroDivisionError: division by zero") == 1, crash
    assert crash.count("Traceback (most recent call last)") == 1, crash
    assert "Captured stderr" not in crash
    assert "pytest_gradio/" not in crash
    gr_error = "\n".join(blocks["test_gr_error"])
    assert "gr.Error raised by the app: 'not allowed'" in gr_error
    assert "Traceback" not in gr_error, gr_error


def test_marker_given_a_blocks_without_with_args(pytester: pytest.Pytester) -> None:
    """@pytest.mark.gradio_app(demo) on a test: the test does not silently vanish; the
    error says to write with_args (issue 14, item 15)."""
    pytester.makepyfile(
        app="""
        import gradio as gr

        with gr.Blocks() as demo:
            box = gr.Textbox()
            gr.Button().click(lambda x: x, box, box, api_name="echo")
        """,
        test_app="""
        import pytest
        from app import demo

        @pytest.mark.gradio_app(demo)
        def test_echo(gradio_client):
            assert gradio_client.predict("hi", api_name="/echo") == "hi"
        """,
    )
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.gradio_app(demo) was given a gr.Blocks*gradio_app.with_args(demo)*"]
    )


def test_module_pytestmark_given_a_blocks(pytester: pytest.Pytester) -> None:
    """pytestmark = pytest.mark.gradio_app(demo): the same hint instead of pytest's
    TypeError "got Blocks instead of Mark"."""
    pytester.makepyfile(
        test_app="""
        import gradio as gr
        import pytest

        with gr.Blocks() as demo:
            gr.Textbox()

        pytestmark = pytest.mark.gradio_app(demo)

        def test_x(gradio_client):
            pass
        """
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*gradio_app.with_args(demo)*"])
    assert "instead of Mark" not in result.stdout.str()


def test_marker_option_typo_is_found_at_collection(pytester: pytest.Pytester) -> None:
    """A bad marker keyword fails the run at collection, before any app starts."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.gradio_app("missing.py", mode="subproces")
        def test_x(gradio_client):
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*Invalid gradio mode 'subproces' from marker on *test_x*"])


def test_user_frames_stay_when_the_user_called_the_plugin(pytester: pytest.Pytester) -> None:
    """gradio_launch("ap.py") in a test: the user's line is shown, then the message."""
    pytester.makepyfile(
        test_app="""
        def test_launch(gradio_launch):
            gradio_launch("ap.py")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    (block,) = reports(result.stdout.str()).values()
    check_short(block, "gradio app script 'ap.py'", "launch")
    assert any('gradio_launch("ap.py")' in line for line in block)


def test_factory_that_needs_arguments(pytester: pytest.Pytester) -> None:
    """app.py:summarize, a function with parameters: said so, with the Blocks found
    (issue 10, item 4)."""
    pytester.makepyfile(
        app="""
        import gradio as gr

        def summarize(text, length):
            return text[:length]

        demo = gr.Interface(summarize, ["text", "number"], "text")
        """,
        test_app="""
        import pytest

        @pytest.mark.gradio_app("app.py:summarize")
        def test_x(gradio_client):
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    (block,) = reports(result.stdout.str()).values()
    check_short(block, "is a function that needs arguments (text, length)", "factory")
    assert "Blocks found at module level: ['demo']" in "\n".join(block)


def test_directory_as_spec(tmp_path: Path) -> None:
    """A directory says it is one and what to point at (issue 14, item 16)."""
    from pytest_gradio import AppSpecError
    from pytest_gradio.specs import parse_spec

    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "app.py").write_text("")
    with pytest.raises(AppSpecError, match=r"is a directory .*demo/app\.py.*app\.py"):
        parse_spec("demo/", source="--gradio-app", base_dir=tmp_path)


def test_gradio_launch_from_a_conftest_names_the_directory_used(
    pytester: pytest.Pytester,
) -> None:
    """gradio_launch("app.py") in a fixture of a conftest in a subfolder resolves
    against the test file's folder, and the hint says so, with that folder (issue 14,
    item 16)."""
    sub = pytester.path / "sub"
    sub.mkdir()
    (pytester.path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture
            def app(gradio_launch):
                return gradio_launch("app.py")
            """
        )
    )
    (sub / "test_x.py").write_text("def test_x(app):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [f"*relative to the test file's directory ({sub}), also when called from a conftest*"]
    )


def test_endpoint_not_found_lists_the_api_and_suggests(pytester: pytest.Pytester) -> None:
    """A ChatInterface app: the error lists what view_api() shows (not the internal
    events) and suggests the nearest name (issue 10, item 3)."""
    pytester.makepyfile(
        app="""
        import gradio as gr

        def reply(message, history):
            return message

        demo = gr.ChatInterface(reply)
        """,
        test_app="""
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")

        def test_x(gradio_client):
            gradio_client.predict("hi", api_name="/replies")
        """,
    )
    result = pytester.runpytest("-W", "ignore")
    result.assert_outcomes(failed=1)
    (block,) = reports(result.stdout.str()).values()
    text = "\n".join(block)
    assert "Did you mean api_name='/reply'?" in text
    listed = re.search(r"Its API endpoints \(as view_api\(\) shows them\): ([^.]*)\.", text)
    assert listed is not None, text
    assert "/reply" in listed.group(1)
    assert "_append_message_to_history" not in listed.group(1)
    assert "lambda" not in listed.group(1)


def test_environment_spec_is_not_checked_at_start_up(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PYTEST_GRADIO_APP left set from another project does not fail a run that asks
    for no app; a test that asks gets the error."""
    monkeypatch.setenv("PYTEST_GRADIO_APP", "missing.py")
    pytester.makepyfile("def test_plain():\n    pass\n\ndef test_app(gradio_app):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*'missing.py' from environment PYTEST_GRADIO_APP does not*"])


def test_endpoint_typo_fix_is_in_the_first_lines(pytester: pytest.Pytester) -> None:
    """Issue 19, a newcomer's first suite: a misspelt api_name, through predict() (the
    Quickstart's first call) and submit(). Each report is short, with "Did you mean"
    in its first lines: not after gradio_client's predict() source (its docstring
    pushed the fix to line 53 of 85)."""
    pytester.makepyfile(
        app="""
        import gradio as gr

        def greet(name):
            return "Hello " + name

        with gr.Blocks() as demo:
            box = gr.Textbox()
            gr.Button().click(greet, box, box, api_name="greet")
        """,
        test_app="""
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")

        def test_predict(gradio_client):
            assert gradio_client.predict("Ann", api_name="/gret") == "Hello Ann"

        def test_submit(gradio_client):
            job = gradio_client.submit("Ann", api_name="/gret")
            assert job.result() == "Hello Ann"
        """,
    )
    result = pytester.runpytest("-W", "ignore", "-p", "no:randomly")
    result.assert_outcomes(failed=2)
    blocks = reports(result.stdout.str())
    assert set(blocks) == {"test_predict", "test_submit"}
    for name, block in blocks.items():
        check_short(block, "Did you mean api_name='/greet'?", name)
        assert "gradio_client/client.py" not in "\n".join(block)
        assert len(block) <= 15, "\n".join(block)
