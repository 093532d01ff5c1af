"""Every place pytest-gradio replaces a name in gradio, gradio_client, uvicorn or the
standard library, and the one mechanism that puts the process-wide ones in and back.

Why one module: these names are not public API; a new gradio release may rename any
of them, and then the plugin misbehaves far from the cause. `PATCHES` lists each one
(where, why, how long it lasts), `missing()` says which of them the installed
packages no longer have (tests/test_patches.py fails naming them), and `install()` /
`session_started()` / `session_finished()` own the process-wide ones.

The replacement functions stay next to the code they serve (apps/loading.py's Host
routing, client/downloads.py's staging, ...): they need that code's state, and
moving them here would make this base module depend on the layers above it. This
module imports no gradio (the plugin loads it at start-up): targets are resolved by
name, when a patch goes in or `missing()` runs.

Scopes:
- "process": replaced on the module or class for the rest of the session (an app's
  code may keep running after loading, and a late `launch()` must not escape the
  plugin's rules); put back when the outermost pytest session of the process ends.
- "span": replaced while the plugin needs it and put back by the code that set it,
  when its last user leaves.
- "object": set on an object the plugin made (a client, an endpoint, a Blocks); it
  ends with that object.
- "override": a method of the plugin's `GradioClient` subclass in place of the stock
  one; stock code calls it by that name, so a rename silently bypasses it.
- "call": not replaced, but called by its private name; a rename makes the call a
  no-op, silently.

Nested sessions: pytester's in-process runs (`pytester.runpytest()`) start a pytest
session inside a test of the outer one, in the same process, and restore
`sys.modules` afterwards. Hence (1) a count of sessions: only the outermost one's end
puts the names back; (2) `install()` looks at the module object in `sys.modules` now,
not at a flag: a module the inner run imported first (uvicorn, gradio) is dropped
from `sys.modules` when it ends, the next import makes a fresh, unpatched copy, and
that copy is patched in its turn.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# The gradio releases the inventory is checked on (tests/test_patches.py, on each row
# of .ci/matrix), with the gradio_client each pins.
VERIFIED_ON = (
    "gradio 5.50.0 / gradio_client 1.14.0",
    "gradio 6.0.2 / gradio_client 2.0.1",
    "gradio 6.31.0 / gradio_client 2.7.2",
)


@dataclass(frozen=True)
class Patch:
    """One name of another package that the plugin replaces (or, scope "call", calls)."""

    name: str  # the key install() and the tests use
    target: str  # "module:Class.attr"; an object's attribute as "module:Class().attr"
    scope: str  # process | span | object | override | call (see the module docstring)
    where: str  # the plugin module that does it
    why: str
    # False when some supported release lacks the name (and the plugin copes): the
    # reason is in `why`.
    required: bool = True

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def package(self) -> str:
        return self.module.partition(".")[0]


# FastAPI's caches of route functions (fastapi.dependencies.models; in 0.163 and 0.165),
# which apps/thread.py empties when an in-process app closes.
FASTAPI_CALLABLE_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)

PATCHES: tuple[Patch, ...] = (
    # -- process-wide: routed to the plugin's Host while an app's code runs ------------
    Patch(
        "launch",
        "gradio.blocks:Blocks.launch",
        "process",
        "apps/loading.py",
        "an app's demo.launch() serves on 127.0.0.1 and a port the plugin picks, never a "
        "share link, with the script's other arguments",
    ),
    Patch(
        "uvicorn.run",
        "uvicorn.main:run",
        "process",
        "apps/loading.py",
        "a script's uvicorn.run(app, host='0.0.0.0', port=8000) serves the app under test "
        "on the plugin's loopback socket, without reload/workers",
    ),
    Patch(
        "uvicorn.run alias",
        "uvicorn:run",
        "process",
        "apps/loading.py",
        "the same function as uvicorn.main:run, re-exported: `uvicorn.run(...)` reads it here",
    ),
    Patch(
        "serve",
        "uvicorn.server:Server.serve",
        "process",
        "apps/loading.py",
        "uvicorn.Server(config).run()/.serve() of a script serves on the plugin's socket; "
        "marks the server's context so its warnings go to the app's log",
    ),
    Patch(
        "bind",
        "socket:socket.bind",
        "process",
        "apps/loading.py",
        "an app's code that listens on anything but loopback fails with LoopbackOnlyError "
        "instead of exposing the app",
    ),
    Patch(
        "queue loop",
        "gradio.queueing:Queue.start_processing",
        "process",
        "apps/idle.py",
        "an app's queue looks for work every 10 ms, not gradio 6's every 1 ms, while no job "
        "waits and none was sent in the last 50 ms: each look wakes the server's event "
        "loop, about 3 % of a core per app",
    ),
    Patch(
        "queue push",
        "gradio.queueing:Queue.push",
        "process",
        "apps/idle.py",
        "notes when a job was sent, so that the queue keeps gradio's 1 ms for 50 ms after: "
        "jobs sent one after another are taken as stock takes them",
    ),
    Patch(
        "queue poll interval",
        "gradio.queueing:Queue().sleep_when_free",
        "object",
        "apps/idle.py",
        "read by gradio's queue loop before each sleep: the queue's class gets a property "
        "of that name, which returns gradio's value while a job waits or was just sent",
    ),
    Patch(
        "pyi check",
        "gradio.component_meta:create_or_modify_pyi",
        "process",
        "stubs.py",
        "called by gradio's component metaclass for every component class: it parses the "
        "class's source to compare with its .pyi stub, 1.1 s of CPU per process; skipped for "
        "gradio's own classes of an installed gradio, whose stubs come in its wheel",
    ),
    Patch(
        "client tempfile",
        "gradio_client.client:tempfile",
        "process",
        "client/downloads.py",
        "Endpoint._download_file stages each download in tempfile.gettempdir()/<hex> and "
        "leaves that directory behind; the module's view of tempfile answers a staging "
        "directory that the plugin removes",
    ),
    Patch(
        "ast.parse",
        "ast:parse",
        "process",
        "apps/serverlog.py",
        "on CPython 3.11 before 3.11.8, 3.12 before 3.12.2 and 3.10 (gh-106905) an "
        "ast.parse that starts while another is under way (another thread's, or one "
        "run from a finalizer or signal handler) makes the first raise SystemError 'AST "
        "constructor recursion depth mismatch': an in-process server formatting a "
        "traceback beside pytest formatting a failure gave INTERNALERROR. There, a parse "
        "that fails so is made again; elsewhere it is not replaced",
    ),
    # -- for a span: put back by their owner when the last user leaves ------------------
    Patch(
        "warnings.warn",
        "warnings:warn",
        "span",
        "apps/serverlog.py",
        "a warning an in-process server raises under -W error is logged to the app's log "
        "instead of failing the app's request",
    ),
    Patch(
        "warnings._showwarnmsg",
        "warnings:_showwarnmsg",
        "span",
        "apps/serverlog.py",
        "a warning an in-process server shows goes to the app's log, not to the warnings "
        "of whichever test runs",
    ),
    Patch(
        "print_exc",
        "traceback:print_exc",
        "span",
        "apps/serverlog.py",
        "gradio prints an app's unhandled exception with traceback.print_exc(): from an "
        "in-process server's thread it goes to that app's log",
    ),
    Patch(
        "url_ok",
        "gradio.networking:url_ok",
        "span",
        "apps/base.py",
        "launch() checks that its server answers with one HEAD of 3 s and raises 'When "
        "localhost is not accessible...' when it times out: during the plugin's launches "
        "it asks again until the server answers (a busy machine's slow first answer)",
    ),
    Patch(
        "run_in_thread",
        "gradio.http_server:Server.run_in_thread",
        "span",
        "apps/base.py",
        "launch() waits for its server thread to start and gives up after 5 s, even when "
        "the thread died at once (a missing ssl_keyfile): during the plugin's launches "
        "the wait also ends when the thread does, with gradio's own error",
    ),
    Patch(
        "excepthook",
        "threading:excepthook",
        "span",
        "apps/base.py",
        "a server thread that dies while launching is reported as the launch's error",
    ),
    Patch(
        "LOCALHOST_NAME",
        "gradio.http_server:LOCALHOST_NAME",
        "span",
        "apps/environment.py",
        "read from GRADIO_SERVER_NAME at gradio's import: the port probe of a thread-mode "
        "launch binds 127.0.0.1 whatever the environment said",
    ),
    Patch(
        "GRADIO_WATCH_DIRS",
        "gradio.http_server:GRADIO_WATCH_DIRS",
        "span",
        "apps/environment.py",
        "read from GRADIO_WATCH_DIRS at gradio's import: no reloader for a thread-mode app",
    ),
    Patch(
        "SSR LOCALHOST_NAME",
        "gradio.node_server:LOCALHOST_NAME",
        "span",
        "apps/environment.py",
        "read from GRADIO_SERVER_NAME at gradio's import: the SSR node server binds 127.0.0.1",
    ),
    # -- on objects the plugin made ----------------------------------------------------
    Patch(
        "block_thread",
        "gradio.blocks:Blocks.block_thread",
        "object",
        "apps/bootstrap.py",
        "the subprocess child announces its URL just before launch() blocks",
    ),
    Patch(
        "timeout_graceful_shutdown",
        "uvicorn.config:Config().timeout_graceful_shutdown",
        "object",
        "apps/thread.py",
        "gradio's close() of an in-process app waits 5 s for its server thread and then "
        "leaves it running while a request streams: set on the app's server config just "
        "before the plugin closes it, uvicorn cancels what still runs after 1 s",
    ),
    Patch(
        "GRADIO_CACHE",
        "gradio.blocks:Block().GRADIO_CACHE",
        "object",
        "apps/thread.py",
        "a Blocks built before the session set GRADIO_TEMP_DIR saves outputs where its "
        "server would refuse them (403): its components get the current upload folder",
    ),
    Patch(
        "_download_file",
        "gradio_client.client:Endpoint._download_file",
        "object",
        "client/downloads.py",
        "each endpoint's downloads run the stock method inside a staging directory of "
        "their own, removed afterwards",
    ),
    Patch(
        "executor",
        "gradio_client.client:Client().executor",
        "object",
        "client/registry.py",
        "the client's thread pools become daemon pools: a job stuck on a dead server "
        "does not hold the interpreter's exit",
    ),
    Patch(
        "helper_executor",
        "gradio_client.client:Client().helper_executor",
        "object",
        "client/registry.py",
        "as executor (gradio_client 2.6.1 and later only)",
        required=False,
    ),
    Patch(
        "stream_executor",
        "gradio_client.client:Client().stream_executor",
        "object",
        "client/registry.py",
        "as executor (gradio_client 2.6.1 and later only)",
        required=False,
    ),
    Patch(
        "pending_event_ids",
        "gradio_client.client:Client().pending_event_ids",
        "object",
        "client/compat.py",
        "before 2.6.1 a job may end before the stock transport registers it; a set that "
        "remembers early removals keeps the job from hanging",
    ),
    Patch(
        "pending_messages_per_event",
        "gradio_client.client:Client().pending_messages_per_event",
        "object",
        "client/recording.py",
        "the stock transport's messages are tapped with their arrival time to record "
        "the job's timeline",
    ),
    # -- overrides in GradioClient (client/recording.py) -------------------------------
    Patch(
        "send_data",
        "gradio_client.client:Client.send_data",
        "override",
        "client/recording.py",
        "the stock transport's job learns its event id here: the timeline is bound to it",
    ),
    Patch(
        "stream_messages",
        "gradio_client.client:Client.stream_messages",
        "override",
        "client/recording.py",
        "why the stock transport's stream ended, so that a stranded job fails with "
        "JobStreamError instead of as cancelled",
    ),
    Patch(
        "_get_config",
        "gradio_client.client:Client._get_config",
        "override",
        "client/recording.py",
        "a clone reuses its template's config; the stock heartbeat is hidden (the plugin "
        "runs its own)",
    ),
    Patch(
        "_get_api_info",
        "gradio_client.client:Client._get_api_info",
        "override",
        "client/recording.py",
        "a clone reuses its template's API info (a per-test client costs milliseconds)",
    ),
    Patch(
        "reset_session",
        "gradio_client.client:Client.reset_session",
        "override",
        "client/recording.py",
        "the old session's heartbeat ends with it and a new one starts",
    ),
    Patch(
        "_stream_heartbeat",
        "gradio_client.client:Client._stream_heartbeat",
        "override",
        "client/compat.py",
        "before 2.7.2 the stock heartbeat thread always starts and close() waits for it: "
        "it returns at once",
    ),
    # -- called by their private names -----------------------------------------------
    *(
        Patch(
            f"fastapi {name}",
            f"fastapi.dependencies.models:{name}.cache_clear",
            "call",
            "apps/thread.py",
            "an in-process app's close() empties FastAPI's caches of route functions, "
            "which would keep the closed app (about 100,000 objects) in memory; fastapi "
            "releases without these caches leave nothing to empty",
            required=False,
        )
        for name in FASTAPI_CALLABLE_CACHES
    ),
)

BY_NAME = {patch.name: patch for patch in PATCHES}
if len(BY_NAME) != len(PATCHES):  # pragma: no cover (a typo in the table above)
    raise RuntimeError("pytest_gradio.patches: two patches share a name")

# Set on each replacement: the value it replaced (how install() knows a name is
# already ours, and what restore puts back), and the function that made it.
_ORIGINAL = "__pytest_gradio_original__"
_MAKER = "__pytest_gradio_maker__"

_lock = threading.RLock()
_sessions = 0
# What install() replaced, in order: (owner, attr, original, replacement, owned), where
# `owned` says whether the owner held the attribute itself (else it was inherited, and
# restoring deletes ours).
_applied: list[tuple[Any, str, Any, Any, bool]] = []


# --- resolving targets ------------------------------------------------------------------


def _split(target: str) -> tuple[str, list[str], bool]:
    module, _, path = target.partition(":")
    instance = "()." in path
    return module, path.replace("().", ".").split("."), instance


def _owner(target: str) -> tuple[Any, str]:
    """The object that holds the target's last name, from the module in sys.modules now
    (imported if need be), and that name."""
    module_name, parts, _ = _split(target)
    owner: Any = importlib.import_module(module_name)
    for part in parts[:-1]:
        owner = getattr(owner, part)
    return owner, parts[-1]


def _assigned_in_class(cls: type, attr: str) -> bool:
    """Whether some class in `cls`'s MRO assigns `self.<attr>` in its source."""
    pattern = re.compile(rf"\bself\.{re.escape(attr)}\s*(:[^=\n]*)?=(?!=)")
    for klass in cls.__mro__:
        if klass is object:
            continue
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return True
    return False


def problem(patch: Patch) -> str | None:
    """Why `patch`'s target is not in the installed packages, or None if it is."""
    module_name, parts, instance = _split(patch.target)
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError as exc:
        return f"module {module_name} cannot be imported ({exc})"
    walked = module_name
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if last and instance:
            if isinstance(owner, type) and (
                hasattr(owner, part) or _assigned_in_class(owner, part)
            ):
                return None
            return f"{walked} does not set self.{part}"
        if not hasattr(owner, part):
            return f"{walked} has no attribute {part!r}"
        owner = getattr(owner, part)
        walked = f"{walked}.{part}"
    return None


def missing(
    packages: Iterable[str] = ("gradio", "gradio_client", "uvicorn", "fastapi"),
) -> list[str]:
    """A line per required patch whose target the installed `packages` no longer have,
    naming it, the plugin module that patches it, and why (empty when all are there).
    A package that is not installed is skipped (uvicorn and fastapi come with gradio)."""
    lines = []
    for patch in PATCHES:
        if patch.package not in packages and patch.package not in sys.stdlib_module_names:
            continue
        if not patch.required or importlib.util.find_spec(patch.package) is None:
            continue
        why = problem(patch)
        if why is not None:
            lines.append(
                f"{patch.target} ({patch.scope} patch {patch.name!r} in "
                f"pytest_gradio/{patch.where}): {why}. The plugin relies on it because "
                f"{patch.why}."
            )
    return lines


# --- putting process-wide patches in and back ------------------------------------------


def original(value: Any) -> Any:
    """What `value` replaced if it is one of ours, else `value` itself."""
    return getattr(value, _ORIGINAL, value)


def is_ours(value: Any) -> bool:
    return hasattr(value, _ORIGINAL)


def install(name: str, make: Callable[[Any], Any]) -> Any:
    """Put process-wide patch `name` in: its target's current value goes to
    `make(original)`, whose result replaces it (unless it is that value). Returns the
    original. Idempotent per owner: when the target (of the module in sys.modules
    now) is already ours, nothing changes and its original is returned. A
    replacement made by another `make` (the same code from a copy of the plugin's
    module imported again, after an in-process pytester run dropped the first from
    sys.modules) is replaced: its module's state (which app is hosted) is no longer
    the one the plugin uses."""
    patch = BY_NAME[name]
    if patch.scope != "process":
        raise ValueError(f"patch {name!r} is {patch.scope}-scoped; install() is for process-wide")
    with _lock:
        owner, attr = _owner(patch.target)
        current = getattr(owner, attr)
        if is_ours(current) and getattr(current, _MAKER, None) is make:
            return original(current)
        stock = original(current)
        replacement = make(stock)
        if replacement is stock:  # `make` declined (someone else's value is there)
            return stock
        setattr(replacement, _ORIGINAL, stock)
        setattr(replacement, _MAKER, make)
        owned = attr in getattr(owner, "__dict__", {attr: None})
        for entry in _applied:  # a stale replacement: restore puts the stock value back
            if entry[0] is owner and entry[1] == attr:
                owned = entry[4]
        setattr(owner, attr, replacement)
        _applied.append((owner, attr, stock, replacement, owned))
        return stock


def installed() -> list[str]:
    """The targets currently replaced by install(), as "owner.attr" (for tests)."""
    with _lock:
        return [
            f"{getattr(owner, '__name__', owner)}.{attr}"
            for owner, attr, _, replacement, _ in _applied
            if getattr(owner, attr, None) is replacement
        ]


def restore_all() -> None:
    """Put back what install() replaced, newest first. A name someone replaced again
    on top of ours is left as it is (ours, under it, passes calls on)."""
    with _lock:
        while _applied:
            owner, attr, value, replacement, owned = _applied.pop()
            if getattr(owner, attr, None) is not replacement:
                continue
            if owned:
                setattr(owner, attr, value)
            else:
                delattr(owner, attr)


def session_started() -> None:
    """A pytest session of this process starts (an in-process pytester run nests one)."""
    global _sessions
    with _lock:
        _sessions += 1


def session_finished() -> None:
    """A pytest session ends: the outermost one puts the process-wide patches back."""
    global _sessions
    with _lock:
        _sessions = max(0, _sessions - 1)
        if _sessions == 0:
            restore_all()


def active_sessions() -> int:
    return _sessions
