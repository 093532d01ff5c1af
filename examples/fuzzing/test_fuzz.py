"""fuzz_endpoint finds each bug app.py plants, where test_app.py's examples pass.

Each test expects the failure (pytest.raises) and checks that its message names the
bug, so that this example suite stays green; in your own suite, call fuzz_endpoint
bare and let it fail. A fixed seed makes each run the same.
"""

import pytest

from pytest_gradio import fuzz_endpoint

pytestmark = pytest.mark.gradio_app("app.py")


def test_split_by_zero_people(gradio_client):
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(gradio_client, "/split", seed=1, database=None)
    message = str(failure.value)
    assert "ZeroDivisionError" in message
    assert "0.0)" in message  # the shrunk input: people=0


def test_convert_to_a_currency_without_a_rate(gradio_client):
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(gradio_client, "/convert", seed=1, database=None)
    assert "KeyError: 'JPY'" in str(failure.value)


def test_average_of_an_empty_table(gradio_client):
    with pytest.raises(AssertionError) as failure:
        fuzz_endpoint(gradio_client, "/average", seed=1, database=None)
    message = str(failure.value)
    assert "ZeroDivisionError" in message
    assert "'data': []" in message  # the shrunk input: no rows


def test_gr_error_is_not_a_finding(gradio_client):
    """A negative bill is refused with gr.Error, on purpose: with a non-zero number of
    people, fuzzing /split finds nothing."""
    from hypothesis import strategies as st

    result = fuzz_endpoint(
        gradio_client,
        "/split",
        max_examples=30,
        overrides={"people": st.integers(1, 10)},
        seed=1,
        database=None,
    )
    assert result.calls > 0
