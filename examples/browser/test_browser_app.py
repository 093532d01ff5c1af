"""Testing the app through its page: `gradio_page` is a Playwright page, opened once
the app has rendered; `component(label)` drives a component and waits (bounded) for
what you expect; the jobs the page triggers are recorded like API jobs."""

import pytest

from pytest_gradio import assert_job_result, assert_job_statuses

pytestmark = pytest.mark.gradio_app("app.py")


def test_greet(gradio_page):
    """Type, click, and expect: expectations retry until they hold or time out."""
    gradio_page.get_by_role("tab", name="Greet").click()
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Greet").click()
    gradio_page.component("Greeting").expect_value("Hello Ada!")


def test_the_click_is_a_recorded_job(gradio_page):
    """The page's jobs take the same assertion helpers as gradio_client's."""
    gradio_page.component("Name").set("Ada")
    gradio_page.component("Greet").click()
    job = gradio_page.last_job
    assert_job_result(job, "Hello Ada!")
    assert_job_statuses(job, ["PROCESSING", "FINISHED"])


def test_chat(gradio_page):
    gradio_page.get_by_role("tab", name="Chat").click()
    conversation = gradio_page.component("Conversation")
    conversation.send("stressed")
    conversation.expect_last_message("desserts")


def test_image_upload(gradio_page, tmp_path):
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), "orange").save(path)
    gradio_page.get_by_role("tab", name="Image").click()
    gradio_page.component("Picture").upload(path)
    gradio_page.component("Size").expect_value("40×30 pixels")


def test_slider_drives_the_markdown(gradio_page):
    gradio_page.get_by_role("tab", name="Rating").click()
    gradio_page.component("Rating").set(3)
    gradio_page.component("Rating").locator.locator("input[type=range]").dispatch_event("pointerup")
    gradio_page.component("stars").expect_value("★★★")


def test_details_appear_on_click(gradio_page):
    """Events without an API (api_visibility="private") are tested through the page."""
    gradio_page.get_by_role("tab", name="More").click()
    details = gradio_page.component("Details")
    details.expect_hidden()
    gradio_page.component("Show details").click()
    details.expect_visible()
    gradio_page.wait_idle()
