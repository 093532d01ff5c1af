"""The controllers of issue 22 item 10, each driven in Chromium on a real app
(tests/apps/browser_controls.py): tabs, accordions, toasts, a multimodal textbox,
examples, progress, dataframe cells, a number's submit, `timeout=`, negative, count
and absence expectations, and browser context options without pytest-playwright."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from pytest_gradio.browser import ComponentNotFoundError

APPS = Path(__file__).parent / "apps"
NO_PP = ("-p", "no:cacheprovider", "-p", "no:playwright")
pytestmark = pytest.mark.gradio_app(str(APPS / "browser_controls.py"))


def test_tabs_select_and_selected(gradio_page):
    tabs = gradio_page.component(kind="tabs")
    assert tabs.labels() == ["First", "Second"]
    assert tabs.selected() == "First"
    tabs.select("Second")
    tabs.expect_selected("Second")
    gradio_page.component("Second").expect_selected()
    gradio_page.component("First").expect_selected(False)
    gradio_page.component("First").select()
    tabs.expect_selected("First")
    with pytest.raises(AssertionError, match="selected tab did not match"):
        tabs.expect_selected("Second", timeout=0.2)


def test_accordion_open_close(gradio_page):
    more = gradio_page.component("More")
    assert type(more).__name__ == "Accordion"
    assert more.is_open() is False
    gradio_page.component("Inside").expect_hidden()
    more.open()
    more.expect_open()
    gradio_page.component("Inside").expect_visible()
    more.close()
    more.expect_open(False)


def test_toasts_by_text_kind_count_and_close(gradio_page):
    toasts = gradio_page.toasts
    toasts.expect_count(0)
    gradio_page.component("Toast text").set("hello there")
    gradio_page.component("Toast").click()
    toasts.expect("hello there", kind="info")
    # The message's text alone, without the title or the close mark (gradio 5 too).
    assert toasts.messages() == [{"kind": "info", "title": "Info", "text": "hello there"}]
    gradio_page.component("Kind").set("warning")
    gradio_page.component("Toast text").set("careful")
    gradio_page.component("Toast again").click()
    toasts.expect("careful", kind="warning")
    toasts.expect_count(2)
    toasts.expect_count(1, kind="warning")
    with pytest.raises(AssertionError, match="a error toast with 'careful'"):
        toasts.expect("careful", kind="error", timeout=0.2)
    toasts.close("careful")
    toasts.expect_count(0, kind="warning")
    gradio_page.component("Kind").set("error")
    gradio_page.component("Toast text").set("it broke")
    gradio_page.component("Toast").click()
    toasts.expect("it broke", kind="error")
    toasts.close()
    toasts.expect_count(0)


def test_multimodal_textbox_text_and_files(gradio_page, tmp_path):
    pictures = []
    for i in range(2):
        pictures.append(tmp_path / f"{i}.png")
        Image.new("RGB", (4, 4), (80 * i, 0, 0)).save(pictures[-1])
    box = gradio_page.component("Message")
    assert type(box).__name__ == "MultimodalTextbox"
    box.submit("look", files=pictures)
    gradio_page.component("Got").expect_value("look + 2 files")
    box.submit("again")  # the app leaves the box as it was: its files are sent again
    gradio_page.component("Got").expect_value("again + 2 files")


def test_examples_rows(gradio_page):
    examples = gradio_page.component(kind="dataset")
    # expect_rows, not a one-shot rows(): gradio draws each sample's cells with its
    # component's own preview code, which may still be loading (on gradio 6.0.2 the
    # Number column was empty at first: [['one', ''], ...]).
    examples.expect_rows([["one", "1"], ["two", "2"], ["three", "3"]])
    assert examples.rows() == [["one", "1"], ["two", "2"], ["three", "3"]]
    examples.expect_count(3)


def test_examples_click_row_fills_the_inputs(gradio_page):
    examples = gradio_page.component(kind="dataset")
    examples.click_row(1)
    gradio_page.component("A").expect_value("two")
    gradio_page.component("B").expect_value(2)


def test_examples_row_an_event_adds_is_waited_for(gradio_page):
    """The sample shows only when the event that adds it has run: click_row waits for
    it instead of failing at once."""
    gradio_page.component("More examples").click()
    gradio_page.component(kind="dataset").click_row(3)
    gradio_page.component("A").expect_value("four")
    gradio_page.timeout = 3  # how long click_row waits for a sample to show
    with pytest.raises(ComponentNotFoundError, match=r"shows 4 samples within 3 s; index=7"):
        gradio_page.component(kind="dataset").click_row(7)


def test_a_component_whose_elem_classes_an_event_replaces_is_still_driven(gradio_page):
    from playwright.sync_api import expect

    box = gradio_page.component("Restyled")
    box.set("one")
    gradio_page.component("Restyle").click()
    box.expect_value("styled one")
    expect(box.locator).to_have_class(re.compile(r"(^|\s)x(\s|$)"))
    box.set("two")
    gradio_page.component("Update").click()
    box.expect_value("updated two")
    expect(box.locator).to_have_class(re.compile(r"(^|\s)z(\s|$)"))
    # The generator's end shows its last output again (gradio 5.50 to 6.31): text set
    # before that was replaced by "updated two" (seen in CI as 'updaeed two': the fill
    # undone, then Textbox.set's retyped last key). Typing waits for the job's end.
    gradio_page.wait_idle()
    box.set("three")
    gradio_page.component("Restyled").expect_value("three")


def test_progress_indicator(gradio_page, tmp_path):
    gate = tmp_path / "gate"
    slow = gradio_page.component("Slow")
    gradio_page.component("Gate").set(str(gate))
    assert slow.progress() is None
    gradio_page.component("Run slow").click()
    slow.expect_progress("halfway")
    gate.touch()
    slow.expect_value("slow done")
    slow.expect_no_progress()


def test_dataframe_cells(gradio_page):
    table = gradio_page.component("Fruits")
    assert table.cell(1, 1) == "banana"
    table.set_cell(1, 1, "blueberry")
    table.expect_cell(1, 1, "blueberry")
    gradio_page.component("Fruit").expect_value("apple,blueberry,cherry")
    table.select_cell(2, 1)
    gradio_page.component("Picked").expect_value("picked cherry at [2, 1]")
    table.search("apple")
    table.expect_count(1)
    table.expect_cell(0, 1, "apple")


def test_number_submit(gradio_page):
    gradio_page.component("Number").submit(21)
    gradio_page.component("Doubled").expect_value(42)


@pytest.mark.gradio_app(str(APPS / "browser_late_render.py"))
def test_a_render_not_drawn_yet_is_waited_for(gradio_page):
    """No render config has reached the page when the test asks (gradio 5.50 in CI: the
    load event's render had not arrived): the config's render dependency says one may
    come, so the lookup waits for it instead of failing at once."""
    gradio_page.component("Draw").click()
    gradio_page.component("Late").expect_value("drawn late")


def test_negative_count_absent_and_timeouts(gradio_page):
    gradio_page.component("How many").set(3)
    gradio_page.component("Box 2").expect_value("box 2")
    gradio_page.component("How many").set(1)
    gradio_page.expect_absent("Box 1")
    gradio_page.expect_absent("Box 2")
    gradio_page.component("Box 0").expect_not_value("box 9")
    with pytest.raises(AssertionError, match=r"did not stop matching within 0\.2 s"):
        gradio_page.component("Box 0").expect_not_value("box 0", timeout=0.2)
    with pytest.raises(AssertionError, match="component 'Box 0': drawn did not match"):
        gradio_page.expect_absent("Box 0", timeout=0.2)
    with pytest.raises(AssertionError):
        gradio_page.component("Inside").expect_visible(timeout=0.2)
    gradio_page.component("Kind").expect_not_value("error", timeout=1)


def test_browser_context_options_without_pytest_playwright(pytester):
    """`gradio_browser_context_args`, overridden: the page may read the clipboard."""
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.fixture
        def gradio_browser_context_args():
            return {{"permissions": ["clipboard-read", "clipboard-write"],
                     "locale": "de-DE"}}

        @pytest.mark.gradio_app({str(APPS / "browser_controls.py")!r})
        def test_page(gradio_page):
            gradio_page.evaluate("navigator.clipboard.writeText('copied')")
            assert gradio_page.evaluate("navigator.clipboard.readText()") == "copied"
            assert gradio_page.evaluate("navigator.language") == "de-DE"
        """
    )
    result = pytester.runpytest(*NO_PP)
    result.assert_outcomes(passed=1)
