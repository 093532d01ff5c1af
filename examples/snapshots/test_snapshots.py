"""Pinning an app with snapshots: results, whole jobs, files, and the app's API.

The snapshots live in __snapshots__/test_snapshots.ambr. After a deliberate change
to the app, review and rewrite them with `pytest examples --snapshot-update`.
"""

import pytest
from syrupy.filters import props

from pytest_gradio import api_contract

pytestmark = pytest.mark.gradio_app("app.py")


def test_api_contract(gradio_client, gradio_snapshot):
    """Endpoints, parameters (types, defaults) and returns: a breaking change shows in review."""
    assert api_contract(gradio_client) == gradio_snapshot


def test_stats_result(gradio_client, gradio_snapshot):
    """A plain result; floats are written rounded to 12 significant digits."""
    result = gradio_client.predict(
        "The quick brown fox jumps over the lazy dog", True, api_name="/stats"
    )
    assert result == gradio_snapshot


def test_empty_text_is_an_error(gradio_client, gradio_snapshot):
    """A whole job: asserting it waits for it; the error is part of the snapshot."""
    assert gradio_client.submit("", True, api_name="/stats") == gradio_snapshot


def test_typewriter_streams_every_word(gradio_client, gradio_snapshot):
    """Statuses, every streamed output in order, and the result."""
    assert gradio_client.submit("one two three", api_name="/typewriter") == gradio_snapshot


def test_export_timeline(gradio_client, gradio_snapshot):
    """A timeline: its file output as name, size and sha256, its progress bar, its logs."""
    job = gradio_client.submit("alpha beta gamma", api_name="/export")
    assert job.timeline == gradio_snapshot


def test_badge_image(gradio_client, gradio_snapshot):
    """An image the app encodes itself: pin its name and pixel size, not its bytes,
    which depend on the Pillow version. syrupy's filters apply to the written form."""
    badge = gradio_client.predict("hi", api_name="/badge")
    assert badge == gradio_snapshot(exclude=props("bytes", "sha256"))
