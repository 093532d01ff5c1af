"""Browser tests: gradio_page, its controllers against real components in a real
headless Chromium, jobs recorded from the page, readiness, failure artifacts."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_gradio import (
    Regex,
    assert_job_error,
    assert_job_logs,
    assert_job_progress,
    assert_job_result,
    assert_job_statuses,
)
from pytest_gradio.browser import ComponentNotFoundError
from pytest_gradio.errors import JobTimeoutError

from . import versions
from .conftest import default_sigint
from .ticks import stops, ticks, until

APPS = Path(__file__).parent / "apps"
# Inner runs use the plugin's own launcher, not pytest-playwright's (tested on its own).
NO_PP = ("-p", "no:cacheprovider", "-p", "no:playwright")
pytestmark = pytest.mark.gradio_app(str(APPS / "browser_components.py"))


def test_textbox_checkbox_button(gradio_page):
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Shout").set(True)
    assert gradio_page.component("Shout").value() is True
    gradio_page.component("Greet").click()
    gradio_page.component("Greeting").expect_value("HELLO ADA")
    assert gradio_page.component("Name").value() == "Ada"


def test_expect_value_fails_with_expected_and_actual(gradio_page):
    box = gradio_page.component("Greeting")
    # Drawn and readable first: on a busy machine the first read within the 0.3 s
    # below found no input yet ("could not read: ... Timeout 500ms exceeded").
    box.expect_value("")
    # The last read may run out of the time left on a busy machine (seen in CI with
    # 2 s: "could not read: ... Timeout 500ms"): the value read before it is shown.
    with pytest.raises(AssertionError, match=r"(?s)expected: 'nope'.*actual:   ''"):
        box.expect_value("nope", timeout=2)


def test_a_failed_last_read_shows_the_value_read_before_it(gradio_page):
    """An expectation's last read failed (it ran out of the time left, or the element
    went): the error shows the last value the page gave, and why the read after it
    failed; with no value read at all, why reading failed."""
    from pytest_gradio.browser.controls.base import retry_until

    reads = iter(["shown"])

    def read():
        value = next(reads, None)
        if value is None:
            raise TimeoutError("Locator.input_value: Timeout 500ms exceeded.\nCall log: ...")
        return value

    last = r"actual:   'shown'\n  \(the read after it failed: TimeoutError: Locator.input_value"
    with pytest.raises(AssertionError, match=r"(?s)expected: 'nope'\n  " + last):
        retry_until(gradio_page, "<Textbox 'Greeting'>", "value", read, "nope", 0.5)

    def never() -> str:
        raise TimeoutError("Locator.input_value: Timeout 500ms exceeded.")

    never_read = r"actual:   '\(could not read: TimeoutError: Locator.input_value: Timeout 500ms"
    with pytest.raises(AssertionError, match=never_read):
        retry_until(gradio_page, "<Textbox 'Greeting'>", "value", never, "nope", 0.5)


def test_number_slider_dropdown_radio_markdown_json(gradio_page):
    gradio_page.component("Level").set(7)
    gradio_page.component("Colour").set("blue")
    gradio_page.component("Pick").set("two")
    assert gradio_page.component("Level").value() == 7
    assert gradio_page.component("Colour").value() == "blue"
    assert gradio_page.component("Pick").value() == "two"
    gradio_page.component("Describe").click()
    gradio_page.component("summary").expect_value("level 7, choice blue, pick two")
    gradio_page.component("Data").expect_value({"level": 7, "choice": "blue"})
    job = gradio_page.wait_idle()[-1]
    assert_job_result(job, ("level 7, choice blue, pick two", {"level": 7, "choice": "blue"}))


def test_multiselect_dropdown(gradio_page):
    toppings = gradio_page.component("Toppings")
    assert toppings.value() == ["cheese"]
    toppings.set(["olives", "ham"])  # replaces the choices made
    toppings.expect_value(["olives", "ham"])
    gradio_page.component("Order", kind="button").click()
    gradio_page.component("Order", kind="textbox").expect_value("olives + ham")
    assert_job_result(gradio_page.last_job, "olives + ham")
    toppings.set([])
    toppings.expect_value([])
    with pytest.raises(AssertionError, match=r"(?s)expected: \['ham'\].*actual:   \[\]"):
        toppings.expect_value(["ham"], timeout=0.3)


# Keeps the page's main thread busy for 1.5 s once, on the first press over the
# option `name`, after the dropdown took the choice (its handler runs on mousedown,
# before this one on the window): Playwright's click, bounded at 1 s by the
# controller, raises although it was delivered, as on a busy machine.
BUSY_ONCE_ON_PRESS = """(name) => {
  window.addEventListener('mousedown', (e) => {
    const option = e.target.closest && e.target.closest('[role=option]');
    if (!window.__busyDone && option && option.textContent.includes(name)) {
      window.__busyDone = true;
      const t = Date.now(); while (Date.now() - t < 1500) {}
    }
  });
}"""


def test_a_choice_whose_click_outlasts_its_bound_is_made_once(gradio_page):
    # Clicking a multiselect's choice again takes it away: seen under load, where
    # set(["olives", "ham"]) gave ["ham"].
    gradio_page.page.evaluate(BUSY_ONCE_ON_PRESS, "olives")
    toppings = gradio_page.component("Toppings")
    toppings.set(["olives", "ham"])
    assert gradio_page.page.evaluate("window.__busyDone") is True
    toppings.expect_value(["olives", "ham"], timeout=5)


def test_number_and_progress_logs_of_a_page_job(gradio_page):
    gradio_page.component("Steps").set(4)
    gradio_page.component("Count").click()
    gradio_page.component("Counted").expect_value(4)
    job = gradio_page.last_job
    assert_job_result(job, 4)
    assert_job_progress(job, [(0, 4), (1, 4), (2, 4), (3, 4)])
    assert_job_logs(job, [("counting", "info")])
    assert_job_statuses(job, ["IN_QUEUE", "PROCESSING", "PROGRESS", "FINISHED"])


def test_helpers_fail_on_page_jobs_as_on_api_jobs(gradio_page):
    gradio_page.component("Name").set("Ada")
    with gradio_page.expect_job() as info:
        gradio_page.component("Greet").click()
    job = info.value
    with pytest.raises(AssertionError, match=r"(?s)the result differs.*timeline of /greet"):
        assert_job_result(job, "Hello Bob")
    with pytest.raises(AssertionError, match="did not raise"):
        assert_job_error(job)


def test_error_from_the_page(gradio_page):
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Fail").click()
    assert_job_error(gradio_page.last_job, match="no greeting for Ada")


def test_private_chained_events_are_recorded(gradio_page):
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Private greet").click()
    jobs = gradio_page.wait_idle()
    # Private events have no API; gradio 6 names them all the same (versions.py).
    assert [j.timeline.endpoint for j in jobs] == [
        Regex(versions.private_event_endpoint(gradio_page, "greet")),
        Regex(versions.private_event_endpoint(gradio_page, "lambda")),
    ]
    assert_job_result(jobs[1], "Hello Ada!")
    gradio_page.component("Greeting").expect_value("Hello Ada!")


def test_wait_idle_waits_for_unqueued_chained_events(gradio_page):
    # Greet (queued), then a slow queue=False step the page posts to /run, then a
    # queued "!": wait_idle returns after the last, though the middle one is no job.
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Checked greet").click()
    jobs = gradio_page.wait_idle()
    assert len(jobs) == 2
    assert_job_result(jobs[1], "Hello Ada (checked)!")
    assert gradio_page.component("Greeting").value() == "Hello Ada (checked)!"


def test_file_output(gradio_page):
    gradio_page.component("Name").set("report")
    gradio_page.component("Make file").click()
    gradio_page.component("Download").expect_file(name="report.txt", content="file for report")


def test_image_upload(gradio_page, tmp_path):
    from PIL import Image

    path = tmp_path / "pic.png"
    Image.new("RGB", (12, 7), (0, 128, 0)).save(path)
    gradio_page.component("Photo").upload(path)
    gradio_page.component("Size").expect_value("12x7")
    assert_job_result(gradio_page.last_job, "12x7")


def test_chatbot(gradio_page):
    chat = gradio_page.component("Chat")
    chat.send("hi there")
    chat.expect_last_message("echo: hi there")
    assert chat.messages() == [
        {"role": "user", "content": "hi there"},
        {"role": "assistant", "content": "echo: hi there"},
    ]


def test_dataframe_and_gallery(gradio_page):
    gradio_page.component("Steps").set(3)
    gradio_page.component("Fill").click()
    gradio_page.component("Squares").expect_value([["0", "0"], ["1", "1"], ["2", "4"]])
    gradio_page.component("Pics").expect_count(3)
    assert len(gradio_page.wait_idle()) == 2


def test_visibility_and_interactivity(gradio_page):
    secret = gradio_page.component("Secret")
    secret.expect_hidden()
    gradio_page.component("Reveal").click()
    secret.expect_visible()
    secret.expect_value("hidden value")
    gradio_page.component("Locked").expect_interactive(False)
    gradio_page.component("Name").expect_interactive()


def test_unknown_label_lists_the_labels(gradio_page):
    with pytest.raises(ComponentNotFoundError, match=r"No component 'Nmae'.*textbox 'Name'") as e:
        gradio_page.component("Nmae")
    assert type(e.value) is ComponentNotFoundError  # the public class, not an internal one


def test_component_by_kind(gradio_page):
    gradio_page.component(kind="markdown").expect_value("nothing yet")
    gradio_page.component(kind="textbox", index=1).expect_value("")


def test_expect_job_gives_the_job_of_each_click(gradio_page):
    name, greet = gradio_page.component("Name"), gradio_page.component("Greet")
    for who in ("Ada", "Bob"):
        name.set(who)
        with gradio_page.expect_job() as info:
            greet.click()
        assert_job_result(info.value, f"Hello {who}")
    assert len(gradio_page.jobs) == 2


def test_expect_job_without_a_job_says_so(gradio_page):
    name = gradio_page.component("Name")
    with (
        pytest.raises(JobTimeoutError, match="sent no job within 0.5 s"),
        gradio_page.expect_job(timeout=0.5),
    ):
        name.set("no event listens to this")


def test_each_test_has_its_own_session(gradio_page):
    # A value typed by another test is not here: a fresh context per test.
    gradio_page.component("Name").expect_value("")
    assert gradio_page.jobs == []


def test_a_page_job_snapshots_as_the_same_api_job(gradio_page, gradio_client, gradio_snapshot):
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Greet").click()
    page_job = gradio_page.last_job
    assert page_job == gradio_snapshot  # the extension waits for it, as for API jobs
    api_job = gradio_client.submit("Ada", False, api_name="/greet")
    api_job.result()
    assert page_job.timeline.to_dict() == api_job.timeline.to_dict()


def _slow_middleware(name: str = "SlowComponentCode") -> list[Any]:
    from starlette.middleware import Middleware

    from .apps import browser_slow_render

    return [Middleware(getattr(browser_slow_render, name))]


@pytest.mark.gradio_app(
    str(APPS / "browser_slow_render.py"),
    launch_kwargs={"app_kwargs": {"middleware": _slow_middleware()}},
)
def test_page_is_returned_once_the_app_rendered(gradio_app, gradio_browser, gradio_page):
    # The app's components are there the moment the fixture returns: no auto-wait.
    assert gradio_page.locator("textarea").count() == 1
    # Precondition, so this test can fail: at `load`, a plain page has no textbox yet.
    context = gradio_browser.new_context()
    try:
        plain = context.new_page()
        plain.goto(gradio_app.url, wait_until="load")
        assert plain.locator("textarea").count() == 0
    finally:
        context.close()


@pytest.mark.gradio_app(
    str(APPS / "browser_slow_render.py"),
    launch_kwargs={"app_kwargs": {"middleware": _slow_middleware()}},
)
def test_page_on_a_busy_machine_is_returned_once_the_app_rendered(gradio_page):
    # A busy machine, made certain: the page's CPU slowed 8x (Chromium's own
    # throttling). Between the layout's code arriving and the components' code being
    # asked for, nothing is in flight for longer than two frames: on gradio 5.50 and
    # 6.0 a wait for "mounted, no code loading, two frames" returned with no textbox.
    session = gradio_page.context.new_cdp_session(gradio_page.page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": 8})
    try:
        gradio_page.open()
        assert gradio_page.locator("textarea").count() == 1
    finally:
        session.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        session.detach()


@pytest.mark.gradio_app(
    str(APPS / "browser_slow_render.py"),
    launch_kwargs={"app_kwargs": {"middleware": _slow_middleware("MissingComponentCode")}},
)
def test_a_page_that_does_not_render_says_what_it_lacked(gradio_app, gradio_browser):
    from pytest_gradio.browser.page import GradioPage, PageNotReadyError
    from pytest_gradio.browser.recording import PageRecorder

    recorder = PageRecorder(gradio_app.client, job_timeout=3)
    context = gradio_browser.new_context()
    try:
        page = GradioPage(context.new_page(), recorder, url=gradio_app.url, timeout=3)
        with pytest.raises(PageNotReadyError) as info:
            page.open()
    finally:
        context.close()
        recorder.close()
    message = str(info.value)
    assert f"The Gradio app at {gradio_app.url} did not render within 3 s" in message
    assert "Code that failed to load: " in message
    assert re.search(r"/assets/(Index-|Textbox)[^ ]*\.js: HTTP 404", message), message


def test_a_test_whose_page_does_not_render_gets_the_browser_section(pytester):
    """The page is given back before pytest makes the setup report: its screenshot and
    what it logged are taken first, for the report."""
    pytester.makepyfile(
        test_unrendered=f"""
        import sys

        import pytest
        from starlette.middleware import Middleware

        sys.path.insert(0, {str(APPS)!r})
        from browser_slow_render import MissingComponentCode

        @pytest.mark.gradio_app(
            {str(APPS / "browser_slow_render.py")!r},
            launch_kwargs={{"app_kwargs": {{"middleware": [Middleware(MissingComponentCode)]}}}},
        )
        def test_page(gradio_page):
            pass
        """
    )
    result = pytester.runpytest_inprocess(*NO_PP, "--gradio-job-timeout=3")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*did not render within 3 s*Code that failed to load: *HTTP 404*",
            "*- gradio: browser -*",
            "screenshot: *test_page*.png",
            "jobs from the page: 0",
        ]
    )
    assert len(list((pytester.path / "test-results").glob("*test_page*.png"))) == 1


def _run_failing(pytester, *args):
    pytester.makepyfile(
        test_fail=f"""
        import pytest

        @pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
        def test_fails(gradio_page):
            gradio_page.component("Name").set("Ada")
            gradio_page.evaluate("setTimeout(() => {{ throw new Error('boom in the page') }})")
            gradio_page.wait_for_timeout(50)
            assert gradio_page.component("Name").value() == "Bob"
        """
    )
    return pytester.runpytest_inprocess(*NO_PP, "--junitxml=junit.xml", *args)


def test_failing_test_leaves_a_screenshot_a_trace_and_a_report_entry(pytester):
    """A failing browser test leaves its screenshot (named in the failure section and in
    junit), its trace (--gradio-tracing=retain-on-failure) and the screenshot inline in
    --gradio-report (issue 13), the same PNG as under --gradio-output. One inner run for
    the three: each is a fresh interpreter with gradio and a browser to start."""
    result = _run_failing(
        pytester,
        "--gradio-output=out",
        "--gradio-tracing=retain-on-failure",
        "--gradio-report=report.html",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*gradio: browser*",
            "screenshot: *out*test_fail.py-test_fails.png",
            "page errors:",
            "*boom in the page*",
        ]
    )
    png = pytester.path / "out" / "test_fail.py-test_fails.png"
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 20, "the screenshot is blank"
    junit = (pytester.path / "junit.xml").read_text()
    assert 'name="gradio_artifact"' in junit
    assert "test_fails.png" in junit
    assert (pytester.path / "out" / "test_fail.py-test_fails-trace.zip").stat().st_size > 0
    page = (pytester.path / "report.html").read_text()
    assert "test_fail.py::test_fails" in page
    found = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert found, "no inline screenshot in the report"
    assert base64.b64decode(found.group(1)) == png.read_bytes()


def test_console_errors_fail_the_test_when_asked(pytester):
    pytester.makepyfile(
        test_js=f"""
        import pytest

        @pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
        def test_passes_but_js_failed(gradio_page):
            gradio_page.evaluate("setTimeout(() => {{ throw new Error('kaboom') }})")
            gradio_page.wait_for_timeout(50)
        """
    )
    assert pytester.runpytest_inprocess(*NO_PP).ret == 0
    result = pytester.runpytest_inprocess(*NO_PP, "--gradio-console-errors=fail")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*uncaught JavaScript errors*", "*kaboom*"])


def test_no_browser_is_an_error_with_the_fix(pytester):
    pytester.makepyfile(
        test_nob=f"""
        import pytest

        @pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
        def test_page(gradio_page):
            pass
        """
    )
    result = pytester.runpytest(*NO_PP, "--gradio-browser=/nonexistent/chrome")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*The browser '/nonexistent/chrome' from --gradio-browser does not exist*"
            "playwright install*"
        ]
    )


def test_a_headless_run_looks_for_a_headless_shell_on_path_first(tmp_path, monkeypatch):
    from pytest_gradio.browser.launch import find_browser

    for name in ("chromium", "chromium-headless-shell"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_browser(None, "", None).executable == str(tmp_path / "chromium-headless-shell")
    # A shell shows no window: a headed run takes the browser.
    headed = find_browser(None, "", None, headless=False)
    assert headed.executable == str(tmp_path / "chromium")
    (tmp_path / "chromium-headless-shell").unlink()
    assert find_browser(None, "", None).executable == str(tmp_path / "chromium")


def test_a_headed_launch_takes_the_full_browser():
    # launch_kwargs={"headless": False}: with no display the launch fails, naming the
    # browser it tried; with one it starts. Either way never a headless shell.
    from pytest_gradio.browser.launch import BrowserNotFoundError, BrowserSession

    try:
        session = BrowserSession.start(None, "", launch_kwargs={"headless": False})
    except BrowserNotFoundError as exc:
        tried = str(exc).split(" did not start")[0]  # or the places searched
    else:
        tried = session.choice.source
        session.close()
    assert "headless-shell" not in tried, tried


def test_page_tests_run_in_the_headless_shell_when_one_is_installed(gradio_page):
    import shutil

    import psutil

    if not (shutil.which("chromium-headless-shell") or shutil.which("chrome-headless-shell")):
        message = "no headless shell on PATH (apt-get install chromium-headless-shell)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # .ci/run installs one: this path must be tested there
        pytest.skip(message)
    assert gradio_page.component("Toppings").value() == ["cheese"]
    commands = []
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            commands.append(" ".join(process.cmdline()[:1]))
    # Debian's and Google's shells; Playwright's own build names it headless_shell.
    assert any("headless-shell" in c or "headless_shell" in c for c in commands), commands
    assert not any(c.endswith("/chromium") for c in commands), commands


def test_no_browser_or_driver_process_is_left(pytester):
    import psutil

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    pytester.makepyfile(
        test_ok=f"""
        import pytest

        @pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
        def test_page(gradio_page):
            gradio_page.component("Name").set("x")
        """
    )
    result = pytester.runpytest_subprocess(*NO_PP)
    result.assert_outcomes(passed=1)
    left = [
        p.name()
        for p in psutil.Process().children(recursive=True)
        if p.pid not in before and p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert left == []


HANGING_PAGE_TEST = f"""
import pathlib
import pytest

@pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
def test_hangs(gradio_page):
    pathlib.Path("inside").write_text("yes")
    gradio_page.wait_for_timeout(60_000)
"""


FUNC_ONLY = ("-o", "timeout_func_only=true")


@pytest.mark.parametrize(
    ("how", "args"),
    [
        ("ctrl-c", ()),
        ("timeout-signal", ("--timeout=2", "--timeout-method=signal", *FUNC_ONLY)),
        ("timeout-thread", ("--timeout=2", "--timeout-method=thread", *FUNC_ONLY)),
    ],
)
def test_no_browser_process_is_left_after_an_interrupted_run(pytester, how, args):
    """Ctrl-C and both pytest-timeout methods (the thread one ends the process with
    os._exit, so no teardown runs) leave no browser or driver process behind.

    The timeout covers the test function alone (timeout_func_only): the app and the
    browser start outside it, however long a busy machine takes, and it fires 2 s
    after the test is inside its page (it used to be 30 s for the whole test)."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    pytester.makepyfile(test_hang=HANGING_PAGE_TEST)
    # (default_sigint: else, in a suite started in the background, the inner test
    # waited its 60 s out.)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", *NO_PP, *args],
        cwd=pytester.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=default_sigint,
    )
    try:
        seen: set[int] = set()
        deadline = time.monotonic() + 90
        inside = pytester.path / "inside"
        while proc.poll() is None and time.monotonic() < deadline:
            children = psutil.Process(proc.pid).children(recursive=True)
            seen.update(child.pid for child in children)
            if how == "ctrl-c" and inside.exists() and seen:
                proc.send_signal(signal.SIGINT)
                break
            time.sleep(0.1)  # sampling the process tree, not waiting for the app
        # communicate(), not wait(): the inner run's output is drained while it runs.
        output = proc.communicate(timeout=60)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert inside.exists(), "the test never started"
    assert seen, "no browser process was seen"
    # Interrupted, not run to its end: 2 is pytest's "interrupted"; a timeout fails the
    # test (signal method) or ends the process with status 1 (thread method).
    assert proc.returncode == (2 if how == "ctrl-c" else 1), output
    deadline = time.monotonic() + 10
    left = []
    while time.monotonic() < deadline:
        left = [pid for pid in seen if _running(pid)]
        if not left:
            break
        time.sleep(0.1)  # processes take a moment to go once their parent went
    assert left == [], [_command(pid) for pid in left]


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (not a zombie); one that ends while it is
    looked at is not."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _command(pid: int) -> list[str]:
    import psutil

    try:
        return psutil.Process(pid).cmdline()[:2]
    except psutil.Error:
        return [f"pid {pid} (gone)"]


def test_pytest_playwright_browser_and_options_are_used(pytester):
    """With pytest-playwright installed, gradio_page runs in its `browser` (configured
    the pytest-playwright way) and its options apply."""
    from pytest_gradio.browser.launch import LAUNCH_ARGS, find_browser

    chromium = find_browser(None, "", None).executable
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture(scope="session")
        def browser_type_launch_args(browser_type_launch_args):
            return {{**browser_type_launch_args, "executable_path": {chromium!r},
                    "args": {list(LAUNCH_ARGS)!r}}}

        @pytest.fixture(scope="session")
        def browser_context_args(browser_context_args):
            return {{**browser_context_args, "viewport": {{"width": 640, "height": 480}}}}
        """
    )
    pytester.makepyfile(
        test_pp=f"""
        import pytest

        @pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
        def test_page(gradio_page, browser, browser_type_launch_args):
            assert gradio_page.context.browser is browser
            assert browser_type_launch_args["slow_mo"] == 5
            assert gradio_page.viewport_size == {{"width": 640, "height": 480}}
            gradio_page.component("Name").set("Ada")
            gradio_page.component("Name").expect_value("Ada")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--slowmo=5")
    result.assert_outcomes(passed=1)


@pytest.mark.gradio_app(str(APPS / "browser_components.py"), mode="subprocess")
def test_page_jobs_are_recorded_for_an_app_in_a_subprocess(gradio_page):
    """Recording happens in the browser, so it does not matter where the app runs.
    Six steps of 30 ms: long enough for gradio 5, which samples progress every
    100 ms, to send some (versions.progress_interval)."""
    gradio_page.component("Steps").set(6)
    gradio_page.component("Count").click()
    job = gradio_page.last_job
    assert_job_result(job, 6)
    assert_job_progress(job, [(i, 6) for i in range(6)])


def test_large_outputs_are_recorded(gradio_page):
    gradio_page.component("Name").set("x" * 200_000)
    gradio_page.component("Greet").click()
    assert_job_result(gradio_page.last_job, "Hello " + "x" * 200_000)


def test_pytest_playwright_browser_that_does_not_start_says_what_to_do(pytester):
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def browser_type_launch_args(browser_type_launch_args):
            return {**browser_type_launch_args, "executable_path": "/nonexistent/chrome"}
        """
    )
    pytester.makepyfile(
        test_pp=f"""
        import pytest

        @pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
        def test_page(gradio_page):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*gradio_page uses pytest-playwright's `browser`*-p no:playwright*"]
    )


PUBLIC_PAGE_TEST = f"""
import pytest
import time
from urllib.parse import urlsplit

from pytest_gradio import assert_job_result
from pytest_gradio.browser.launch import LAUNCH_ARGS, NETWORK_ACCESS_FLAG, BrowserSession
from pytest_gradio.browser.page import GradioPage
from pytest_gradio.browser.recording import RECORDER_JS, Collector, PageRecorder


@pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})
@pytest.mark.parametrize("flag", [True, False])
def test_public_page(gradio_app, flag):
    address = urlsplit(gradio_app.url).netloc
    # Chromium treats the app as if it were on the internet (a Space is).
    args = [*LAUNCH_ARGS, f"--ip-address-space-overrides={{address}}=public"]
    if not flag:
        args.remove(NETWORK_ACCESS_FLAG)
    session = BrowserSession.start(None, "", launch_kwargs={{"args": args}})
    collector = Collector.start()
    # Bounds, generous for a busy machine; but the unflagged page's job, which never
    # comes, is awaited for the whole of its job_timeout.
    recorder = PageRecorder(gradio_app.client, job_timeout=30 if flag else 3)
    try:
        context = session.browser.new_context()
        sink = collector.register(recorder.receive)
        context.add_init_script(
            RECORDER_JS.replace("%SINK%", sink).replace("%FLAG%", NETWORK_ACCESS_FLAG)
        )
        page = GradioPage(context.new_page(), recorder, url=gradio_app.url, timeout=30).open()
        page.component("Name").set("Ada")
        page.component("Greet").click()
        page.component("Greeting").expect_value("Hello Ada")
        if flag:
            assert_job_result(page.last_job, "Hello Ada")
        else:
            fix = r"(?s)only 0 reached.*could not report.*disable-features=LocalNetworkAccess"
            started = time.monotonic()
            with pytest.raises(Exception, match=fix):
                page.last_job
            # Said as soon as the page reported its failure, not at the 30 s bound.
            assert time.monotonic() - started < 25
    finally:
        recorder.close()
        collector.close()
        session.close()
"""


def test_jobs_of_a_page_on_a_public_address_are_recorded(pytester):
    """A Space is on a public address; the page still reaches the loopback recorder
    thanks to the launch flag (and says how to fix it when the flag is missing)."""
    pytester.makepyfile(test_public=PUBLIC_PAGE_TEST)
    result = pytester.runpytest_inprocess(*NO_PP)
    result.assert_outcomes(passed=2)


def test_async_code_runs_after_the_browser_tests(pytester):
    """Playwright's sync API runs an event loop in the main thread while it is
    started: the plugin's browser is closed after the last browser test of a row, so
    a later test may use asyncio.run(); a browser test after it gets a browser again."""
    pytester.makepyfile(
        test_mixed=f"""
        import asyncio
        import pytest

        pytestmark = pytest.mark.gradio_app({str(APPS / "browser_components.py")!r})

        def test_page(gradio_page):
            gradio_page.component("Name").set("Ada")

        def test_async():
            async def answer():
                return 42
            assert asyncio.run(answer()) == 42

        def test_page_again(gradio_page):
            gradio_page.component("Name").set("Bob")
        """
    )
    result = pytester.runpytest_inprocess(*NO_PP)
    result.assert_outcomes(passed=3)


# --- a Space (the local fake Hub, tests/fake_hub.py) -------------------------------------


def _greeting_blocks():
    import time

    import gradio as gr

    def greet(name, progress=gr.Progress()):  # noqa: B008 (gradio's idiom)
        progress((0, 1), desc="greeting")
        time.sleep(0.25)  # longer than gradio 5's 100 ms progress interval
        return f"Hello {name}!"

    with gr.Blocks() as demo:
        name = gr.Textbox(label="Name")
        greeting = gr.Textbox(label="Greeting")
        gr.Button("Greet").click(greet, name, greeting, api_name="greet")
    return demo


@pytest.fixture
def starting_space(fake_hub):
    """A Space that is still starting when the test asks for it, then runs."""
    return fake_hub.add_space("org/pages", _greeting_blocks(), stages=["APP_STARTING", "RUNNING"])


@pytest.mark.gradio_app("space:org/pages")
def test_page_of_a_space_is_driven_and_its_jobs_recorded(starting_space, fake_hub, gradio_page):
    """A Space target: the Hub is asked where the Space runs, its start is waited out,
    and the page opened on its host is driven and recorded as any other."""
    assert gradio_page.url == starting_space.host + "/"
    assert "/api/spaces/org/pages/runtime" in [r.path for r in fake_hub.requests]
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Greet").click()
    gradio_page.component("Greeting").expect_value("Hello Ada!")
    job = gradio_page.last_job
    assert job.timeline.endpoint == "/greet"
    assert_job_result(job, "Hello Ada!")
    assert_job_progress(job, [(0, 1)])


# --- uploads of each kind, and HTML (tests/apps/browser_media.py) ------------------------

MEDIA_APP = str(APPS / "browser_media.py")


def _wav(path: Path) -> Path:
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x10" * 800)  # 0.1 s
    return path


@pytest.mark.gradio_app(MEDIA_APP)
def test_audio_and_file_uploads(gradio_page, tmp_path):
    gradio_page.component("Sound").upload(_wav(tmp_path / "beep.wav"))
    gradio_page.component("Received").expect_value(Regex(r"\.wav \d+ bytes"))
    assert_job_result(gradio_page.last_job, Regex(r"\.wav \d+ bytes"))
    document = tmp_path / "notes.txt"
    document.write_text("twelve bytes")
    gradio_page.component("Document").upload(document)
    gradio_page.component("Received").expect_value(".txt 12 bytes")


@pytest.mark.gradio_app(MEDIA_APP)
def test_video_and_gallery_uploads(gradio_page, tmp_path):
    from PIL import Image

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 64)  # not a playable video: the upload is what is tested
    gradio_page.component("Clip").upload(clip)
    gradio_page.component("Received").expect_value(".mp4 64 bytes")
    pictures = []
    for i in range(2):
        pictures.append(tmp_path / f"{i}.png")
        Image.new("RGB", (4, 4), (80 * i, 0, 0)).save(pictures[-1])
    album = gradio_page.component("Album")
    album.upload(*pictures)
    gradio_page.component("Received").expect_value(Regex(r"\.png \d+ bytes, \.png \d+ bytes"))
    album.expect_count(2)


@pytest.mark.gradio_app(MEDIA_APP)
def test_html(gradio_page):
    page = gradio_page.component("page")
    page.expect_value("Plain bold text")
    page.expect_text("bold")
    with pytest.raises(AssertionError, match="expected: 'Plain text'"):
        page.expect_value("Plain text", timeout=0.3)


@pytest.mark.gradio_app(MEDIA_APP)
def test_checkbox_group(gradio_page):
    sizes = gradio_page.component("Sizes")
    assert sizes.value() == ["medium"]
    sizes.set(["large", "small"])  # exactly these, in the order shown
    sizes.expect_value(["small", "large"])
    gradio_page.component("Received").expect_value("small & large")
    gradio_page.timeout = 3  # how long set() waits for a choice to show
    with pytest.raises(ComponentNotFoundError, match=r"no choice \['huge'\] within 3 s"):
        sizes.set(["huge"])


@pytest.mark.gradio_app(MEDIA_APP)
def test_checkbox_group_choice_an_event_adds_is_waited_for(gradio_page):
    """The choice shows only when the event that adds it has run: set() waits for it,
    as a user waits to see it, instead of failing at once."""
    gradio_page.component("More sizes").click()
    gradio_page.component("Sizes").set(["huge"])
    gradio_page.component("Received").expect_value("huge")


def _stops(page: Any, path: Path) -> bool:
    return stops(path, lambda seconds: page.wait_for_timeout(seconds * 1000))


@pytest.mark.gradio_app(MEDIA_APP)
def test_cancel_a_page_job_as_the_stock_client_cancels(gradio_page, gradio_app, tmp_path):
    """PageJob.cancel() ends the job CANCELLED, result() raises CancelledError, and
    the server stops the generator: as gradio_client's own Job.cancel() does."""
    import concurrent.futures

    from gradio_client import Client

    stock_ticks = tmp_path / "stock"
    stock = Client(gradio_app.url, verbose=False, download_files=str(tmp_path / "dl"))
    try:
        stock_job = stock.submit(str(stock_ticks), api_name="/tick")
        # Stock's cancel names the job by the event id its join was answered with; asked
        # before that answer was read (a busy machine), it sends none and the server
        # runs on. A first output read means the answer was read. (The plugin's jobs
        # tell the server once the id comes: test_fidelity's hold_join test.)
        until(gradio_page, lambda: ticks(stock_ticks) >= 3 and bool(stock_job.outputs()))
        assert stock_job.cancel() is True
        # Stock raises KeyError or CancelledError, depending on a race (README: the
        # plugin's jobs always raise CancelledError, page jobs included).
        with pytest.raises((concurrent.futures.CancelledError, KeyError)):
            stock_job.result(timeout=10)
        assert _stops(gradio_page, stock_ticks)
    finally:
        stock.close()

    page_ticks = tmp_path / "page"
    gradio_page.component("Ticks file").set(str(page_ticks))
    with gradio_page.expect_job() as info:
        gradio_page.component("Start ticking").click()
    job = info.value
    until(gradio_page, lambda: ticks(page_ticks) >= 3)
    assert job.cancel() is True
    with pytest.raises(concurrent.futures.CancelledError):
        job.result(timeout=10)
    assert job.timeline.statuses()[-1] == "CANCELLED"
    assert job.status().code.value == "CANCELLED"
    assert _stops(gradio_page, page_ticks)
    assert job.cancel() is True  # again: nothing more happens
    assert job.timeline.statuses()[-1] == "CANCELLED"


@pytest.mark.gradio_app(MEDIA_APP)
def test_cancel_after_the_end_keeps_the_result(gradio_page, tmp_path):
    gradio_page.component("Sizes").set(["small"])
    job = gradio_page.wait_idle()[-1]
    assert job.cancel() is True  # as stock: True, and nothing changes
    assert_job_result(job, "small")
    assert job.timeline.statuses()[-1] == "FINISHED"


@pytest.mark.gradio_app(str(APPS / "browser_timing.py"))
def test_page_job_events_are_timed_when_the_page_saw_them(gradio_page, tmp_path):
    """A page job's events are timed when the page saw them, moved onto this process's
    clock, and never after they reached this process. The job runs until the test
    opens its gate (once the page has seen PROCESSING), then sleeps 0.2 s: PROCESSING
    is timed before the gate opened, FINISHED at least 0.2 s after. (The first job of
    an app also makes the recorder's client, which used to shift every event of that
    job by the time that took, past the moment the test saw it.)"""
    gate = tmp_path / "gate"
    gradio_page.component("Gate").set(str(gate))
    with gradio_page.expect_job() as info:
        gradio_page.component("Go").click()
    job = info.value
    timeline = job.timeline
    seen = timeline.wait_for(lambda events: any(e.code == "PROCESSING" for e in events), 30)
    assert seen, str(timeline)
    opened = time.perf_counter()
    gate.touch()
    assert job.result() == "done"
    now = time.perf_counter()
    at = {e.code: timeline.started + e.time for e in timeline.events}
    assert at["PROCESSING"] <= opened, str(timeline)
    assert at["FINISHED"] - opened >= 0.2, str(timeline)
    late = [e for e in timeline.events if timeline.started + e.time > now]
    assert not late, f"timed after they reached this process: {late}\n{timeline}"


@pytest.mark.gradio_app(str(APPS / "browser_fast_stream.py"))
def test_a_fast_stream_is_reported_one_request_at_a_time_and_recorded_whole(gradio_page):
    """The page's recorder keeps one report in flight and sends what queued meanwhile
    in it. One request per message (300 yields as fast as the server sends them)
    piled up in a busy page until Chromium refused them
    (net::ERR_INSUFFICIENT_RESOURCES, seen beside two CPU hogs) and the page stopped
    answering. Every message still reaches the timeline, in order.

    How many reports that takes depends on the machine (on a quiet one a report may
    come back before the next message arrives), so the test checks what does not:
    at most one report is in flight (Chromium tells of a request before the page's
    next one is sent, and of its response before the page's fetch resolves)."""
    flight = {"now": 0, "most": 0, "reports": 0}

    def is_report(request: object) -> bool:
        method, url = getattr(request, "method", ""), getattr(request, "url", "")
        return method == "POST" and not url.startswith(gradio_page.url)

    def sent(request: object) -> None:
        if is_report(request):
            flight["now"] += 1
            flight["reports"] += 1
            flight["most"] = max(flight["most"], flight["now"])

    def ended(request: object) -> None:
        if is_report(request):
            flight["now"] -= 1

    gradio_page.page.on("request", sent)
    gradio_page.page.on("response", lambda response: ended(response.request))
    gradio_page.page.on("requestfailed", ended)
    with gradio_page.expect_job() as info:
        gradio_page.component("Count").click()
    job = info.value
    assert job.result() == "299"
    outputs = job.timeline.outputs()
    assert len(outputs) == 300, len(outputs)
    last = outputs[-1]
    assert (last[0] if isinstance(last, (list, tuple)) else last) == "299"
    gradio_page.wait_idle()
    assert flight["reports"] > 0
    assert flight["most"] == 1, f"{flight['most']} reports in flight at once ({flight})"
