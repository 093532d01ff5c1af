"""The TLS context the plugin's HTTP clients verify with: httpx's default, made once.

Why: httpx builds a new `ssl.SSLContext` for every `httpx.Client` and every
`httpx.get`/`post`/`stream`, whatever the URL, and building one loads a CA bundle
(certifi's, or `SSL_CERT_FILE`'s): 16 ms of CPU each. gradio_client asks through a
new one for each request it makes (config, API info, each upload, each stock
`send_data` and stream, each cancel), and the plugin polls a starting app several
times a second. A profile of this
project's suite found 95 s of its CPU in `ssl.create_default_context`, for servers on
loopback that speak plain HTTP.

The context is the one httpx itself would build (`httpx.create_ssl_context`), so what
is verified, and against which CAs, is unchanged. It is made again when what httpx
reads from the environment for it changes (`SSL_CERT_FILE`, `SSL_CERT_DIR`, unless
`trust_env=False`). An `SSLContext` is meant to be shared across threads and
connections.

>>> verify(True) is verify(True)
True
>>> verify(False)
False
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

_ENVIRONMENT = ("SSL_CERT_FILE", "SSL_CERT_DIR")
_contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}
_lock = threading.Lock()


def verify(ssl_verify: Any = True, *, trust_env: bool = True) -> Any:
    """What to pass as httpx's `verify=` (or gradio_client's `ssl_verify=`) for
    `ssl_verify`: for `True`, the shared context httpx would build for it; anything
    else (`False`, a context or a path of the caller's) unchanged."""
    if ssl_verify is not True:
        return ssl_verify
    key = (bool(trust_env), *(os.environ.get(name) if trust_env else None for name in _ENVIRONMENT))
    context = _contexts.get(key)
    if context is None:
        import httpx

        with _lock:
            context = _contexts.get(key)
            if context is None:
                context = httpx.create_ssl_context(verify=True, trust_env=bool(trust_env))
                _contexts[key] = context
    return context
