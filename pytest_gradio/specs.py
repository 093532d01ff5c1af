"""App specs: which app a test talks to, parsed from a string or a Blocks object.

Parsing never imports gradio: a spec string is classified by its shape and, for
paths, by whether the file exists.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import AppSpecError

SpecKind = Literal["script", "module", "blocks", "url", "space"]

# Why a regex and not "anything with one slash": `examples/app.py` has one slash
# too; a Space id is two name segments made of the characters the Hub allows.
_SPACE_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
_MODULE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")

SPEC_FORMS = (
    "path/app.py, path/app.py:demo, package.module:demo, a gr.Blocks object, "
    "http(s)://host:port/ or owner/name / space:owner/name"
)


@dataclass(frozen=True)
class AppSpec:
    """A parsed app spec.

    `target` is the resolved script path, module name, URL or Space id; `attr` the
    attribute holding the Blocks (None: the only Blocks at module level); `source`
    says where the spec came from, for error messages.
    """

    kind: SpecKind
    target: str
    attr: str | None = None
    source: str = "the test"
    raw: str = ""
    blocks: Any = field(default=None, compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple[Any, ...]:
        """Identity of the app for the session cache."""
        if self.kind == "blocks":
            return (self.kind, id(self.blocks))
        return (self.kind, self.target, self.attr)

    def describe(self) -> str:
        return f"{self.raw or self.target!r} (from {self.source})"


def is_blocks(obj: object) -> bool:
    """True if obj is a gr.Blocks. Never imports gradio: if gradio was never
    imported, nothing can be a Blocks."""
    gradio = sys.modules.get("gradio")
    return gradio is not None and isinstance(obj, gradio.Blocks)


def parse_spec(value: object, *, source: str, base_dir: Path) -> AppSpec:
    """Parse one spec. Relative script paths resolve against `base_dir`.

    >>> parse_spec("app.py:demo", source="--gradio-app", base_dir=Path("/src")).target
    '/src/app.py'
    """
    if is_blocks(value):
        name = getattr(value, "title", None) or type(value).__name__
        return AppSpec("blocks", f"<{name} object>", source=source, raw=repr(name), blocks=value)
    if not isinstance(value, (str, os.PathLike)):
        raise AppSpecError(
            f"gradio app spec {value!r} from {source} is a {type(value).__name__}; "
            f"expected one of: {SPEC_FORMS}."
        )
    raw = os.fspath(value).strip()
    if not raw:
        raise AppSpecError(f"gradio app spec from {source} is empty; give one of: {SPEC_FORMS}.")
    if raw.startswith(("http://", "https://")):
        return AppSpec("url", raw if raw.endswith("/") else raw + "/", source=source, raw=raw)
    if raw.startswith("space:"):
        space = raw[len("space:") :]
        if not _SPACE_ID.match(space):
            raise AppSpecError(
                f"gradio app spec {raw!r} from {source} is not a Space id; "
                "write it as space:owner/name."
            )
        return AppSpec("space", space, source=source, raw=raw)

    location, attr = _split_attr(raw)
    looks_like_path = location.endswith(".py") or "/" in location or os.sep in location
    if looks_like_path:
        path = (base_dir / location).resolve()
        if path.is_file():
            return AppSpec("script", str(path), attr, source=source, raw=raw)
        if attr is None and _SPACE_ID.match(location) and not location.endswith(".py"):
            return AppSpec("space", location, source=source, raw=raw)
        if path.is_dir():
            scripts = sorted(p.name for p in path.glob("*.py") if not p.name.startswith("test"))
            found = f" Python files there: {', '.join(scripts[:8])}." if scripts else ""
            raise AppSpecError(
                f"gradio app spec {location!r} from {source} is a directory ({path}), not a "
                f"script. Point at the app's file in it, e.g. {location.rstrip('/')}/app.py."
                + found
            )
        raise AppSpecError(
            f"gradio app script {location!r} from {source} does not exist "
            f"(looked for {path}). "
            + _relative_hint(source, base_dir)
            + " For a Hugging Face Space write space:owner/name."
        )
    if _MODULE.match(location):
        return AppSpec("module", location, attr, source=source, raw=raw)
    raise AppSpecError(
        f"gradio app spec {raw!r} from {source} is neither a script path, a module, "
        f"a URL nor a Space; expected one of: {SPEC_FORMS}."
    )


def _split_attr(raw: str) -> tuple[str, str | None]:
    # Why rpartition on ":" only when the tail is an identifier: Windows drive
    # letters ("C:\\app.py") contain a colon too.
    location, sep, attr = raw.rpartition(":")
    if sep and attr.isidentifier() and location:
        return location, attr
    return raw, None


def _relative_hint(source: str, base_dir: Path) -> str:
    if source.startswith("marker"):
        return f"Paths in the marker are relative to the test file's directory ({base_dir})."
    if source.startswith("gradio_launch"):
        return (
            "Paths given to gradio_launch() are relative to the test file's directory "
            f"({base_dir}), also when called from a conftest.py fixture."
        )
    if source.startswith("ini"):
        return f"Paths in the ini option are relative to the ini file's directory ({base_dir})."
    return (
        "Paths on the command line and in PYTEST_GRADIO_APP are relative to the "
        f"directory pytest was started in ({base_dir})."
    )
