"""Hand-written example tests: they all pass, and miss every planted bug in app.py.

test_fuzz.py finds the three with fuzz_endpoint, and so does
`pytest examples/fuzzing --gradio-fuzz` with no test written (see the README)."""

import pytest

from pytest_gradio import assert_job_error

pytestmark = pytest.mark.gradio_app("app.py")


def test_split_between_people(gradio_client):
    assert gradio_client.predict(90, 3, api_name="/split") == 30.0


def test_split_refuses_a_negative_bill(gradio_client):
    job = gradio_client.submit(-5, 2, api_name="/split")
    assert_job_error(job, match="cannot be negative")


@pytest.mark.parametrize(("currency", "expected"), [("EUR", 90.0), ("GBP", 80.0)])
def test_convert(gradio_client, currency, expected):
    assert gradio_client.predict(100, currency, api_name="/convert") == expected


def test_average(gradio_client):
    table = {"headers": ["item", "price"], "data": [["tea", 2], ["cake", 4]], "metadata": None}
    assert gradio_client.predict(table, api_name="/average") == 3.0
