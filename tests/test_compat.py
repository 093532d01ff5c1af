"""The gradio_client differences (pytest_gradio.client.compat), under whichever
gradio_client is installed: each feature check agrees with the version the table
states, and what each difference affects works on this version."""

from __future__ import annotations

import warnings

import pytest

from pytest_gradio import GradioClient
from pytest_gradio.client import compat

pytestmark = pytest.mark.gradio_app("apps/basic.py")


def _parse(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3])


@pytest.mark.parametrize("difference", compat.DIFFERENCES, ids=lambda d: d.name)
def test_feature_check_agrees_with_the_stated_version(difference: compat.Difference) -> None:
    installed = _parse(compat.client_version())
    assert difference.present == (installed >= _parse(difference.since)), (
        f"gradio_client {compat.client_version()}: the check for {difference.name!r} "
        f"says {difference.present}, the table says it starts at {difference.since}"
    )


def test_token_keyword_is_translated() -> None:
    spelled = compat.client_kwargs({"token": False, "verbose": False})
    assert spelled["verbose"] is False
    key = "token" if compat.TOKEN_KEYWORD else "hf_token"
    assert spelled == {key: False, "verbose": False}


def test_client_takes_token_and_warns_nothing(gradio_app) -> None:
    """`token=` works on every version, without 1.x's deprecation warning for it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = GradioClient(gradio_app.url, token=False)
    try:
        assert compat.client_token(client) is False
        assert client.clone().predict(1, 2, api_name="/add") == 3
    finally:
        client.close()


def test_every_stock_executor_is_replaced_by_a_daemon_one(gradio_client) -> None:
    from pytest_gradio.client.registry import DaemonExecutor

    pools = compat.executors(gradio_client)
    assert "executor" in pools
    assert ("helper_executor" in pools) == compat.HELPER_EXECUTORS
    assert all(isinstance(pool, DaemonExecutor) for pool in pools.values())


def test_close_does_not_wait_for_a_heartbeat(gradio_app) -> None:
    """Before gradio_client 2.7.2 the stock heartbeat thread always started, and
    close() waited up to 1 s for it to notice; now it has ended (or never started)
    by the time close() returns, on every version."""
    client = GradioClient(gradio_app.url, token=False)
    client.predict(1, 2, api_name="/add")
    client.close()
    stock = getattr(client, "heartbeat", None)
    assert stock is None or not stock.is_alive()


def test_an_event_may_end_before_the_stock_transport_registers_it(gradio_client) -> None:
    """Before gradio_client 2.6.1 the stock transport registers a job's event after its
    messages may have arrived: the registration keeps them, and a completion that came
    first does not crash the reader nor leave the event pending."""
    queues = gradio_client.pending_messages_per_event
    queues["early"] = []  # the reader saw the event first
    queues["early"].append({"msg": "process_completed", "event_id": "early"})
    queues["early"] = []  # the stock registration
    assert [m["msg"] for m in queues["early"]] == ["process_completed"]
    ids = gradio_client.pending_event_ids
    if compat.EVENTS_REGISTERED_UNDER_LOCK:
        assert type(ids) is set  # registered under a lock: nothing to change
        return
    ids.remove("early")  # the reader, on process_completed
    ids.add("early")  # the stock registration, late
    assert "early" not in ids
