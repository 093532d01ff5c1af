"""Loading an app's code: run a script (as `__main__`) or import a module while its
serving calls are taken over, and pick what it serves. Shared by thread mode and
the subprocess child (bootstrap.py).

What "taken over" means. While an app's code runs, `gradio.Blocks.launch`,
`uvicorn.run` and `uvicorn.Server.serve` are routed to a `Host`, the object that
serves the app under the plugin's rules (127.0.0.1, a port the plugin picks, never
a share link) with the rest of the script's own arguments. The patches (listed, put
in and put back by pytest_gradio/patches.py) stay for the rest of the session (they
are thin: a call from a thread that runs no app's code goes to the original at
once), because an app's code may keep running after loading (a script that blocks
in `launch()`, or loops after it), and a call it makes later must not escape the
rules. A `socket.bind` to anything but loopback from an
app's code fails with an error saying so.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib
import inspect
import os
import runpy
import socket
import sys
import sysconfig
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import patches
from ..errors import AppLoadError, AppSpecError, AppStartError
from ..options import LOOPBACK, OWNED_LAUNCH_KWARGS
from ..specs import AppSpec, is_blocks
from .asgi import OWNED_UVICORN_KWARGS, config_call, describe_call, is_asgi_app, loopback_socket
from .idle import queue_loop_patch, queue_push_patch
from .serverlog import mark_serving


class AppStopped(BaseException):
    """Raised in an app's code when the plugin stops the app (or gave up on it): it
    ends the code's thread where it waits, without running more of the script.

    A BaseException so that a script's `except Exception:` does not swallow it."""


class LoopbackOnlyError(AppStartError):
    """An app's code tried to listen on an address other than loopback."""


@dataclass
class LaunchCalls:
    """The Blocks.launch() calls an app's code made, with their arguments."""

    calls: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Serving:
    """An ASGI app the plugin serves with uvicorn on its own loopback socket."""

    server: Any
    port: int
    call: str  # what the script did: "called uvicorn.run(host='0.0.0.0', port=8000)"
    scheme: str = "http"


# --- the host: what a taken-over call does -----------------------------------------------


class Host:
    """Serves what an app's code launches. Subclasses say how (thread mode: in this
    process; bootstrap: in the app's own process)."""

    def __init__(self, spec: AppSpec) -> None:
        self.spec = spec
        self.recorded = LaunchCalls()
        self.serving: Serving | None = None
        self.closed = threading.Event()  # set when the plugin stops the app
        self.pending_call: str | None = None

    # Which call is the app under test: the first one, unless the spec names it.
    def is_target(self, obj: Any) -> bool:
        if self.spec.attr is None:
            return True
        named = self.namespace().get(self.spec.attr)
        if named is obj:
            return True
        from .asgi import gradio_mounts

        # `app.py:demo` and the script serves an ASGI app that mounts `demo`.
        return is_asgi_app(obj) and any(b is named for _, b in gradio_mounts(obj))

    def namespace(self) -> dict[str, Any]:
        """The globals of the app's code as they are now (during its run)."""
        name = "__main__" if self.spec.kind == "script" else self.spec.target
        module = sys.modules.get(name)
        return dict(vars(module)) if module is not None else {}

    def launch(self, blocks: Any, given: dict[str, Any], original: Callable[..., Any]) -> Any:
        raise NotImplementedError

    def uvicorn_run(self, app: Any, kwargs: dict[str, Any], original: Callable[..., Any]) -> Any:
        # uvicorn.run ends in Server.serve, taken over below; here only what the
        # plugin owns is dropped (reload and workers would start other processes
        # that bind the script's own host and port).
        if self.serving is not None or not (isinstance(app, str) or self.is_target(app)):
            # Not the app under test: it does not run (uvicorn.run would exit the
            # script when its server never started).
            return None
        self.pending_call = describe_call("uvicorn.run", kwargs)
        kept = {k: v for k, v in kwargs.items() if k not in OWNED_UVICORN_KWARGS}
        return original(app, **kept)

    async def serve(self, server: Any, original: Callable[..., Any]) -> None:
        call, self.pending_call = self.pending_call or config_call(server.config), None
        if self.closed.is_set():
            raise AppStopped
        app = server.config.app
        if self.serving is not None or not (isinstance(app, str) or self.is_target(app)):
            # Not the app under test (or a second server): it does not run.
            return
        sock = loopback_socket()
        port = int(sock.getsockname()[1])
        config = server.config
        config.host, config.port, config.uds, config.fd = LOOPBACK, port, None, None
        scheme = "https" if getattr(config, "is_ssl", False) else "http"
        self.serving = Serving(server, port, call, scheme)
        self.on_serving(self.serving)
        try:
            await original(server, sockets=[sock])
        finally:
            sock.close()
        if self.closed.is_set():
            raise AppStopped

    def on_serving(self, serving: Serving) -> None:
        """Called on the serving thread just before uvicorn starts."""


# --- the patches ------------------------------------------------------------------------

_hosts: dict[int, tuple[threading.Thread, Host]] = {}
_loading: list[Host] = []  # the host whose code is loading: for threads the code starts
_process_host: list[Host] = []  # the subprocess child: the whole process is the app
_patch_lock = threading.RLock()


def current_host() -> Host | None:
    entry = _hosts.get(threading.get_ident())
    if entry is not None and entry[0] is threading.current_thread():
        return entry[1]
    if _loading:
        return _loading[-1]
    return _process_host[0] if _process_host else None


@contextlib.contextmanager
def hosting(host: Host, *, loading: bool = True) -> Iterator[None]:
    """Route this thread's launch/serve calls to `host` (and, while `loading`, those
    of threads the app's code starts)."""
    install_patches()
    thread = threading.current_thread()
    with _patch_lock:
        _hosts[thread.ident or 0] = (thread, host)
        if loading:
            _loading.append(host)
    try:
        yield
    finally:
        with _patch_lock:
            _hosts.pop(thread.ident or 0, None)
            if loading and host in _loading:
                _loading.remove(host)


def host_whole_process(host: Host) -> None:
    """The subprocess child: every thread's calls go to `host`, binds included."""
    install_patches()
    _process_host[:] = [host]


def end_loading(host: Host) -> None:
    """The app's code was taken over (or given up on): threads it starts from now on
    are on their own (their binds are still checked while the code's thread runs)."""
    with _patch_lock:
        if host in _loading:
            _loading.remove(host)


def install_patches() -> None:
    """Put the process-wide patches in (see pytest_gradio/patches.py): on the modules in
    sys.modules now, so a gradio or uvicorn imported again (after a pytester run
    dropped them from sys.modules) is patched in its turn."""
    with _patch_lock:
        importlib.import_module("gradio")
        patches.install("launch", _launch_patch)
        with contextlib.suppress(ImportError):
            patches.install("uvicorn.run", _run_patch)
            # `uvicorn.run` re-exports uvicorn.main's: wrapped there too.
            patches.install("uvicorn.run alias", _run_patch)
            patches.install("serve", _serve_patch)
        patches.install("bind", _bind_patch)
        patches.install("queue loop", queue_loop_patch)
        patches.install("queue push", queue_push_patch)


def original_launch(blocks: Any, **kwargs: Any) -> Any:
    """`Blocks.launch` as gradio defines it (the plugin's own launches)."""
    gradio: Any = importlib.import_module("gradio")
    return patches.original(gradio.Blocks.launch)(blocks, **kwargs)


def _launch_patch(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def launch(blocks: Any, *args: Any, **kwargs: Any) -> Any:
        host = current_host()
        if host is None:
            return original(blocks, *args, **kwargs)
        given = dict(signature.bind(blocks, *args, **kwargs).arguments)
        given.pop("self", None)
        given.update(given.pop("kwargs", None) or {})
        return host.launch(blocks, given, original)

    return launch


def _run_patch(original_run: Any) -> Any:
    @functools.wraps(original_run)
    def run(app: Any, **kwargs: Any) -> Any:
        host = current_host()
        if host is None:
            return original_run(app, **kwargs)
        return host.uvicorn_run(app, kwargs, original_run)

    return run


def _serve_patch(original_serve: Any) -> Any:
    @functools.wraps(original_serve)
    async def serve(server: Any, sockets: Any = None) -> None:
        mark_serving(server)  # its warnings are its own (serverlog.capture_warnings)
        host = current_host()
        # gradio's own launch() serves with a uvicorn.Server subclass: its arguments
        # were already set by the plugin.
        if host is None or type(server).__module__.startswith("gradio."):
            return await original_serve(server, sockets=sockets)  # type: ignore[no-any-return]
        await host.serve(server, original_serve)

    return serve


def _bind_patch(original: Any) -> Any:
    @functools.wraps(original)
    def bind(sock: socket.socket, address: Any) -> None:
        if current_host() is not None and not _is_loopback(sock, address):
            raise LoopbackOnlyError(
                f"gradio app {current_host().spec.describe()} tried to listen on "  # type: ignore[union-attr]
                f"{_describe_address(address)} ({_caller()}). The plugin serves apps "
                f"on {LOOPBACK} only, on a port it picks: serve the app with "
                "demo.launch(), uvicorn.run() or uvicorn.Server(...).run(), which the "
                "plugin takes over, or name the app object in the spec (app.py:app); "
                "or start the app yourself and give its URL."
            )
        original(sock, address)

    return bind


def _is_loopback(sock: socket.socket, address: Any) -> bool:
    family = getattr(sock, "family", None)
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # unix sockets and the like do not reach the network
    if not isinstance(address, tuple) or not address:
        return False
    host = str(address[0]).strip("[]").lower()
    return host == "localhost" or host == "::1" or host.startswith("127.")


def _describe_address(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = address[0] or "all addresses"
        return f"{host}:{address[1]}"
    return repr(address)


def _caller() -> str:
    """The first frame outside this file and the socket module: where the bind came from."""
    for frame, lineno in traceback.walk_stack(sys._getframe(2)):
        filename = frame.f_code.co_filename
        if filename not in (__file__, socket.__file__):
            return f"socket.bind from {filename}:{lineno}"
    return "socket.bind"


def stop_thread(thread: threading.Thread, timeout: float) -> bool:
    """Ask an app's code thread to end (AppStopped raised in it at the next Python
    instruction), wait up to `timeout`; True if it ended. A thread blocked inside C
    (a socket accept) cannot be interrupted this way and is left as a daemon."""
    if not thread.is_alive():
        return True
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(AppStopped)
        )
    thread.join(timeout)
    return not thread.is_alive()


def where_blocked(thread: threading.Thread, spec: AppSpec) -> str:
    """Where the app's code is in `thread` right now: from its script's outermost
    frame in, the innermost few (for errors)."""
    frame = sys._current_frames().get(thread.ident or -1)
    if frame is None:
        return "(its code is no longer running)"
    entries = list(traceback.extract_stack(frame))
    ours = [i for i, entry in enumerate(entries) if entry.filename == spec.target]
    if ours:
        entries = entries[ours[0] :]
    else:
        noise = ("pytest_gradio", "runpy", "importlib", "threading.py", "contextlib.py")
        own = [entry for entry in entries if not any(part in entry.filename for part in noise)]
        if not own:
            # Not in the app's code yet: where the loading itself waits.
            where = "".join(traceback.format_list(entries[-6:])).rstrip()
            return "(not in the app's code yet; the loading is at:)\n" + where
        entries = own
    return "".join(traceback.format_list(entries[-6:])).rstrip()


# --- running the app's code ---------------------------------------------------------------


class _Recorder(Host):
    """Records launches without serving: `load_blocks` (the Blocks without a server)."""

    def launch(self, blocks: Any, given: dict[str, Any], original: Callable[..., Any]) -> Any:
        self.recorded.calls.append((blocks, given))
        return (None, "", None)

    def uvicorn_run(self, app: Any, kwargs: dict[str, Any], original: Callable[..., Any]) -> Any:
        return None

    async def serve(self, server: Any, original: Callable[..., Any]) -> None:
        self.pending_call = None


def load_blocks(spec: AppSpec) -> tuple[Any, dict[str, Any]]:
    """Import the app of a local spec without serving it; return its Blocks and the
    script's launch kwargs (those the plugin does not own)."""
    if spec.kind == "blocks":
        return spec.blocks, {}
    host = _Recorder(spec)
    with hosting(host):
        namespace = run_app_code(spec)
    blocks = pick_blocks(spec, namespace, host.recorded)
    return blocks, launch_kwargs_of(blocks, host.recorded)


def launch_kwargs_of(blocks: Any, recorded: LaunchCalls) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for launched, given in recorded.calls:
        if launched is blocks:
            kwargs = {k: v for k, v in given.items() if k not in OWNED_LAUNCH_KWARGS}
    return kwargs


def run_app_code(spec: AppSpec) -> dict[str, Any]:
    return run_script(spec) if spec.kind == "script" else import_module(spec)


def run_script(spec: AppSpec) -> dict[str, Any]:
    path = Path(spec.target)
    directory = str(path.parent)
    isolate_siblings(spec, directory)
    # The script's siblings must be importable, and its own first (another app's
    # directory may be on sys.path too), as when it runs as `python app.py`.
    with contextlib.suppress(ValueError):
        sys.path.remove(directory)
    sys.path.insert(0, directory)
    _app_dirs.add(directory)
    saved_argv = sys.argv
    saved_first = saved_argv[:1]
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
    except (AppStopped, KeyboardInterrupt, AppStartError):
        raise
    except BaseException as exc:
        raise AppLoadError(
            f"gradio app script {spec.describe()} raised while being imported:\n"
            + short_traceback(exc)
            + "\nFix the script so that `python "
            + path.name
            + "` starts."
        ) from None
    finally:
        if sys.argv == [str(path)]:
            sys.argv = saved_argv
        # runpy puts argv[0] back into whatever list sys.argv is when the script ends.
        # A script that runs on after loading (thread mode) ends when its app stops,
        # long after the test process got its own argv back: that list's first entry
        # became the script's path.
        if saved_argv[:1] != saved_first:
            saved_argv[:1] = saved_first


# Directories of app scripts this process has run: their modules may shadow another
# app's siblings of the same name.
_app_dirs: set[str] = set()


def _stdlib_or_installed(filename: str) -> bool:
    paths = sysconfig.get_paths()
    roots = {paths.get(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    return any(root and filename.startswith(root + os.sep) for root in roots)


def isolate_siblings(spec: AppSpec, directory: str) -> None:
    """Make `import helpers` in the script get the script's own `helpers.py`.

    In one process a module name means one module. When another app's directory
    already gave `helpers` (two apps, each with a sibling `helpers.py`), the
    script would silently run with the other app's: that module (and its
    submodules) is evicted from `sys.modules`, so the import finds this one; the
    first app keeps the objects it already imported. When the name was imported
    from elsewhere (the test suite's own `helpers.py`), evicting it would change
    what the tests import: that fails with a clear error instead. Only names the
    script (or a sibling it imports) imports are looked at.
    """
    folder = Path(directory)
    for top in sorted(_sibling_imports(Path(spec.target), folder)):
        module = sys.modules.get(top)
        filename = getattr(module, "__file__", None)
        if module is None or not filename:
            continue
        origin = os.path.dirname(os.path.abspath(filename))
        if os.path.basename(filename) == "__init__.py":
            origin = os.path.dirname(origin)
        if origin == directory or _stdlib_or_installed(filename):
            continue
        if origin in _app_dirs:
            for sub in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
                del sys.modules[sub]
            continue
        raise AppLoadError(
            f"gradio app script {spec.describe()} imports its sibling module {top!r} "
            f"({_sibling_file(folder, top)}), but this process already imported another "
            f"module of that name from {filename}, and the script would silently get that "
            "one. Rename one of them, or run the app in its own process with "
            "mode='subprocess' (--gradio-mode=subprocess)."
        )


def _sibling_file(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.py", folder / name / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _sibling_imports(script: Path, folder: Path, limit: int = 200) -> set[str]:
    """Top-level names of the script's sibling modules that it imports, directly or
    through other siblings (absolute imports only, read from the source)."""
    import ast

    found: set[str] = set()
    todo: list[Path] = [script]
    seen: set[Path] = set()
    while todo and len(seen) < limit:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                sibling = _sibling_file(folder, top)
                if sibling is not None and sibling != script and top not in found:
                    found.add(top)
                    todo.append(sibling)
    return found


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
    except (AppStopped, AppStartError):
        raise
    except Exception as exc:
        raise AppLoadError(
            f"gradio app module {spec.describe()} raised while being imported:\n"
            + short_traceback(exc)
        ) from None
    return dict(vars(module))


def pick_target(spec: AppSpec, namespace: dict[str, Any], launches: LaunchCalls) -> Any:
    """What to serve when the app's code served nothing itself: a Blocks, or an ASGI
    app (FastAPI, Starlette) with Gradio mounted, named by the spec."""
    if spec.attr is not None and spec.attr in namespace:
        value = namespace[spec.attr]
        if is_asgi_app(value):
            return value
    return pick_blocks(spec, namespace, launches)


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
            required = _required_parameters(value)
            if required:
                raise AppLoadError(
                    f"{spec.attr!r} in gradio app {where} {spec.describe()} is a function that "
                    f"needs arguments ({', '.join(required)}), not a gr.Blocks nor a "
                    "zero-argument factory returning one. Blocks found at module level: "
                    f"{found or 'none'}; name one of those as the spec's :attribute."
                )
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
            f"returning one, nor a FastAPI/Starlette app). Blocks found at module "
            f"level: {found or 'none'}."
        )
    # What the script launches comes first: its `demo` may be a part rendered into
    # the Blocks it launches, and `python app.py` serves the launched one.
    launched = {id(b): b for b, _ in launches.calls}
    if len(launched) == 1:
        return next(iter(launched.values()))
    if "demo" in found:
        return namespace["demo"]
    if len(found) == 1:
        return namespace[found[0]]
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


def _required_parameters(func: Any) -> list[str]:
    """The parameters `func()` would be missing; [] if it cannot be told."""
    import inspect

    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    return [
        name
        for name, p in signature.parameters.items()
        if p.default is p.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def short_traceback(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        # Where the syntax is wrong is the whole story: no frames of the loader.
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    # Drop the frames of runpy/importlib: the user's frames are what helps.
    kept = [
        line
        for line in lines
        if "runpy" not in line
        and "importlib" not in line
        and "pytest_gradio" not in line
        and '"<frozen ' not in line
    ]
    return "".join(kept[-12:]).rstrip()
