"""The run object and its listeners (issue 20, item 2): each concern of the session's
record is a pytest plugin object of its own, registered only when the run needs it,
and the run object itself stays small. Real pytest runs in a fresh interpreter, so
that what a run imports is what a user's run imports."""

from __future__ import annotations

import inspect

import pytest

from pytest_gradio import ci

pytestmark = pytest.mark.timeout(120)

SHOW = """
import sys

def test_show(request):
    manager = request.config.pluginmanager
    names = sorted(name for name, _ in manager.list_name_plugin() if name.startswith("gradio-"))
    modules = sorted(
        name.rsplit(".", 1)[1]
        for name in sys.modules
        if name.startswith("pytest_gradio.") and name.endswith("_plugin")
    )
    print("\\nLISTENERS", " ".join(names))
    print("MODULES", " ".join(modules))
"""

# Always there: the run and its failure report (any test may fail), and syrupy's and
# pytest-timeout's hooks (both are installed here); browser_plugin is plugin.py's
# pytest_plugins.
ALWAYS = {"gradio-run", "gradio-failures", "gradio-snapshots", "gradio-timeout"}
ALWAYS_MODULES = {"browser_plugin", "failure_plugin", "scrub_plugin", "snapshot_plugin"}


@pytest.mark.parametrize(
    ("args", "token", "listeners", "modules"),
    [
        pytest.param((), None, set(), set(), id="plain"),
        pytest.param(
            ("--gradio-summary",),
            None,
            {"gradio-summary", "gradio-xdist"},
            {"summary_plugin"},
            id="summary",
        ),
        pytest.param(
            ("-v",), None, {"gradio-summary", "gradio-xdist"}, {"summary_plugin"}, id="verbose"
        ),
        pytest.param(
            ("--gradio-report=out/report.html",),
            None,
            {"gradio-htmlreport", "gradio-xdist"},
            {"report_plugin"},
            id="report",
        ),
        pytest.param(("--html=ph.html",), None, {"gradio-html"}, {"html_plugin"}, id="pytest-html"),
        pytest.param(
            ("--gradio-coverage",),
            None,
            {"gradio-coverage", "gradio-xdist"},
            {"coverage_plugin"},
            id="coverage",
        ),
        pytest.param((), "hf_listenerToken0123", {"gradio-scrub"}, set(), id="token"),
    ],
)
def test_listeners_are_registered_only_when_needed(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    token: str | None,
    listeners: set[str],
    modules: set[str],
) -> None:
    """A plain run has the run object and its failure report only; the summary, the
    HTML report, pytest-html's extras and secret scrubbing come (and their modules
    are imported) when an option or a secret asks for them."""
    monkeypatch.delenv("HF_TOKEN", raising=False)
    if token is not None:
        monkeypatch.setenv("HF_TOKEN", token)
    pytester.makepyfile(test_show=SHOW)
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly", *args)
    result.assert_outcomes(passed=1)
    shown = {}
    for line in result.stdout.lines:
        key, _, value = line.partition(" ")
        if key in ("LISTENERS", "MODULES"):
            shown[key] = set(value.split())
    assert shown["LISTENERS"] == ALWAYS | listeners
    assert shown["MODULES"] == ALWAYS_MODULES | modules


def test_the_run_object_stays_small() -> None:
    """GradioRun keeps the record (tests, jobs, apps, clients); the summary, the HTML
    report and scrubbing live in their listeners."""
    lines, _ = inspect.getsourcelines(ci.GradioRun)
    assert len(lines) < 150
    source = "".join(lines)
    for word in ("report_path", "htmlreport", "report_tests", "records", "summary", "longrepr"):
        assert word not in source, word
