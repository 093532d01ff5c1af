"""Every difference between the gradio_client versions we support, in one place.

Each difference has a name, the gradio_client version its newer behaviour starts at,
and a feature check (an attribute, a signature, or a name in the stock code's source;
never a version number: a patched or backported client is judged by what it does).
The checks run once, at import. The rest of the client layer calls
the helpers below instead of testing versions or catching `TypeError` itself.

`DIFFERENCES` lists them for COMPATIBILITY.md and for `tests/test_compat.py`, which
checks, under each installed gradio_client, that every feature check agrees with the
version the table states.

The server's gradio version matters too (progress sampling, API type names), but not
to how the client works: to what a test may expect (`tests/versions.py`), and to how
`api_contract` names a file output (`snapshot.py`).
"""

from __future__ import annotations

import importlib.metadata
import inspect
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from gradio_client import Client, utils
from gradio_client.client import Endpoint

__all__ = [
    "DIFFERENCES",
    "Difference",
    "client_kwargs",
    "client_token",
    "client_version",
    "executors",
    "init_client",
    "oauth_payload",
    "quiet_stock_heartbeat",
    "register_events_safely",
]


@dataclass(frozen=True)
class Difference:
    """One behaviour that changed between gradio_client versions."""

    name: str
    since: str
    """The first gradio_client version with the newer behaviour."""
    before: str
    """What older versions do, and how pytest-gradio copes."""
    present: bool
    """The feature check's answer for the installed gradio_client."""


def client_version() -> str:
    """The installed gradio_client's version, for messages and reports."""
    return importlib.metadata.version("gradio_client")


_INIT = inspect.signature(Client.__init__).parameters

# -- 2.0.0: `Client(token=...)` ----------------------------------------------------------
TOKEN_KEYWORD = "token" in _INIT
"""gradio_client 2.0.0 renamed `hf_token` to `token` (argument and attribute)."""

# -- 2.0.0: `Client.submit` runs the job in a copy of the caller's context --------------
SUBMIT_COPIES_CONTEXT = "copy_context" in inspect.getsource(Client.submit)
"""From 2.0.0 `submit()` runs the job under `contextvars.copy_context()`, which the
recording client uses to tell `send_data()` which timeline a job belongs to. Before,
the job's executor (registry.DaemonExecutor) makes the copy itself."""

# -- 2.3.0: per-event message queues are deques --------------------------------------------
DEQUE_QUEUES = "popleft" in inspect.getsource(utils.stream_sse_v1plus)
"""Before 2.3.0 the stock reader keeps each event's messages in a list and takes them
with `pop(0)`; the recording client's tapped queue accepts both (recording.py)."""

# -- 2.6.0: `Endpoint.oauth_token_payload()` -----------------------------------------------
OAUTH_TOKEN_PAYLOAD = hasattr(Endpoint, "oauth_token_payload")
"""gradio_client 2.6.0 sends `Client(oauth_token=...)` to endpoints that take a
`gr.OAuthToken`; before, there is no such token and nothing to send."""

# -- 2.6.1: helper and stream executors ----------------------------------------------------
HELPER_EXECUTORS = "helper_executor" in inspect.getsource(Client.__init__)
"""gradio_client 2.6.1 runs a job's helpers and the stream reader on executors of their
own (`helper_executor`, `stream_executor`); before, everything ran on `executor`."""

# -- 2.6.1: the stock transport registers an event before its messages can arrive -----
EVENTS_REGISTERED_UNDER_LOCK = "pending_lock" in inspect.getsource(Client.__init__)
"""Before 2.6.1 the stock transport registers an event only after `send_data()`
returns, while the session's stream may already be delivering its messages: the
registration replaced the queue holding them (lost, the job hangs), and a
`process_completed` that came first crashed the reader (`KeyError` in
`pending_event_ids.remove`). `register_events_safely` and the tapped queues
(recording.py) make both harmless."""

# -- 2.7.2: the stock heartbeat obeys `connect_heartbeat` ----------------------------------
HEARTBEAT_OBEYS_CONFIG = isinstance(
    inspect.getattr_static(Client, "_stream_heartbeat", None), staticmethod
)
"""From 2.7.2 the stock heartbeat thread starts only when the app's config asks for it
(GradioClient hides the request and runs its own, closable at once). Before, it always
starts, and `Client.close()` then waits up to 1 s for it to notice: a second per client
at teardown. `quiet_stock_heartbeat` makes that thread return at once."""

DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "token keyword",
        "2.0.0",
        "the argument and attribute are `hf_token`: client_kwargs() and client_token() "
        "translate, and hide 1.x's DeprecationWarning for it",
        TOKEN_KEYWORD,
    ),
    Difference(
        "submit copies the context",
        "2.0.0",
        "jobs run without the caller's context variables, so the stock transport "
        "recorded nothing: the daemon job executor copies the context itself (registry.py)",
        SUBMIT_COPIES_CONTEXT,
    ),
    Difference(
        "deque message queues",
        "2.3.0",
        "lists read with pop(0): the tapped queue (recording.py) takes pop(0) too",
        DEQUE_QUEUES,
    ),
    Difference(
        "oauth token payload",
        "2.6.0",
        "no `Endpoint.oauth_token_payload()`: oauth_payload() sends nothing",
        OAUTH_TOKEN_PAYLOAD,
    ),
    Difference(
        "helper and stream executors",
        "2.6.1",
        "one `executor` only: executors() lists the ones a client has",
        HELPER_EXECUTORS,
    ),
    Difference(
        "events registered under a lock",
        "2.6.1",
        "a job's messages arriving before the stock transport registered it were lost, "
        "or crashed the reader: register_events_safely() and the tapped queues keep them",
        EVENTS_REGISTERED_UNDER_LOCK,
    ),
    Difference(
        "heartbeat obeys connect_heartbeat",
        "2.7.2",
        "the stock heartbeat thread always starts and close() waits 1 s for it: "
        "quiet_stock_heartbeat() makes it return at once",
        HEARTBEAT_OBEYS_CONFIG,
    ),
)


def client_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """`Client` keyword arguments in the installed gradio_client's spelling.

    >>> client_kwargs({"token": False})  # under gradio_client 1.x
    {'hf_token': False}
    """
    out = dict(kwargs)
    if not TOKEN_KEYWORD and "token" in out:
        out["hf_token"] = out.pop("token")
    return out


def client_token(client: Any) -> Any:
    """The token `client` was created with (`token`, or `hf_token` before 2.0)."""
    return client.token if TOKEN_KEYWORD else client.hf_token


def init_client(init: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    """Call a stock `Client.__init__` (bound) with `kwargs` in the installed spelling.

    Why the warning filter: 1.x warns that `hf_token` is deprecated whenever it is not
    None, and pytest-gradio passes `False` for every local app (no Hub token sent to
    it): suites running with `-W error` would fail on our own call.
    """
    kwargs = client_kwargs(kwargs)
    if TOKEN_KEYWORD:
        init(*args, **kwargs)
        return
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The 'hf_token' parameter", category=DeprecationWarning
        )
        init(*args, **kwargs)


def oauth_payload(endpoint: Any) -> dict[str, str]:
    """What a queue join adds for `gr.OAuthToken` endpoints (nothing before 2.6.0)."""
    if OAUTH_TOKEN_PAYLOAD:
        return dict(endpoint.oauth_token_payload())
    return {}


EXECUTOR_NAMES = ("executor", "helper_executor", "stream_executor")


def executors(client: Any) -> dict[str, Any]:
    """The client's thread pools by attribute name (only `executor` before 2.6.1)."""
    return {name: getattr(client, name) for name in EXECUTOR_NAMES if hasattr(client, name)}


class _EventIds(set):  # type: ignore[type-arg]
    """`Client.pending_event_ids` for which an event may end before it is added: the
    reader's `remove` then notes it, and the late `add` is dropped."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self._ended: set[Any] = set()

    def add(self, event_id: Any) -> None:
        if event_id in self._ended:
            self._ended.discard(event_id)
            return
        super().add(event_id)

    def remove(self, event_id: Any) -> None:
        if event_id in self:
            super().remove(event_id)
        else:
            self._ended.add(event_id)


def register_events_safely(client: Any) -> None:
    """Before 2.6.1: let a job's `process_completed` arrive before the stock transport
    registered the job (see EVENTS_REGISTERED_UNDER_LOCK). From 2.6.1: nothing."""
    if not EVENTS_REGISTERED_UNDER_LOCK:
        client.pending_event_ids = _EventIds(client.pending_event_ids)


_C = TypeVar("_C", bound=type)


def quiet_stock_heartbeat(cls: _C) -> _C:
    """Class decorator for Client subclasses: before 2.7.2, the stock heartbeat thread
    (always started, `target=self._stream_heartbeat`) returns at once instead of
    holding a stream, so `close()` does not wait for it. From 2.7.2 the thread starts
    only if the config asks for it, which GradioClient already prevents: no change."""
    if not HEARTBEAT_OBEYS_CONFIG:
        setattr(cls, "_stream_heartbeat", _no_stock_heartbeat)  # noqa: B010
    return cls


def _no_stock_heartbeat(self: Any) -> None:
    return None
