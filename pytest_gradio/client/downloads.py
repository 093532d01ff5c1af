"""Where a client stages the files it downloads: in a directory of its own, removed
after each download.

Why: gradio_client's `Endpoint._download_file` streams each file into a new directory
`tempfile.gettempdir()/<40 hex>` and moves it from there to the client's download
directory, leaving the empty directory behind: one per downloaded file, in the system
temp dir, for ever. Here the stock method still does the download (so a patched
`Endpoint._download_file` is honoured), but the temp dir it asks for is a staging
directory of this download, which is removed when it returns.
"""

from __future__ import annotations

import contextvars
import functools
import shutil
import tempfile
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import patches

# The staging directory of the download running in this context, if any.
_staging: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "pytest_gradio_download_staging", default=None
)


class _TempfileView(types.ModuleType):
    """`tempfile` as gradio_client's client module sees it: the real module, except
    that `gettempdir()` answers the staging directory while one of our downloads
    runs in this context. Everyone else (and every other module) is unaffected."""

    def __init__(self) -> None:
        super().__init__("tempfile", tempfile.__doc__)

    def __getattr__(self, name: str) -> Any:
        return getattr(tempfile, name)

    @staticmethod
    def gettempdir() -> str:
        return _staging.get() or tempfile.gettempdir()


def _tempfile_view(current: Any) -> Any:
    # Someone else's replacement of the module's tempfile is left alone.
    return _TempfileView() if current is tempfile else current


def stage_downloads(endpoints: Iterable[Any], directory: Path) -> None:
    """Make every download of these endpoints stage under `directory`."""
    patches.install("client tempfile", _tempfile_view)
    for endpoint in endpoints:
        if hasattr(endpoint, "_download_file"):
            endpoint._download_file = functools.partial(_download, endpoint, directory)


def _download(endpoint: Any, directory: Path, file: Any) -> Any:
    directory.mkdir(parents=True, exist_ok=True)
    staging = tempfile.mkdtemp(prefix="staging-", dir=directory)
    token = _staging.set(staging)
    try:
        return type(endpoint)._download_file(endpoint, file)
    finally:
        _staging.reset(token)
        shutil.rmtree(staging, ignore_errors=True)
