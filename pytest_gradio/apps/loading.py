"""Loading an app's code: run a script (as `__main__`) or import a module with
`Blocks.launch` intercepted, and pick the Blocks under test. Shared by thread mode
and the subprocess child (bootstrap.py)."""

from __future__ import annotations

import contextlib
import importlib
import runpy
import sys
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AppLoadError, AppSpecError
from ..options import OWNED_LAUNCH_KWARGS
from ..specs import AppSpec, is_blocks


@dataclass
class LaunchCalls:
    """The Blocks.launch() calls an app's code made, with their arguments."""

    calls: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)


_intercept_lock = threading.Lock()


@contextlib.contextmanager
def intercept_launch() -> Iterator[LaunchCalls]:
    """Turn `Blocks.launch` into a recorder while an app module is imported.

    Why: scripts call `demo.launch(server_name="0.0.0.0", server_port=7860)` at
    module level or under `__main__`; the plugin must see those arguments, keep the
    ones it does not own, and launch on loopback itself.
    """
    import gradio

    recorded = LaunchCalls()

    def recording_launch(self: Any, *args: Any, **kwargs: Any) -> tuple[Any, str, None]:
        if args:
            kwargs["inline"] = args[0]
        recorded.calls.append((self, kwargs))
        return (None, "", None)

    with _intercept_lock:
        original = gradio.Blocks.launch
        gradio.Blocks.launch = recording_launch  # type: ignore[method-assign,assignment]
        try:
            yield recorded
        finally:
            gradio.Blocks.launch = original  # type: ignore[method-assign]


def load_blocks(spec: AppSpec) -> tuple[Any, dict[str, Any]]:
    """Import the app of a local spec; return its Blocks and the script's launch kwargs."""
    if spec.kind == "blocks":
        return spec.blocks, {}
    with intercept_launch() as launches:
        namespace = run_script(spec) if spec.kind == "script" else import_module(spec)
        blocks = pick_blocks(spec, namespace, launches)
    launch_kwargs: dict[str, Any] = {}
    for launched, kwargs in launches.calls:
        if launched is blocks:
            launch_kwargs = {k: v for k, v in kwargs.items() if k not in OWNED_LAUNCH_KWARGS}
    return blocks, launch_kwargs


def run_script(spec: AppSpec) -> dict[str, Any]:
    path = Path(spec.target)
    directory = str(path.parent)
    # The script's siblings must be importable, as when it runs as `python app.py`.
    if directory not in sys.path:
        sys.path.insert(0, directory)
    saved_argv = sys.argv
    # Why run it as __main__: a launch() under `if __name__ == "__main__"` carries the
    # script's own launch arguments. argv is the script alone, so an argparse there
    # does not read pytest's arguments.
    sys.argv = [str(path)]
    try:
        return runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exc:
        raise AppLoadError(
            f"gradio app script {spec.describe()} called exit({exc.code}) while being "
            "imported. Keep the app importable: build the Blocks at module level and "
            "exit only from code the plugin does not run."
        ) from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise AppLoadError(
            f"gradio app script {spec.describe()} raised while being imported:\n"
            + short_traceback(exc)
            + "\nFix the script so that `python "
            + path.name
            + "` starts."
        ) from None
    finally:
        sys.argv = saved_argv


def import_module(spec: AppSpec) -> dict[str, Any]:
    try:
        module = importlib.import_module(spec.target)
    except ModuleNotFoundError as exc:
        if exc.name and spec.target.startswith(exc.name):
            raise AppSpecError(
                f"gradio app module {spec.target!r} from {spec.source} cannot be imported: "
                f"no module named {exc.name!r}. Install the package, run pytest from the "
                "directory that holds it, or give a script path (app.py:demo) instead."
            ) from None
        raise AppLoadError(
            f"gradio app module {spec.describe()} raised while being imported:\n"
            + short_traceback(exc)
        ) from None
    except Exception as exc:
        raise AppLoadError(
            f"gradio app module {spec.describe()} raised while being imported:\n"
            + short_traceback(exc)
        ) from None
    return dict(vars(module))


def pick_blocks(spec: AppSpec, namespace: dict[str, Any], launches: LaunchCalls) -> Any:
    found = sorted(name for name, value in namespace.items() if is_blocks(value))
    where = "script" if spec.kind == "script" else "module"
    if spec.attr is not None:
        if spec.attr not in namespace:
            raise AppLoadError(
                f"gradio app {where} {spec.describe()} has no attribute {spec.attr!r}. "
                f"Blocks found at module level: {found or 'none'}."
            )
        value = namespace[spec.attr]
        if is_blocks(value):
            return value
        if callable(value):
            try:
                value = value()
            except Exception as exc:
                raise AppLoadError(
                    f"gradio app factory {spec.attr}() in {spec.describe()} raised:\n"
                    + short_traceback(exc)
                ) from None
            if is_blocks(value):
                return value
        raise AppLoadError(
            f"{spec.attr!r} in gradio app {where} {spec.describe()} is a "
            f"{type(value).__name__}, not a gr.Blocks (nor a zero-argument function "
            f"returning one). Blocks found at module level: {found or 'none'}."
        )
    if "demo" in found:
        return namespace["demo"]
    if len(found) == 1:
        return namespace[found[0]]
    launched = {id(b): b for b, _ in launches.calls}
    if len(launched) == 1:
        return next(iter(launched.values()))
    if not found:
        raise AppLoadError(
            f"gradio app {where} {spec.describe()} defines no gr.Blocks at module level. "
            "Assign it to a name (demo = gr.Blocks() ...) or name a factory: "
            f"{spec.raw or spec.target}:make_demo."
        )
    raise AppLoadError(
        f"gradio app {where} {spec.describe()} defines several Blocks ({', '.join(found)}); "
        f"say which one: {spec.raw or spec.target}:{found[0]}."
    )


def short_traceback(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    # Drop the frames of runpy/importlib: the user's frames are what helps.
    kept = [
        line
        for line in lines
        if "runpy.py" not in line and "importlib" not in line and "pytest_gradio" not in line
    ]
    return "".join(kept[-12:]).rstrip()
