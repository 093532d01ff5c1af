"""What a test may expect from the gradio server it talks to, by the server's version.

Tests whose expectations depend on the server (not on gradio_client: that is
`pytest_gradio.client.compat`) state the rule for each version here, instead of a
tolerance that would hide the difference. The version is the one the server reports
in its config, so it is right for a subprocess app or a Space too.
"""

from __future__ import annotations

from typing import Any


def server_gradio(client: Any) -> tuple[int, ...]:
    """The gradio version of the server `client` is connected to, e.g. (6, 31, 0)."""
    version = str(client.config.get("version") or "")
    if not version:
        import gradio

        version = gradio.__version__
    return tuple(int(part) for part in version.split(".")[:3] if part.isdigit())


def progress_interval(client: Any) -> float:
    """How often the server sends a job's progress, in seconds.

    gradio 6: every 10 ms. gradio 5: every 100 ms (`progress_update_sleep_when_free`),
    so a job shorter than that may show no progress at all, and one step per 100 ms at
    most.
    """
    return 0.01 if server_gradio(client) >= (6,) else 0.1


def progress_sees_every_step(client: Any, step_seconds: float) -> bool:
    """Whether every progress step of a job that spends `step_seconds` per step
    arrives: only when the server samples at least twice per step."""
    return progress_interval(client) * 2 <= step_seconds


FILEDATA_TYPE = (
    "dict(path: str | None (Path to a local file), url: str | None (Publicly available "
    "url or base64 encoded image), size: int | None (Size of image in bytes), orig_name: "
    "str | None (Original filename), mime_type: str | None (mime type of image), "
    "is_stream: bool (Can always be set to False), meta: dict(str, Any))"
)


def image_output_type(client: Any) -> str:
    """How the server's API describes a `gr.Image` output's type.

    From gradio 6.10 (which ships gradio_client 2.4, whose schema-to-type function
    recognises file schemas): "filepath". Before, in gradio 5 and 6.0-6.9: the FileData
    dict, spelled out field by field.
    """
    return "filepath" if server_gradio(client) >= (6, 10) else FILEDATA_TYPE


def private_event_endpoint(client: Any, fn_name: str) -> str:
    """A regex of the endpoint a page job of a private event (no API) is named by.

    gradio 6: the server names every event, private ones too (`/greet_1`). gradio 5:
    an event with `api_name=False` has no name in the config, so the job is named by
    its function index (`fn_index=3`), as gradio_client names such a job.
    """
    if server_gradio(client) >= (6,):
        return rf"/{fn_name}(_\d+)?"
    return r"fn_index=\d+"


def custom_dropdown_sends_value(page: Any) -> bool:
    """Whether a `(label, value)` choice of an `allow_custom_value=True` dropdown
    reaches the app as its value. gradio 6.0 and 6.1 send its label (fixed in 6.2.0,
    gradio PR #12572: "Fix Dropdown change event when allow_custom_value is true");
    gradio 5 and 6.2+ send the value."""
    version = server_gradio(page)
    return not ((6,) <= version < (6, 2))


def then_runs_after_a_cancel(page: Any) -> bool:
    """Whether a `.then()` chained to an event that cancels another (`stop.click(None,
    cancels=[run]).then(...)`) runs. From gradio 6.21 (gradio PR #13620, "Fix chained
    events after cancellation"); before, in gradio 5 and 6.0-6.20, the frontend never
    starts it."""
    return server_gradio(page) >= (6, 21)


def tab_select_fills_a_table_in_it(page: Any) -> bool:
    """Whether a Dataframe inside a tab shows the value that the tab's own `.select`
    sends it (demo/dataframe_tab_select). gradio 6: always. gradio 5.50: the value
    can be lost while the tab draws the table, which then stays empty (2 runs in 15
    on a plain Playwright page, without pytest-gradio; 6.0.2: 15 in 15 shown)."""
    return server_gradio(page) >= (6,)


def option_clickable_while_redrawn(page: Any) -> bool:
    """Whether a user can pick an option of a dropdown the app redraws every 0.2 s
    (tests/apps/browser_redraw.py). gradio 6: yes (on a plain Playwright page, 3 of 3
    first clicks land on 6.0.2 and on 6.31). gradio 5.50: the list is redrawn under
    the pointer and no click lands (0 of 60 on a plain Playwright page, 20 tries of
    each of 3 choices, without pytest-gradio)."""
    return server_gradio(page) >= (6,)
