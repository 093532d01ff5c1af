"""More of gradio's own e2e specs (its repository, `js/spa/test/<name>.spec.ts`),
ported to `gradio_page` as a user would write them, on the demos they drive
(tests/apps/specs/<name>.py, made to run without the internet). Each test names its
spec and the spec's test. `scripts/raw_playwright.py` counts what is still raw."""

from __future__ import annotations

from concurrent.futures import CancelledError
from pathlib import Path

import pytest
from PIL import Image

from pytest_gradio import Regex, assert_job_outputs

from . import versions

SPECS = Path(__file__).parent / "apps" / "specs"


def app(name: str) -> pytest.MarkDecorator:
    return pytest.mark.gradio_app(str(SPECS / f"{name}.py"))


def png(path: Path, size: tuple[int, int] = (8, 8)) -> Path:
    Image.new("RGB", size, (200, 0, 0)).save(path)
    return path


# -- accordion_tab_switch.spec.ts -----------------------------------------------------


@app("accordion_tab_switch")
def test_accordion_tab_switch_checkbox_opens_the_accordion(gradio_page):
    """ "toggling the checkbox opens the accordion and shows the textbox"."""
    name = gradio_page.component("Name")
    name.expect_hidden()
    gradio_page.component("Accordion Open").set(True)
    name.expect_visible()
    gradio_page.component("Accordion").expect_open()
    gradio_page.component("Accordion Open").set(False)
    name.expect_hidden()


@app("accordion_tab_switch")
def test_accordion_tab_switch_button_shows_tab_2(gradio_page):
    """ "clicking the switch tabs button shows Tab 2 content"."""
    content = gradio_page.component(kind="markdown")
    content.expect_hidden()
    gradio_page.component("Switch to Tab 2").click()
    content.expect_visible()
    content.expect_value("This is Tab 2 content.")
    gradio_page.component(kind="tabs").expect_selected("Tab 2")
    gradio_page.component("Tab 1").select()
    gradio_page.component("Tab 1").expect_selected()


# -- blocks_flipper.spec.ts ----------------------------------------------------------------


@app("blocks_flipper")
def test_blocks_flipper_accordion_stays_open(gradio_page):
    """ "accordion stays open when interacting with the slider"."""
    gradio_page.component("Open for More!").open()
    gradio_page.component("Textbox", index=0).set("123")
    gradio_page.component("Flip", index=0).click()
    gradio_page.component("Textbox", index=1).expect_value("321")
    gradio_page.component(kind="markdown", index=1).expect_visible()
    gradio_page.component("Open for More!").expect_open()


# -- cancel_events.spec.ts -----------------------------------------------------------------


@app("cancel_events")
def test_cancel_events_iterative_outputs(gradio_page):
    """ "when using an iterative function the UI should update over time as iteration
    results are received": every step's output was sent, and the box shows the last."""
    with gradio_page.expect_job() as info:
        gradio_page.component("Start Iterating").click()
    gradio_page.component("Iterative Output").expect_value("8")
    # Waits for the job's end: the page shows "8" as soon as it read the message, and
    # the page's messages reach the test process a moment later (once, with the
    # machine busy, the job had recorded 2 of its 9 outputs when the box showed "8").
    assert_job_outputs(info.value, [str(i) for i in range(9)])


@app("cancel_events")
def test_cancel_events_stop_cancels_the_iteration(gradio_page):
    """ "...it should be possible to cancel the function, after which the UI should
    stop updating"."""
    output = gradio_page.component("Iterative Output")
    # 100 steps of 0.2 s (the spec has 9): the stop must land mid-iteration, and a
    # busy machine took longer than 9 steps to click it (the job then finished).
    gradio_page.component("Number Steps").set(100)
    with gradio_page.expect_job() as info:
        gradio_page.component("Start Iterating").click()
    # Iterating: its first output is in the job's record (the spec waits for "1" on
    # screen, a value shown for 0.2 s that a poll on a busy gradio 6.0.2 missed).
    first = info.value.timeline.wait_for(lambda events: any(e.kind == "output" for e in events), 30)
    assert first, info.value.timeline
    gradio_page.component("Stop Iterating").click()
    with pytest.raises(CancelledError):
        info.value.result(timeout=30)
    assert info.value.timeline.statuses()[-1] == "CANCELLED"
    if versions.then_runs_after_a_cancel(gradio_page):
        gradio_page.component("Cancel Follow-up").expect_value("Cancel follow-up ran")
    # The UI stopped updating: what it shows once the page is idle stays, for three
    # steps' time, and is not the last step.
    gradio_page.wait_idle()
    shown = output.value()
    gradio_page.wait_for_timeout(600)
    assert output.value() == shown
    assert shown != "99"


# -- chatbot_editable.spec.ts --------------------------------------------------------------


@app("chatbot_editable")
def test_chatbot_editable_messages(gradio_page):
    """ "test editing chatbot messages"."""
    chat = gradio_page.component(kind="chatbot")
    concatenated = gradio_page.component("Concatenated Chat 1")
    gradio_page.component("Add Message").click()
    concatenated.expect_value("I'm a user|I'm a bot")
    gradio_page.component("Add Message").click()
    concatenated.expect_value("I'm a user|I'm a bot|I'm a user|I'm a bot")
    chat.expect_count(4)
    chat.edit("GRADIO", index=0)
    gradio_page.component("Edited Message").expect_value("from I'm a user to GRADIO at 0")
    chat.edit("SUCCESS", index=1)
    gradio_page.component("Edited Message").expect_value("from I'm a user to SUCCESS at 2")
    concatenated.expect_value("GRADIO|I'm a bot|SUCCESS|I'm a bot")


@app("chatbot_editable")
def test_chatbot_editable_consecutive_user_messages(gradio_page):
    """ "test editing consecutive user messages"."""
    concatenated = gradio_page.component("Concatenated Chat 1")
    gradio_page.component("Add User Message").click()
    concatenated.expect_value("I'm a user")
    gradio_page.component("Add User Message").click()
    concatenated.expect_value("I'm a user|I'm a user")
    gradio_page.component(kind="chatbot").edit("FIRST EDIT", "SECOND EDIT")
    concatenated.expect_value("FIRST EDIT|SECOND EDIT")


# -- show_progress_on.spec.ts --------------------------------------------------------------


@app("show_progress_on")
def test_show_progress_on_the_textbox_only(gradio_page, tmp_path):
    """ "Gallery has no status tracker and textbox has minimal status tracker"."""
    gate = tmp_path / "gate"
    gradio_page.component("Gate").set(str(gate))
    gradio_page.component("Generate images").click()
    gradio_page.component("Progress").expect_progress()
    assert gradio_page.component("gallery").progress() is None
    gate.touch()
    gradio_page.component("Progress").expect_value("Done")
    gradio_page.component("Progress").expect_no_progress()
    gradio_page.component("gallery").expect_count(3)


# -- dataframe_tab_select.spec.ts ----------------------------------------------------------


@app("dataframe_tab_select")
def test_dataframe_tab_select_populates_without_freezing(gradio_page):
    """ "switching to a tab that populates a dataframe does not freeze"."""
    if not versions.tab_select_fills_a_table_in_it(gradio_page):
        pytest.skip("gradio 5 may lose the table's value (versions.py)")
    table = gradio_page.component("tab_df")
    gradio_page.component("Tab 2").select()
    table.expect_cell(0, 1, "Item 0")
    table.expect_cell(9, 1, "Item 9")
    table.expect_count(10)
    gradio_page.component("Tab 1").select()
    gradio_page.component(kind="markdown", index=1).expect_value("Click 'Tab 2'.")


# -- test_chatinterface_multimodal_examples.spec.ts ----------------------------------------


@app("chatinterface_multimodal_examples")
def test_chatinterface_multimodal_examples(gradio_page):
    """ "clicked example is added to history and passed to chat function"."""
    chat = gradio_page.component(kind="chatbot")
    chat.click_example("hello")
    chat.expect_last_message("You wrote: hello and uploaded 0 files.")
    # Let the example's events end before the clear, as a user does: the reply shows
    # before its chain's last step (queue=False) copies the chat into the state that
    # the next message is sent with. A clear clicked at once raced it on the server,
    # and the state kept "hello" (-n 3: the "hola" reply came with it, so undo left
    # "hello" in the chat and no examples).
    gradio_page.wait_idle()
    chat.clear()
    # Let the clear's events end before the next click, as a user does (and as after
    # retry below): beside two CPU hogs the example clicked at once was answered with
    # an empty message ("You wrote:  and uploaded 0 files.").
    gradio_page.wait_idle()
    chat.click_example("hola")
    chat.expect_last_message("You wrote: hola and uploaded 1 files.")
    with gradio_page.expect_job():
        chat.retry()
    # The reply is the same as before the retry: wait for the retry's events to end
    # (the last one enables the box again), or undo would come before its reply.
    gradio_page.wait_idle()
    chat.expect_last_message("You wrote: hola and uploaded 1 files.")
    chat.undo()
    chat.expect_examples(["hello", "hola"])
    box = gradio_page.component(kind="multimodaltextbox")
    # Undo puts "hola" and its file back in the box; typing before it did is undone.
    box.expect_value("hola")
    box.submit("Awesome")  # the file put back goes too
    chat.expect_last_message("You wrote: Awesome and uploaded 1 files.")


@app("chatinterface_multimodal_examples")
def test_chatinterface_multimodal_text_and_files(gradio_page, tmp_path):
    """The multimodal textbox sends text and files (chatbot_multimodal.spec.ts's
    "text and image upload" step)."""
    box = gradio_page.component(kind="multimodaltextbox")
    box.submit("look", files=[png(tmp_path / "a.png")])
    gradio_page.component(kind="chatbot").expect_last_message(
        "You wrote: look and uploaded 1 files."
    )


# -- gallery_component_events.spec.ts ------------------------------------------------------


@app("gallery_component_events")
def test_gallery_select_and_download(gradio_page):
    """ "Gallery select event returns the right value and the download button works
    correctly" (and "preview mode displays all images")."""
    gradio_page.component("Run").click()
    gallery = gradio_page.component("Output Gallery")
    gallery.expect_count(3)
    gallery.select(1)
    gradio_page.component("Select Data").expect_value("world.png")
    gallery.expect_preview()
    assert gallery.download().suggested_filename == "world.png"
    gallery.close_preview()
    gallery.expect_preview(False)


@app("gallery_component_events")
def test_gallery_subsequent_upload(gradio_page, tmp_path):
    """ "Gallery subsequent upload via upload button works correctly"."""
    gallery = gradio_page.component("Input Gallery")
    gallery.upload(png(tmp_path / "cheetah1.png"))
    gradio_page.component("Num Upload").expect_value(1)
    gallery.upload(png(tmp_path / "cheetah2.png"))
    gradio_page.component("Num Upload").expect_value(2)


# -- image_component_events.spec.ts --------------------------------------------------------


@app("image_component_events")
def test_image_upload_download_and_clear(gradio_page, tmp_path):
    """ "Image click-to-upload downloads files with the correct names"."""
    image = gradio_page.component("Input Image")
    image.upload(png(tmp_path / "cheetah1.png"))
    gradio_page.component("# Upload Events").expect_value(1)
    shown = gradio_page.component("Output Image")  # the upload event's output
    assert shown.download().suggested_filename == "cheetah1.png"
    image.clear()
    gradio_page.component("# Clear Events").expect_value(1)
    image.upload(png(tmp_path / "bus.png"))
    gradio_page.component("# Upload Events").expect_value(2)
    assert shown.download().suggested_filename == "bus.png"


@app("image_component_events")
def test_image_select_and_change_events(gradio_page, tmp_path):
    """ "Image select and change events work as expected"."""
    gradio_page.component("Input Image").upload(png(tmp_path / "cheetah1.png", (64, 64)))
    gradio_page.component("# Change Events Output").expect_value(1)
    gradio_page.component("# Select Events").expect_value(0)
    gradio_page.component("Output Image").click()
    gradio_page.component("# Select Events").expect_value(1)
    gradio_page.component("# Change Events Output").expect_value(1)


# -- file_component_events.spec.ts ---------------------------------------------------------


@app("file_component_events")
def test_file_upload_and_download(gradio_page, tmp_path):
    """ "File component uploads and downloads a single file with the correct name"."""
    document = tmp_path / "cheetah1.txt"
    document.write_text("spots")
    gradio_page.component("Upload Single File").upload(document)
    gradio_page.component("# Load Upload Single File").expect_value(1)
    output = gradio_page.component("Upload Single File Output")
    output.expect_file(name="cheetah1.txt", content="spots")
    assert output.download().suggested_filename == "cheetah1.txt"


@app("file_component_events")
def test_file_delete_event(gradio_page, tmp_path):
    """ "Delete event is fired correctly"."""
    files = gradio_page.component("Delete File")
    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in paths:
        path.write_text(path.name)
    files.upload(*paths)
    files.expect_count(2)
    files.remove(0)
    gradio_page.component("# Deleted File").expect_value(1)
    gradio_page.component("Delete file data").expect_value(Regex(r".{6,}"))
    files.expect_count(1)
