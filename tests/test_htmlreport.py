"""The visual report (--gradio-report) and pytest-html's extras, read where people
look at them: the HTML file, the DOM a real headless Chromium builds from it, its
screenshot, and pytest-html's own report. Real pytest runs (pytester) against
apps/basic.py on loopback."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pytest_gradio import htmlreport
from pytest_gradio.browser.launch import LAUNCH_ARGS, BrowserNotFoundError, find_browser

from .conftest import APPS

pytestmark = pytest.mark.timeout(180)

# Not a real token: a value shaped like one, that must never reach the report.
SECRET = "hf_reportSecretValue0123456789"
LONG = "abcdefghij" * 100  # 1,000 characters: cut in the report
FILE_TEXT = "the content of the file must stay out of the report"

SUITE = f"""
import os

import pytest
from pytest_gradio import assert_job_error, assert_job_result

pytestmark = pytest.mark.gradio_app("app.py")


def test_streams_and_progress(gradio_client):
    gradio_client.submit(4, api_name="/count").result()
    gradio_client.submit(3, api_name="/stepper").result()


def test_fails(gradio_client):
    gradio_client.submit(3, api_name="/count").result()
    job = gradio_client.submit("bad " + os.environ["HF_TOKEN"], api_name="/fail")
    job.exception()
    assert_job_result(gradio_client.submit(2, 2, api_name="/add"), 5)


def test_cancelled_and_long(gradio_client):
    slow = gradio_client.submit(3, api_name="/slow")
    assert_job_result(gradio_client.submit({LONG!r}, api_name="/remember"), {LONG!r})
    slow.cancel()


def test_file(gradio_client, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text({FILE_TEXT!r})
    assert gradio_client.submit(str(notes), api_name="/remember").result() == str(notes)
    assert gradio_client.submit("hello", api_name="/make_file").result()


def test_no_jobs():
    pass
"""


class _Elements(HTMLParser):
    """Every element's tag and attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def with_class(self, *names: str) -> list[dict[str, str]]:
        return [a for _, a in self.found if set(names) <= set(a.get("class", "").split())]


def _elements(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    return parser


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(test_suite=SUITE)
    monkeypatch.setenv("HF_TOKEN", SECRET)
    return pytester


def _run_report(suite: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, str]:
    result = suite.runpytest("-p", "no:randomly", "--gradio-report=out/report.html", *args)
    result.assert_outcomes(passed=4, failed=1)
    return result, (suite.path / "out" / "report.html").read_text(encoding="utf-8")


def test_report_shows_every_job_failing_test_first(suite: pytest.Pytester) -> None:
    """The file holds the run's figures, a row per endpoint, and every test that ran
    jobs, the failing one first and open, each job a lane with its marks."""
    result, text = _run_report(suite)
    result.stdout.fnmatch_lines(["*- gradio report: *out*report.html -*"])
    page = _elements(text)

    tests = page.with_class("test")
    names = re.findall(r'<details class="test [^"]*"[^>]*><summary>.*?</span>([^<]+)<', text)
    assert names[0] == "test_suite.py::test_fails"
    assert "test_suite.py::test_no_jobs" not in text  # a test without jobs has no block
    assert len(tests) == 4
    assert "open" in tests[0]
    assert tests[0]["class"] == "test failed"

    lanes = page.with_class("lane")
    assert len(lanes) == 9  # every job of the run
    assert len(page.with_class("lane", "failed")) == 1  # /fail raised gr.Error
    assert len(page.with_class("end", "error")) == 1
    assert len(page.with_class("end", "cancelled")) == 1  # /slow, cancelled
    assert len(page.with_class("end", "ok")) == 7
    # /count yields 4 then 3 times: one tick per streamed output.
    assert len(page.with_class("tick")) >= 7
    assert len(page.with_class("prog")) == 1  # /stepper's progress curve
    assert page.with_class("log", "info")
    assert page.with_class("log", "warning")
    # Clicking a lane opens its job's details: every lane names an existing one.
    ids = {a["id"] for _, a in page.found if "id" in a}
    assert all(lane["data-job"] in ids for lane in lanes)

    # One row per endpoint with its figures; the summary's numbers.
    # jobs, failed, expected errors, cancelled
    assert re.search(r"<td>/count</td><td>2</td><td>0</td><td>0</td><td>0</td>", text)
    assert re.search(r"<td>/fail</td><td>1</td><td>1</td><td>0</td><td>0</td>", text)
    assert re.search(r"<td>/slow</td><td>1</td><td>0</td><td>0</td><td>1</td>", text)
    assert "AssertionError: assert_job_result: the result differs." in text  # why it failed


EXPECTED_ERRORS = """
import pytest
from pytest_gradio import assert_job_error, assert_job_result

pytestmark = pytest.mark.gradio_app("app.py")


def test_error_on_purpose(gradio_client):
    assert_job_error(gradio_client.submit("no such user", api_name="/fail"), match="no such")


def test_wrong_sum(gradio_client):
    assert_job_result(gradio_client.submit(2, 2, api_name="/add"), 5)
"""


def test_expected_errors_are_counted_apart_and_messages_are_whole(
    pytester: pytest.Pytester,
) -> None:
    """Issue 19: a gr.Error a test asserted (assert_job_error) is an expected error, not
    a failed job (the report said "1 failed jobs" beside "0 failing tests"); a failing
    test's card shows its whole message, as the terminal does, not its first line."""
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(test_expected=EXPECTED_ERRORS)
    result = pytester.runpytest("-p", "no:randomly", "--gradio-report=report.html", "-v")
    result.assert_outcomes(passed=1, failed=1)
    text = (pytester.path / "report.html").read_text(encoding="utf-8")
    assert "<b>0</b><span>failed jobs</span>" in text
    assert "<b>1</b><span>expected errors</span>" in text
    assert "<b>1</b><span>failing tests</span>" in text
    # jobs, failed, expected errors, cancelled
    assert re.search(r"<td>/fail</td><td>1</td><td>0</td><td>1</td><td>0</td>", text)
    page = _elements(text)
    assert len(page.with_class("lane", "expected_error")) == 1
    assert len(page.with_class("end", "error", "expected")) == 1
    assert "raised the expected error after" in text
    # The terminal's summary table counts it apart too.
    result.stdout.fnmatch_lines(["*endpoint  jobs  expected errors  app errors  failed*"])
    result.stdout.fnmatch_lines(["*/fail *1 *1 *0 *0 *0  *"])

    # The card's message is the assertion's whole message, as under the traceback.
    message = re.search(r'<p class="msg">(.*?)</p>', text, re.DOTALL)
    assert message is not None
    shown = html.unescape(message.group(1)).splitlines()
    assert shown[0] == "AssertionError: assert_job_result: the result differs."
    terminal = [line[1:].strip() for line in result.stdout.lines if line.startswith("E   ")]
    assert len(shown) > 3
    assert [line.strip() for line in shown[1:]] == terminal[1 : len(shown)]


def test_report_keeps_out_secrets_file_contents_and_long_outputs(
    suite: pytest.Pytester,
) -> None:
    """The token (in an argument and in the app's error message) is redacted, a file
    output is its name and size, and a long output is cut."""
    _, text = _run_report(suite)
    plain = html.unescape(text)
    assert SECRET not in plain
    assert SECRET[:12] not in plain  # not even a cut piece of it
    assert "bad <hidden token>" in plain
    assert FILE_TEXT not in plain
    assert f"<file notes.txt ({len(FILE_TEXT)} bytes)>" in plain  # argument and result
    assert re.search(r"<file report_\w+\.txt \(5 bytes\)>", plain)  # /make_file's output
    assert LONG not in plain
    assert LONG[: htmlreport.TEXT_LIMIT // 2] in plain
    assert "\u2026" in plain


def test_report_merges_xdist_workers_and_reads_the_ini(pytester: pytest.Pytester) -> None:
    """Under -n 2 the controller writes one report with the tests of both workers;
    ini gradio_report is relative to the ini file."""
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makeini("[pytest]\ngradio_report = reports/run.html\n")
    pytester.makepyfile(
        test_spread="""
        import pytest

        pytestmark = pytest.mark.gradio_app("app.py")


        @pytest.mark.parametrize("n", range(6))
        def test_add(gradio_client, n):
            assert gradio_client.predict(n, 1, api_name="/add") == n + 1
        """
    )
    result = pytester.runpytest("-n", "2")
    result.assert_outcomes(passed=6)
    text = (pytester.path / "reports" / "run.html").read_text(encoding="utf-8")
    assert len(_elements(text).with_class("lane")) == 6
    assert all(f"test_spread.py::test_add[{n}]" in text for n in range(6))
    assert "<b>2</b><span>xdist workers</span>" in text


def test_no_report_without_the_option(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=4, failed=1)
    assert not (suite.path / "out").exists()
    assert "gradio report" not in result.stdout.str()


# --- pytest-html ------------------------------------------------------------------------------


def _pytest_html_tests(path: Path) -> dict[str, list[dict[str, object]]]:
    """The per-test data pytest-html 4 keeps in its page (a JSON blob)."""
    text = path.read_text(encoding="utf-8")
    blob = re.search(r'data-jsonblob="([^"]*)"', text)
    assert blob is not None, "not a pytest-html 4 report"
    return json.loads(html.unescape(blob.group(1)))["tests"]  # type: ignore[no-any-return]


def test_pytest_html_failing_test_gets_its_timelines(suite: pytest.Pytester) -> None:
    """With pytest-html and --html (no gradio option), the failing test's row holds
    its lanes as an HTML extra; passing tests get none."""
    pytest.importorskip("pytest_html")
    result = suite.runpytest("-p", "no:randomly", "--html=ph/report.html")
    result.assert_outcomes(passed=4, failed=1)
    tests = _pytest_html_tests(suite.path / "ph" / "report.html")
    failing = tests["test_suite.py::test_fails"]
    extras = [e for run in failing for e in run["extras"]]  # type: ignore[attr-defined]
    timelines = [e for e in extras if 'class="gr gradio-timelines"' in e["content"]]
    assert len(timelines) == 1
    assert timelines[0]["format_type"] == "html"
    page = _elements(timelines[0]["content"])
    assert len(page.with_class("lane")) == 3
    assert len(page.with_class("end", "error")) == 1
    assert len(page.with_class("tick")) == 3
    assert SECRET not in html.unescape(timelines[0]["content"])
    passing = tests["test_suite.py::test_streams_and_progress"]
    assert not any(
        "gradio-timelines" in e["content"]
        for run in passing
        for e in run["extras"]  # type: ignore[attr-defined]
    )


# --- headless Chromium -----------------------------------------------------------------------


def chromium() -> str:
    """The Chromium gradio_page would use from PATH. On CI (CI=true) a missing browser
    fails the test instead of skipping it."""
    try:
        return str(find_browser(None, "", None).executable)
    except BrowserNotFoundError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


# The browser's own launch flags (nothing but loopback and the file), headless, sized.
CHROMIUM_FLAGS = ("--headless", *LAUNCH_ARGS, "--hide-scrollbars", "--window-size=1100,1000")


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_report_renders_in_headless_chromium(
    suite: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Chromium builds the lanes, ticks and error marks from the file alone, and its
    screenshot of the page is not blank."""
    browser = chromium()
    _, _ = _run_report(suite)
    report = (suite.path / "out" / "report.html").resolve()
    profile = tmp_path_factory.mktemp("chromium-profile")

    dom = _chromium(browser, profile, "--dump-dom", report.as_uri()).stdout
    page = _elements(dom)
    assert len(page.with_class("lane")) == 9
    assert len(page.with_class("tick")) >= 7
    assert len(page.with_class("end", "error")) == 1
    assert len(page.found) > 200

    shot = suite.path / "shot.png"
    _chromium(browser, profile, f"--screenshot={shot}", report.as_uri())
    from PIL import Image, ImageStat

    with Image.open(shot) as image:
        assert image.size == (1100, 1000)
        rgb = image.convert("RGB")
        variance = ImageStat.Stat(rgb).var
        colors = rgb.getcolors(maxcolors=1 << 20) or []
    assert min(variance) > 100, variance  # a blank page has a variance near 0
    assert len(colors) > 50  # text, bars, ticks and marks in several colours
    # The lanes' colours are on the page: processing bars (#80b3ff) and the error red.
    palette = {rgb for _, rgb in colors}
    assert (0x80, 0xB3, 0xFF) in palette


# --- the pure parts -----------------------------------------------------------------------------


def test_describe_files_by_name_and_size(tmp_path: Path) -> None:
    path = tmp_path / "cat.txt"
    path.write_text("meow")
    data = {"path": "/tmp/x/dog.png", "orig_name": "dog.png", "url": None, "size": 7}
    assert (
        htmlreport.describe([str(path), data])
        == "[<file cat.txt (4 bytes)>, <file dog.png (7 bytes)>]"
    )
    assert htmlreport.describe("x" * 1000, limit=50) == "'" + "x" * 48 + "\u2026"
    assert (
        htmlreport.describe({"t": "hf_abcdefghijk"}, ["hf_abcdefghijk"])
        == "{'t': '<hidden token>'}"
    )


def test_ordered_tests_failing_first_then_time_in_jobs() -> None:
    def test(nodeid: str, outcome: str, *spans: tuple[float, float]) -> dict[str, object]:
        jobs = [{"start": s, "duration": d} for s, d in spans]
        return {"nodeid": nodeid, "outcome": outcome, "jobs": jobs}

    tests = [
        test("fast", "passed", (0, 0.1)),
        test("slow", "passed", (0, 1.0), (0.5, 1.0)),  # overlapping: 1.5 s, not 2
        test("broken", "failed", (0, 0.01)),
        test("error", "error", (0, 0.02)),
    ]
    assert htmlreport.time_in_jobs(tests[1]) == pytest.approx(1.5)
    ordered = [t["nodeid"] for t in htmlreport.ordered_tests(tests)]
    assert ordered == ["error", "broken", "slow", "fast"]


def test_render_without_jobs() -> None:
    page = htmlreport.render([], wall=1.0)
    assert "no jobs ran" in page
    assert "no test ran a job" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


OUTCOMES = """
import pytest

pytestmark = pytest.mark.gradio_app("app.py")


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown broke")


@pytest.mark.xfail(reason="on purpose")
def test_expected_failure(gradio_client):
    assert gradio_client.predict(1, 1, api_name="/add") == 3


def test_skipped_after_a_job(gradio_client):
    gradio_client.predict(1, 1, api_name="/add")
    pytest.skip("not today")


def test_teardown_error(gradio_client, broken_teardown):
    gradio_client.predict(1, 1, api_name="/add")
"""


def test_report_names_each_outcome(pytester: pytest.Pytester) -> None:
    """xfail, skip and a teardown error have pytest's words; the error counts as failing."""
    (pytester.path / "app.py").write_text((APPS / "basic.py").read_text())
    pytester.makepyfile(test_outcomes=OUTCOMES)
    result = pytester.runpytest("-p", "no:randomly", "--gradio-report=report.html")
    result.assert_outcomes(passed=1, skipped=1, xfailed=1, errors=1)
    text = (pytester.path / "report.html").read_text(encoding="utf-8")
    badges = re.findall(r'<span class="badge (\w+)">\w+</span>([^<]+)<', text)
    # Failing first; the others by time in jobs, which varies from run to run.
    assert badges[0] == ("error", "test_outcomes.py::test_teardown_error")
    assert sorted(badges[1:]) == [
        ("skipped", "test_outcomes.py::test_skipped_after_a_job"),
        ("xfailed", "test_outcomes.py::test_expected_failure"),
    ]
    assert "RuntimeError: teardown broke" in text


def test_report_path_errors_name_the_path_and_its_source(pytester: pytest.Pytester) -> None:
    """A directory is refused up front; a path that cannot be written is named at the
    end, after the tests ran."""
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    (pytester.path / "out").mkdir()
    result = pytester.runpytest("--gradio-report=out")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*Invalid report path '*out' from --gradio-report: it is a directory; give a file*"]
    )

    (pytester.path / "blocker").write_text("a file where a directory should be")
    result = pytester.runpytest("--gradio-report=blocker/report.html")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "could not write the gradio report to *blocker*report.html (from "
            "--gradio-report): *. Give a file path in a writable directory."
        ]
    )
