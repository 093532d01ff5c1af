"""gradio's own components skip their .pyi check in the processes of a run
(pytest_gradio/stubs.py): the pytest process, and a subprocess app's child. Every other
component class is checked as stock checks it (a custom component being written gets
its stub)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# A custom component, as a user writes one: gradio's metaclass writes its stub beside it.
CUSTOM = """
import gradio as gr


class MyBox(gr.Textbox):
    pass
"""

REPORT = """
import json, sys
sys.path.insert(0, {folder!r})
{setup}
import gradio.component_meta as meta
import mybox
from pytest_gradio import patches, stubs
print(json.dumps({{
    "skipped": stubs.skipped,
    "ours": patches.is_ours(meta.create_or_modify_pyi),
}}))
"""


def _import_in_a_fresh_process(folder: Path, setup: str) -> dict[str, object]:
    code = REPORT.format(folder=str(folder), setup=setup)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    result: dict[str, object] = json.loads(out.splitlines()[-1])
    return result


@pytest.mark.parametrize("hooked", [False, True], ids=["stock", "plugin"])
def test_only_gradio_s_own_components_skip_the_check(tmp_path, hooked):
    (tmp_path / "mybox.py").write_text(CUSTOM)
    setup = "from pytest_gradio import stubs; stubs.install()" if hooked else ""
    seen = _import_in_a_fresh_process(tmp_path, setup)
    # The user's class is checked either way: gradio wrote its stub.
    assert "class MyBox" in (tmp_path / "mybox.pyi").read_text()
    skipped = seen["skipped"]
    assert isinstance(skipped, list)
    if hooked:
        assert seen["ours"] is True
        assert {"Textbox", "Button", "Chatbot", "Component"} <= set(skipped)
        assert "MyBox" not in skipped
    else:
        assert seen["ours"] is False
        assert skipped == []


def test_a_run_and_its_subprocess_apps_skip_it(pytester):
    pytester.makepyfile(
        app=textwrap.dedent(
            """
            import gradio as gr

            from pytest_gradio import stubs

            with gr.Blocks() as demo:
                count = gr.Number()
                gr.Button().click(lambda: len(stubs.skipped), None, count, api_name="skipped")
            """
        ),
        test_it=textwrap.dedent(
            """
            import pytest

            from pytest_gradio import stubs


            def test_in_the_test_process():
                import gradio

                assert "Textbox" in stubs.skipped


            @pytest.mark.gradio_app("app.py", mode="subprocess")
            def test_in_a_subprocess_app(gradio_client):
                assert gradio_client.predict(api_name="/skipped") > 50
            """
        ),
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
