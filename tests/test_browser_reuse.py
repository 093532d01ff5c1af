"""What gradio_page keeps between tests (warm contexts, a page prepared during the
test before) and what it must not: every test a new Gradio session, and nothing a
test left in the browser (storage, cookies, state, changes to the context)."""

from __future__ import annotations

from pathlib import Path

import pytest

APPS = Path(__file__).parent / "apps"
NO_PP = ("-p", "no:cacheprovider", "-p", "no:playwright")

# Each test first checks that nothing of an earlier test is there, then leaves all it
# can behind: four tests, so that each of the two warm contexts is reused.
LEAVES_STATE = f"""
import json, os, pathlib, time
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})
SEEN = pathlib.Path("seen.json")
PAGES = []


@pytest.mark.parametrize("i", range(4))
def test_leaves_state(i, gradio_page):
    page = gradio_page.page
    seen = json.loads(SEEN.read_text()) if SEEN.exists() else {{}}
    # Nothing from the browser side of an earlier test.
    assert page.evaluate("() => localStorage.getItem('left')") is None
    assert page.evaluate("() => sessionStorage.getItem('left')") is None
    assert "left" not in page.evaluate("() => document.cookie")
    assert gradio_page.context.cookies() == []
    names = page.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")
    assert "left" not in names
    caches = page.evaluate("async () => await caches.keys()")
    assert "left" not in caches
    # Nor from the page, when it is one kept from an earlier test.
    assert page.evaluate("() => window.name") == ""
    assert page.evaluate("() => history.length") <= 2
    PAGES.append(page)
    # Nothing from the server side: gr.State and gr.BrowserState start over.
    gradio_page.component("Show").click()
    gradio_page.component("Shown").expect_value("count 0, remembered nothing yet")
    # Leave everything behind.
    page.evaluate(\"\"\"async () => {{
        localStorage.setItem('left', '1'); sessionStorage.setItem('left', '1');
        document.cookie = 'left=1; max-age=3600'; window.name = 'left';
        history.pushState({{}}, '', location.href);
        await new Promise(r => {{ const q = indexedDB.open('left'); q.onsuccess = r; }});
        await caches.open('left');
    }}\"\"\")
    gradio_page.context.add_cookies([{{"name": "left2", "value": "1", "url": gradio_page.url}}])
    gradio_page.component("Note").set(f"from test {{i}}")
    gradio_page.component("Bump").click()
    gradio_page.component("Shown").expect_value(f"count 1, remembered from test {{i}}")
    session = gradio_page.last_job.session_hash
    assert session and session not in seen.values()
    started = page.evaluate("() => performance.timeOrigin") / 1000
    seen[str(i)] = session
    seen[f"opened {{i}}"] = started
    seen[f"ended {{i}}"] = time.time()
    # Which page served: two, each kept by one of the two warm contexts.
    seen[f"page {{i}}"] = next(j for j, p in enumerate(PAGES) if p is page)
    # Written whole, then renamed: under xdist the other worker reads it meanwhile
    # (it once read the file half written: JSONDecodeError).
    written = SEEN.with_name(f"seen.{{os.getpid()}}.json")
    written.write_text(json.dumps(seen))
    written.replace(SEEN)
"""


def test_no_state_leaks_from_one_page_test_to_the_next(pytester):
    pytester.makepyfile(test_state=LEAVES_STATE)
    result = pytester.runpytest_inprocess(*NO_PP, "-v")
    result.assert_outcomes(passed=4)
    import json

    seen = json.loads((pytester.path / "seen.json").read_text())
    assert len({seen[str(i)] for i in range(4)}) == 4, "a Gradio session was reused"
    # The point of it: each later page was made while the test before still ran
    # (from the third on: the first test of an app prepares nothing).
    for i in range(2, 4):
        assert seen[f"opened {i}"] < seen[f"ended {i - 1}"], (i, seen)
    # And the pages themselves were kept: test 1 had test 0's page again (test 0
    # prepared nothing), test 2 the one prepared in the second context, test 3 the
    # first again.
    assert [seen[f"page {i}"] for i in range(4)] == [0, 0, 2, 0], seen


def test_no_state_leaks_under_xdist(pytester):
    pytester.makepyfile(test_state=LEAVES_STATE.replace("range(4)", "range(6)"))
    result = pytester.runpytest_inprocess(*NO_PP, "-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=6)


CHANGES_CONTEXT = f"""
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})
KEPT = []


@pytest.mark.parametrize("i", range(4))
def test_changes_context(i, gradio_page):
    page = gradio_page.page
    assert page.evaluate("() => window.leftByInitScript") is None
    assert page.evaluate("() => navigator.onLine")
    KEPT.append(gradio_page.context)
    if i == 0:
        gradio_page.context.add_init_script("window.leftByInitScript = 1")
        gradio_page.context.set_offline(True)
    if i == 3:
        # The unchanged context of test 1 was reused for test 3 (cache kept);
        # the one test 0 changed was not.
        assert KEPT[3] is KEPT[1]
        assert all(KEPT[3] is not KEPT[j] for j in (0, 2))
"""


def test_a_context_the_test_changed_is_not_reused(pytester):
    pytester.makepyfile(test_ctx=CHANGES_CONTEXT)
    result = pytester.runpytest_inprocess(*NO_PP, "-v")
    result.assert_outcomes(passed=4)


CHANGES_PAGE = f"""
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})
KEPT, HEARD = [], []


@pytest.mark.parametrize("i", range(4))
def test_changes_page(i, gradio_page):
    page = gradio_page.page
    KEPT.append(page)
    assert page.viewport_size == {{"width": 1280, "height": 720}}
    page.evaluate("() => console.log('from test', location.href)")
    gradio_page.component("Show").click()
    gradio_page.component("Shown").expect_value("count 0, remembered nothing yet")
    assert HEARD == []
    if i == 0:
        # A listener of this test's, and a viewport: a kept page would take both on.
        page.on("console", lambda m: HEARD.append(m.text))
        page.set_viewport_size({{"width": 500, "height": 400}})
        HEARD.clear()
    if i == 1:
        assert KEPT[1] is not KEPT[0]  # test 0's page, changed, was closed
    if i == 3:
        assert KEPT[3] is KEPT[1]  # test 1's, unchanged, was kept
"""


def test_a_page_the_test_changed_is_not_kept(pytester):
    pytester.makepyfile(test_page=CHANGES_PAGE)
    result = pytester.runpytest_inprocess(*NO_PP, "-v")
    result.assert_outcomes(passed=4)


OTHER_ORIGIN = f"""
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})
KEPT = []


@pytest.mark.parametrize("i", range(3))
def test_other_origin(i, gradio_page):
    page = gradio_page.page
    KEPT.append(page)
    other = gradio_page.url.replace("127.0.0.1", "localhost")
    assert other != gradio_page.url
    page.goto(other)
    assert page.evaluate("() => sessionStorage.getItem('left')") is None
    assert page.evaluate("() => localStorage.getItem('left')") is None
    # Left on an origin the page then leaves: it is cleared all the same.
    page.evaluate("() => {{ sessionStorage.setItem('left', 1); localStorage.setItem('left', 1); }}")
    page.goto(gradio_page.url)
    if i == 1:
        assert KEPT[1] is KEPT[0]
"""


def test_storage_of_another_origin_the_page_went_to_is_cleared(pytester):
    pytester.makepyfile(test_origin=OTHER_ORIGIN)
    result = pytester.runpytest_inprocess(*NO_PP, "-v")
    result.assert_outcomes(passed=3)


CACHED = f"""
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})


@pytest.mark.parametrize("i", range(4))
def test_cached(i, gradio_page):
    sizes = gradio_page.page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter(e => new URL(e.name).pathname.endsWith('.js')).map(e => e.transferSize)"
    )
    assert len(sizes) > 5
    # Test 0 opens a context, which test 1 reuses (test 0 prepared no page); test 1
    # prepares test 2's page in a second context; test 3 is back in the first. A
    # reused context has Gradio's frontend in its HTTP cache: no byte is fetched.
    if i in (1, 3):
        assert sum(sizes) == 0, sizes
"""


def test_a_reused_context_serves_the_frontend_from_its_cache(pytester):
    pytester.makepyfile(test_cached=CACHED)
    result = pytester.runpytest_inprocess(*NO_PP)
    result.assert_outcomes(passed=4)


TWO_APPS = f"""
import pytest

A = {str(APPS / "browser_state.py")!r}
B = {str(APPS / "browser_components.py")!r}


@pytest.mark.gradio_app(A)
@pytest.mark.parametrize("i", range(2))
def test_a(i, gradio_page):
    # The second prepares a page for A (the first test of an app prepares nothing).
    gradio_page.component("Bump").click()


@pytest.mark.gradio_app(B)
def test_b(gradio_page, gradio_browser):
    # The page prepared for A during test_a was not used, and is closed (the one
    # prepared during this test is for this app, B, as test_a_again will find).
    gradio_page.component("Name").expect_value("")
    urls = {{p.url for c in gradio_browser.contexts for p in c.pages}}
    assert urls == {{gradio_page.page.url}}


@pytest.mark.gradio_app(A)
def test_a_again(gradio_page):
    gradio_page.component("Show").click()
    gradio_page.component("Shown").expect_value("count 0, remembered nothing yet")
"""


def test_a_page_prepared_for_another_app_is_not_used(pytester):
    pytester.makepyfile(test_two=TWO_APPS)
    result = pytester.runpytest_inprocess(*NO_PP, "-v")
    result.assert_outcomes(passed=4)


LOADING_APP = """
import gradio as gr

with gr.Blocks() as demo:
    box = gr.Textbox(label="Loaded")
    demo.load(lambda: "yes", None, box)
"""

LOADS = """
import json, pathlib, time
import pytest

pytestmark = pytest.mark.gradio_app("loading_app.py")


@pytest.mark.parametrize("i", range(3))
def test_loads(i, gradio_page):
    path = pathlib.Path("times.json")
    times = json.loads(path.read_text()) if path.exists() else []
    times.append([gradio_page.page.evaluate("() => performance.timeOrigin") / 1000, time.time()])
    path.write_text(json.dumps(times))
"""


def test_an_app_with_load_events_gets_no_page_in_advance(pytester):
    # Its load events would run during the test before, on that test's server.
    pytester.makepyfile(test_loads=LOADS, loading_app=LOADING_APP)
    result = pytester.runpytest_inprocess(*NO_PP)
    result.assert_outcomes(passed=3)
    import json

    times = json.loads((pytester.path / "times.json").read_text())
    # The third is where a page would have been prepared (during the second).
    (_, second_ended), (third_opened, _) = times[1:]
    assert third_opened > second_ended


FAILS_FIRST = f"""
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})


@pytest.mark.parametrize("i", range(3))
def test_page(i, gradio_page):
    gradio_page.component("Note").set(f"test {{i}}")
    assert i != 0, "fails on purpose"
"""


@pytest.mark.parametrize("args", [(), ("-x",)])
def test_failures_keep_their_screenshot_and_nothing_is_left_running(pytester, args):
    import psutil

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    pytester.makepyfile(test_fails=FAILS_FIRST)
    result = pytester.runpytest_inprocess(*NO_PP, "--gradio-output=out", *args)
    result.assert_outcomes(failed=1, passed=0 if args else 2)
    # (-gw0 and so on after the name when this suite itself runs under xdist)
    (png,) = (pytester.path / "out").glob("test_fails.py-test_page-0*.png")
    assert png.stat().st_size > 0
    left = [
        p.name()
        for p in psutil.Process().children(recursive=True)
        if p.pid not in before and p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert left == []


BREAKS_THINGS = f"""
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})


@pytest.mark.parametrize("i", range(5))
def test_breaks(i, gradio_page, gradio_browser):
    gradio_page.component("Show").click()
    gradio_page.component("Shown").expect_value("count 0, remembered nothing yet")
    if i == 1:
        # The page prepared for test 2 goes away before test 2 takes it.
        others = [p for c in gradio_browser.contexts for p in c.pages if p != gradio_page.page]
        assert len(others) == 1
        others[0].close()
    if i == 3:
        gradio_page.context.close()
"""


def test_a_lost_prepared_page_or_a_closed_context_is_replaced(pytester):
    pytester.makepyfile(test_breaks=BREAKS_THINGS)
    result = pytester.runpytest_inprocess(*NO_PP, "-v")
    result.assert_outcomes(passed=5)


PERMISSIONS = f"""
import pytest

pytestmark = pytest.mark.gradio_app({str(APPS / "browser_state.py")!r})


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {{**browser_type_launch_args, "executable_path": CHROMIUM, "args": LAUNCH_ARGS}}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {{**browser_context_args, "permissions": ["clipboard-read"]}}


@pytest.mark.parametrize("i", range(3))
def test_permission(i, gradio_page):
    state = gradio_page.page.evaluate(
        "async () => (await navigator.permissions.query({{name: 'clipboard-read'}})).state"
    )
    assert state == "granted"
"""


def test_permissions_given_by_the_context_options_stay_on_a_reused_context(pytester):
    # Clearing a reused context takes the test's permissions away, not these. They
    # come from pytest-playwright's options, its browser being our Chromium.
    from pytest_gradio.browser.launch import LAUNCH_ARGS, find_browser

    chromium = find_browser(None, "", None).executable
    setup = f"CHROMIUM, LAUNCH_ARGS = {chromium!r}, {list(LAUNCH_ARGS)!r}\n"
    pytester.makepyfile(test_permissions=PERMISSIONS + setup)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=3)
