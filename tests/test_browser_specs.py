"""gradio's own e2e specs (its repository, `js/spa/test/*.spec.ts`), ported to
`gradio_page` as a user would write them, on apps made from the demos they drive
(tests/apps/browser_specs.py, browser_chatinterface.py). Each test names its spec.
Also: the controllers' answers on pages where names, kinds and positions are shared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_gradio import Regex
from pytest_gradio.browser import ComponentNotFoundError

from . import versions

APPS = Path(__file__).parent / "apps"
SPECS_APP = str(APPS / "browser_specs.py")
CHAT_APP = str(APPS / "browser_chatinterface.py")
NO_PP = ("-p", "no:cacheprovider", "-p", "no:playwright")


# -- change_vs_input.spec.ts -----------------------------------------------------------------


@pytest.mark.gradio_app(SPECS_APP)
def test_textbox_set_fires_input_and_change(gradio_page):
    """ "Textbox change and input events work correctly": set() types as a user does."""
    gradio_page.component("TB Input").set("hello")
    gradio_page.component("Textbox Input Event").expect_value("hello")
    gradio_page.component("Textbox Change Event").expect_value("hello")


@pytest.mark.gradio_app(SPECS_APP)
def test_textbox_type_appends_key_by_key(gradio_page):
    box = gradio_page.component("TB Input")
    box.set("he")
    # `.input` runs once at a time (trigger_mode="once"): keys typed while set()'s is
    # still running send none. Typing starts once it ended.
    gradio_page.component("Textbox Input Event").expect_value("he")
    box.type("llo")
    assert box.value() == "hello"
    # Every key is an event: the change events' last one has the whole text. (Each
    # key's `.input` is sent from its key press, before gradio has read the key.)
    gradio_page.component("Textbox Change Event").expect_value("hello")
    gradio_page.component("Textbox Input Event").expect_value(Regex("hell?o?"))


# -- tabs.spec.ts: one indexing rule, the app's ------------------------------------------------


@pytest.mark.gradio_app(SPECS_APP)
def test_kind_and_index_count_the_apps_components_whatever_is_drawn(gradio_page):
    second = gradio_page.component(kind="markdown", index=1)
    second.expect_hidden()  # tab B is not open: its markdown is not drawn yet
    gradio_page.component("B").select()
    second.expect_value("Text B")
    gradio_page.component(kind="markdown", index=0).expect_hidden()
    gradio_page.component("A").select()
    gradio_page.component(kind="markdown", index=0).expect_value("Text A")


# -- components that share a name --------------------------------------------------------------


@pytest.mark.gradio_app(SPECS_APP)
def test_index_picks_the_button_of_that_position(gradio_page):
    gradio_page.component("Go", index=1).click()
    gradio_page.component("Which").expect_value("second Go")
    gradio_page.component("Go", index=0).click()
    gradio_page.component("Which").expect_value("first Go")


@pytest.mark.gradio_app(SPECS_APP)
def test_unlabelled_textboxes_by_the_label_the_page_shows(gradio_page):
    # Gradio shows "Textbox" for a textbox without a label; TB Input and the others
    # have labels of their own, so the two plain ones answer to "Textbox".
    second = gradio_page.component("Textbox", index=1)
    second.set("two")
    gradio_page.component("Which").expect_value("plain 2: two")
    assert gradio_page.component("Textbox", index=0).value() == ""
    with pytest.raises(ComponentNotFoundError, match=r"2 components answer to 'Textbox'"):
        gradio_page.component("Textbox")


@pytest.mark.gradio_app(SPECS_APP)
def test_two_components_of_one_label_by_index(gradio_page, tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 64)  # not a playable video: the upload is what is tested
    gradio_page.component("Video", index=1).upload(clip)
    gradio_page.component("Which").expect_value("video 2")


# -- render_split_simple (render_merge.spec.ts, sub_block_render.spec.ts) -------------------


@pytest.mark.gradio_app(SPECS_APP)
def test_components_made_by_render_are_found_and_driven(gradio_page):
    gradio_page.component("Letters").set("abc")
    last = gradio_page.component("Letter 2")  # waits for the render to draw it
    assert type(last).__name__ == "Textbox"
    last.expect_value("c")
    last.set("z")
    gradio_page.component("Which").expect_value("letter 2 is z")
    assert gradio_page.component(kind="textbox", index=0).name == "textbox[0]"
    letters = [gradio_page.component("Letter 0"), gradio_page.component("Letter 1")]
    assert [box.value() for box in letters] == ["a", "b"]
    gradio_page.component("Letters").set("q")
    # The render runs again; gradio 5 makes its components anew, under new ids: a
    # controller taken before still drives the component of its name.
    letters[0].expect_value("q")
    letters[0].set("y")
    gradio_page.component("Which").expect_value("letter 0 is y")
    gradio_page.component("Letter 0").expect_value("y")
    # Gone with the render that made it (component() would wait for a render to draw
    # it again, up to the job timeout).
    gradio_page.expect_absent("Letter 2")


# -- dropdown_custom_value.spec.ts ----------------------------------------------------------


@pytest.mark.gradio_app(SPECS_APP)
def test_dropdown_value_is_the_value_of_a_label_value_choice(gradio_page):
    """ "selecting an option updates the textbox with the value, not the name"."""
    dropdown = gradio_page.component("Dropdown")
    sends_value = versions.custom_dropdown_sends_value(gradio_page)
    dropdown.set("abc")
    gradio_page.component("Output").expect_value("123" if sends_value else "abc")
    assert dropdown.value() == "123"
    dropdown.set("goodbye")  # a value, shown as its label
    gradio_page.component("Output").expect_value("goodbye" if sends_value else "hello")
    dropdown.expect_value("goodbye")


@pytest.mark.gradio_app(SPECS_APP)
def test_dropdown_custom_value_is_typed(gradio_page):
    """ "typing a custom value and pressing Enter updates the textbox", then "selecting
    an option after typing a custom value works correctly"."""
    dropdown = gradio_page.component("Dropdown")
    dropdown.set("my custom value")
    gradio_page.component("Output").expect_value("my custom value")
    assert dropdown.value() == "my custom value"
    dropdown.set("hello")
    sends_value = versions.custom_dropdown_sends_value(gradio_page)
    gradio_page.component("Output").expect_value("goodbye" if sends_value else "hello")


@pytest.mark.gradio_app(SPECS_APP)
def test_dropdown_redrawn_while_its_list_is_open(gradio_page):
    gradio_page.component("Country").set("France")
    city = gradio_page.component("City")
    city.set("Lyon")  # the city list is redrawn by the country's change, after 0.3 s
    gradio_page.component("Chosen").expect_value("city Lyon")
    city.expect_value("Lyon")


@pytest.mark.gradio_app(str(APPS / "browser_redraw.py"))
def test_dropdown_redrawn_again_and_again_is_set(gradio_page):
    """The list `set()` opened is redrawn before its click lands (the option detaches):
    `set()` opens it again. Before, the click waited on the detached option until the
    job timeout (3 of 3 runs of this test failed on the code before the fix)."""
    if not versions.option_clickable_while_redrawn(gradio_page):
        pytest.skip("gradio 5 redraws the list under the pointer: no click lands (versions.py)")
    city = gradio_page.component("City")
    for name in ["Lyon", "Nice", "Lille", "Nantes", "Paris", "Lyon"]:
        city.set(name)
        gradio_page.component("Chosen").expect_value(f"city {name}")


# -- test_chatinterface_streaming_echo.spec.ts, test_chatinterface_examples.spec.ts ------


@pytest.mark.gradio_app(CHAT_APP)
def test_chatinterface_streams_and_its_buttons_behave(gradio_page):
    """ "chatinterface works with streaming functions and all buttons behave as
    expected": send, undo, retry, clear."""
    chat = gradio_page.component("Chatbot")
    assert type(chat).__name__ == "Chatbot"
    assert gradio_page.component(kind="chatbot").config == chat.config
    chat.send("hello")
    chat.expect_last_message(Regex(r"Run \d+ - You typed: hello"))
    chat.expect_message_count(1, role="assistant")
    chat.send("hi")
    chat.expect_last_message(Regex(r"Run \d+ - You typed: hi"))
    chat.expect_message_count(2, role="assistant")
    gradio_page.wait_idle()  # the reply has streamed: its undo button is shown
    chat.undo()
    chat.expect_message_count(1, role="assistant")
    gradio_page.component(kind="textbox").expect_value("hi")
    before = re.match(r"Run (\d+)", chat.messages()[-1]["content"])
    assert before is not None
    chat.retry()
    # A new run of the same message.
    chat.expect_last_message(Regex(rf"Run (?!{before[1]} )\d+ - You typed: hello"))
    chat.expect_message_count(1, role="assistant")
    chat.clear()
    chat.expect_message_count(0)


@pytest.mark.gradio_app(CHAT_APP)
def test_chatinterface_stop(gradio_page):
    """ "test stopping generation"."""
    chat = gradio_page.component(kind="chatbot")
    # As long as gradio's spec makes it (3 minutes of generation): the stop must reach
    # the server before the generation ends, and a slow page (its CPU slowed 4x) sent
    # it after the 18 s that "abc" * 300 took. The length costs nothing when the stop
    # works: the generation ends there.
    long = "abc" * 3000
    chat.send(long)
    chat.expect_last_message(Regex("You typed: abc"))
    chat.stop()
    # The generation's job ended CANCELLED: the server sends it no more yields, so
    # the reply shown once the page is idle is the last (no wait for "nothing more").
    jobs = gradio_page.wait_idle()
    assert "CANCELLED" in [job.timeline.statuses()[-1] for job in jobs]
    chat.expect_last_message(Regex("You typed: abc"))
    assert len(chat.messages()[-1]["content"]) < len(long)


@pytest.mark.gradio_app(CHAT_APP)
def test_chatinterface_examples(gradio_page):
    """ "clicked example is added to history and passed to chat function"."""
    chat = gradio_page.component(kind="chatbot")
    assert chat.examples() == [
        "Hey",
        "Can you explain briefly to me what is the Python programming language?",
    ]
    chat.click_example("Hey")
    chat.expect_last_message(Regex("You typed: Hey$"))
    # As in test_browser_ports' multimodal examples: the reply shows before its
    # chain's last step (queue=False) copies the chat into ChatInterface's state, and
    # a clear clicked at once raced it (CI floor row at -n 3: "Hey" stayed, so undo
    # left it and no examples). Let each step's events end, as a user does.
    gradio_page.wait_idle()
    chat.clear()
    gradio_page.wait_idle()
    chat.click_example("Can you explain briefly")
    chat.expect_last_message(Regex("You typed: Can you explain briefly .*language\\?$"))
    chat.undo()
    chat.expect_examples(["Hey", Regex("Can you explain briefly.*")])


def test_unknown_label_lists_translated_labels_as_shown(pytester):
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.gradio_app({CHAT_APP!r})
        def test_typo(gradio_page):
            gradio_page.component("Chatbox")
        """
    )
    result = pytester.runpytest(*NO_PP)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*No component 'Chatbox'*chatbot 'Chatbot'*"])
    result.stdout.no_fnmatch_line("*__i18n__*")


# -- start-up errors -------------------------------------------------------------------------


def test_a_failing_start_up_event_shows_the_servers_error(pytester):
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.gradio_app({str(APPS / "browser_startup_error.py")!r})
        def test_page(gradio_page):
            pass
        """
    )
    result = pytester.runpytest(*NO_PP)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*failed in launch(): InvalidPathError: Cannot move*allowed_paths*"]
    )
    result.stdout.no_fnmatch_line("*Check your network or proxy settings*")
