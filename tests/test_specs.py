"""Parsing app specs: every form in the DESIGN table, and the errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_gradio import AppSpecError
from pytest_gradio.specs import parse_spec


@pytest.fixture
def app_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.py"
    path.write_text("demo = None\n")
    return path


def test_script_path_resolves_against_base_dir(app_file: Path) -> None:
    """A relative script path is resolved against the given base directory."""
    spec = parse_spec("app.py", source="--gradio-app", base_dir=app_file.parent)
    assert (spec.kind, spec.target, spec.attr) == ("script", str(app_file), None)


def test_script_with_attribute(app_file: Path) -> None:
    """`app.py:demo` names the attribute holding the Blocks."""
    spec = parse_spec("app.py:demo", source="x", base_dir=app_file.parent)
    assert (spec.kind, spec.attr) == ("script", "demo")


def test_module_with_attribute(tmp_path: Path) -> None:
    """`package.module:attr` is an importable module's attribute."""
    spec = parse_spec("pkg.app:make_demo", source="x", base_dir=tmp_path)
    assert (spec.kind, spec.target, spec.attr) == ("module", "pkg.app", "make_demo")


@pytest.mark.parametrize("url", ["http://127.0.0.1:7860", "https://example.test/app/"])
def test_urls_end_with_a_slash(url: str, tmp_path: Path) -> None:
    """URLs are kept, normalized to end with '/' (gradio_client joins paths onto them)."""
    spec = parse_spec(url, source="x", base_dir=tmp_path)
    assert spec.kind == "url"
    assert spec.target == url.rstrip("/") + "/"


@pytest.mark.parametrize("raw", ["space:org/app-staging", "org/app-staging"])
def test_space_ids(raw: str, tmp_path: Path) -> None:
    """`space:owner/name` and a bare `owner/name` (no such local path) are Spaces."""
    spec = parse_spec(raw, source="x", base_dir=tmp_path)
    assert (spec.kind, spec.target) == ("space", "org/app-staging")


def test_existing_path_wins_over_space_id(tmp_path: Path) -> None:
    """`owner/name` that exists on disk is a script, not a Space."""
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "app").write_text("demo = None\n")
    spec = parse_spec("org/app", source="x", base_dir=tmp_path)
    assert spec.kind == "script"


def test_missing_script_names_input_source_and_fix(tmp_path: Path) -> None:
    """A missing script's error says which file, from where, resolved how."""
    with pytest.raises(AppSpecError) as info:
        parse_spec("nope/app.py", source="--gradio-app", base_dir=tmp_path)
    message = str(info.value)
    assert "'nope/app.py'" in message
    assert "--gradio-app" in message
    assert str(tmp_path / "nope" / "app.py") in message
    assert "relative to the directory pytest was started in" in message


def test_marker_paths_hint_at_test_file_directory(tmp_path: Path) -> None:
    """Marker specs are resolved against the test file's directory, and say so."""
    with pytest.raises(AppSpecError, match="relative to the test file's directory"):
        parse_spec("missing.py", source="marker on test_x.py::test", base_dir=tmp_path)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "is empty"),
        ("space:not a space", "is not a Space id"),
        ("not a module!", "neither a script path"),
    ],
)
def test_malformed_specs(raw: str, fragment: str, tmp_path: Path) -> None:
    """Malformed spec strings get an error saying what forms are accepted."""
    with pytest.raises(AppSpecError, match=fragment):
        parse_spec(raw, source="ini gradio_app", base_dir=tmp_path)


def test_non_string_spec(tmp_path: Path) -> None:
    """Something that is neither a string nor a Blocks is rejected by type."""
    with pytest.raises(AppSpecError, match="is a int"):
        parse_spec(42, source="gradio_launch()", base_dir=tmp_path)


def test_blocks_object() -> None:
    """A gr.Blocks object is a spec of its own kind, keyed by identity."""
    import gradio as gr

    with gr.Blocks() as demo:
        gr.Textbox()
    spec = parse_spec(demo, source="marker", base_dir=Path("."))
    assert spec.kind == "blocks"
    assert spec.blocks is demo
    assert spec.key == ("blocks", id(demo))
