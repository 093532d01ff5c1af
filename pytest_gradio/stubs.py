"""gradio's own components are not checked against their `.pyi` stubs each time a
process imports gradio. Plain Python: no gradio, no pytest.

Why: every `Component` subclass gradio defines goes through its metaclass, which calls
`gradio.component_meta.create_or_modify_pyi`: it reads the class's source file,
parses it, builds the stub the class should have and compares it with the `.pyi`
file beside it (writing it when they differ). For an installed gradio those stubs
come in its wheel and are already what the check would write, so the check finds
nothing to do, and it costs about 1.1 s of CPU per process (of 2.6 s for `import
gradio` on gradio 6.31, 81 components; `benchmarks/import_gradio.py`). A test run
imports gradio in many processes: each xdist worker, each app in subprocess mode,
each pytest it runs in a subprocess.

What is skipped, and only that: classes defined in gradio's own package when that
package is installed (under `site-packages` or `dist-packages`). An editable gradio
(someone working on gradio itself) and every other component class (a custom
component being written, with its own stub) are checked as stock checks them.

How: an import hook (`install()`) that, when `gradio.component_meta` is first run in
the process (before gradio defines its components, in the same import), replaces its
`create_or_modify_pyi` by the patch "pyi check" (patches.py). The run's pytest
process installs the hook before conftests load, and the end of its outermost session
takes it away (`uninstall()`), the patch going back with the other process-wide ones;
a subprocess app's child installs it before it imports the app (apps/bootstrap.py).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from . import patches

TARGET = "gradio.component_meta"
# Where an installed package lives (not an editable checkout).
INSTALLED_UNDER = ("site-packages", "dist-packages")
# For the tests: the classes whose check was skipped in this process.
skipped: list[str] = []


def _is_installed(package: ModuleType | None) -> bool:
    location = getattr(package, "__file__", None)
    if not location:
        return False
    return any(part in INSTALLED_UNDER for part in Path(location).parts)


def _skip_installed(original: Callable[..., Any]) -> Callable[..., Any]:
    # Read once, when the patch goes in: gradio is then being imported (in sys.modules).
    if not _is_installed(sys.modules.get("gradio")):
        return original  # an editable gradio: its stubs are checked as stock checks them

    def create_or_modify_pyi(component_class: type, *args: Any, **kwargs: Any) -> Any:
        module = getattr(component_class, "__module__", "") or ""
        if module == "gradio" or module.startswith("gradio."):
            skipped.append(component_class.__name__)
            return None
        return original(component_class, *args, **kwargs)

    return create_or_modify_pyi


class _Hook(importlib.abc.MetaPathFinder):
    """Finds `gradio.component_meta` as the path finder does, and patches the module
    right after it runs."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = getattr(spec, "loader", None)
        if spec is None or not hasattr(loader, "exec_module"):
            return None
        run = loader.exec_module  # type: ignore[union-attr]

        def exec_module(module: ModuleType) -> None:
            run(module)
            # The module is in sys.modules while it runs, which install() reads.
            patches.install("pyi check", _skip_installed)

        loader.exec_module = exec_module  # type: ignore[union-attr]
        return spec


def install() -> None:
    """Put the hook in, once per process (before gradio is imported, or it does
    nothing for this process)."""
    if not any(isinstance(finder, _Hook) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Hook())


def uninstall() -> None:
    sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _Hook)]
