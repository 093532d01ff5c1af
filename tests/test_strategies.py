"""pytest_gradio.strategies: every value drawn is one the app's components accept and
within their constraints, checked by a real app (apps/fuzz_kinds.py) that raises on
anything else; unknown kinds fail with a message that says how to supply a strategy."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_gradio import UnsupportedComponentError, fuzz_endpoint
from pytest_gradio.strategies import endpoint_args, endpoint_parameters, mp4_bytes, wav_bytes

pytestmark = pytest.mark.gradio_app("apps/fuzz_kinds.py")

FEW = {"max_examples": 25, "seed": 0, "database": None}


def test_every_kind_is_accepted_by_the_app(gradio_client):
    """One of each kind, through the app: no input makes it fail (files exist there)."""
    result = fuzz_endpoint(gradio_client, "/echo", **FEW)
    assert result.calls == 25


def test_state_is_left_out_and_parameters_named_as_view_api_names_them(gradio_client):
    params = endpoint_parameters(gradio_client, "/echo")
    kinds = [p.kind for p in params]
    assert "state" not in kinds
    assert len(kinds) == 21  # 22 inputs less the gr.State
    custom = endpoint_parameters(gradio_client, "/custom")
    assert [p.name for p in custom] == ["gallery", "text"]


@pytest.mark.parametrize("endpoint", ["/numbers", "/choices", "/table"])
def test_constraints_hold_in_the_app(gradio_client, endpoint):
    """The app raises on any value outside min/max/step/precision, choices (values,
    not labels) or the fixed row count."""
    fuzz_endpoint(gradio_client, endpoint, **FEW)


def test_constraints_of_drawn_values(gradio_client):
    """The same constraints, checked on the values drawn (no app in between)."""
    strategy = endpoint_args(gradio_client, "/numbers")

    @settings(max_examples=200, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(args):
        number, integer, slider, fine = args
        assert -5 <= number <= 5
        assert round(number, 2) == number
        assert isinstance(integer, int)
        assert 0 <= integer <= 3
        assert slider in (0, 2.5, 5, 7.5, 10)
        assert fine in [round(k / 10, 1) for k in range(11)]

    check()
    picks = endpoint_args(gradio_client, "/choices")

    @settings(max_examples=100, database=None, suppress_health_check=list(HealthCheck))
    @given(picks)
    def check_choices(args):
        pair, _custom, many, radio, group = args
        assert pair in ("a", "b")
        assert set(many) <= {"x", "y", "z"}
        assert radio in ("r1", "r2")
        assert set(group) <= {1, 2}

    check_choices()


def test_unknown_kind_names_component_endpoint_and_fix(gradio_client):
    with pytest.raises(UnsupportedComponentError) as error:
        endpoint_args(gradio_client, "/custom")
    message = str(error.value)
    assert "/custom" in message
    assert "'gallery'" in message
    assert "gr.Gallery 'photos'" in message
    assert "overrides={'gallery': " in message


def test_overrides_supply_a_strategy(gradio_client):
    strategy = endpoint_args(gradio_client, "/custom", overrides={"gallery": st.just([])})
    fuzz_endpoint(gradio_client, "/custom", overrides={"gallery": st.just([])}, **FEW)
    assert strategy is not None
    with pytest.raises(UnsupportedComponentError, match="'nope'.*not one of its parameters"):
        endpoint_args(gradio_client, "/custom", overrides={"nope": st.just(1)})


def test_generated_media_files_are_well_formed(tmp_path):
    import wave

    path = tmp_path / "a.wav"
    path.write_bytes(wav_bytes(100, 8000, 2, 1000))
    with wave.open(str(path)) as read:
        assert (read.getnframes(), read.getframerate(), read.getnchannels()) == (100, 8000, 2)
    movie = mp4_bytes(1500)
    assert movie[4:8] == b"ftyp"
    assert b"moov" in movie
    assert b"mvhd" in movie
