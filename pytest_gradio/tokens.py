"""Keeping Hugging Face tokens out of everything the plugin prints.

A token is held as a `HiddenToken`: a `str` (so HTTP headers built from it carry the
real value) whose repr is a placeholder, so it stays hidden where values are shown
with repr: dataclass reprs, `pytest --showlocals` tracebacks, assertion rewriting.
Text that may echo a token back (a server's error body) goes through `redact()`.
"""

from __future__ import annotations

PLACEHOLDER = "<hidden token>"


class HiddenToken(str):
    """A token string whose repr never shows it.

    >>> HiddenToken("hf_secret")
    '<hidden token>'
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(PLACEHOLDER)


def hide(token: str | None) -> HiddenToken | None:
    """`token` as a HiddenToken; None and empty strings mean no token."""
    if not token:
        return None
    return token if isinstance(token, HiddenToken) else HiddenToken(token)


def redact(text: str, token: str | None) -> str:
    """`text` with every occurrence of `token` replaced by a placeholder."""
    if not token:
        return text
    return text.replace(str.__str__(token), PLACEHOLDER)
