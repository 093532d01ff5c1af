"""`GradioMCP`: a synchronous MCP client of a Gradio app, whose tool calls are jobs.

The MCP client library is asynchronous (anyio). A test is not: `GradioMCP` runs an
event loop on a daemon thread of its own, opens the MCP session there in one task
that lives until `close()` (the library's transports are anyio task groups, which
must be entered and left by the same task), and hands each request to that loop.
`call_tool()` returns at once with a `ToolCall` that the loop completes; the other
methods wait for their answer, bounded by the startup timeout and the test's
deadline.

Cost: the thread and loop take well under a millisecond; opening the session is one
`initialize` round-trip (see BENCHMARKS.md for the measured set-up cost).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import difflib
import os
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .. import deadlines
from ..client import registry, tls
from ..errors import McpUnavailableError, ToolNotFoundError
from ..options import DEFAULT_JOB_TIMEOUT
from .recording import ToolCall

T = TypeVar("T")

MCP_TRANSPORTS = ("streamable-http", "sse")
# The paths of Gradio's MCP server under an app's URL.
STREAMABLE_PATH = "gradio_api/mcp/"
SSE_PATH = "gradio_api/mcp/sse"
SCHEMA_PATH = "gradio_api/mcp/schema"
DEFAULT_REQUEST_TIMEOUT = 30.0
# How long close() waits for the session to end (the library's goodbyes to the server).
CLOSE_TIMEOUT = 5.0

HOW_TO_ENABLE = (
    'launch it with the MCP server on: @pytest.mark.gradio_app(..., launch_kwargs={"mcp_server": '
    "True}), demo.launch(mcp_server=True), or the environment variable GRADIO_MCP_SERVER=True"
)
NO_SDK = (
    "gradio_mcp needs the MCP client library, which is not installed: install the extra "
    "with `pip install pytest-gradio[mcp]` (it brings the `mcp` version the installed "
    "gradio serves)."
)


def require_sdk() -> None:
    """Raise McpUnavailableError naming the extra if the MCP library is missing."""
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise McpUnavailableError(NO_SDK) from None


def mcp_url(app_url: str, transport: str) -> str:
    """Where an app at `app_url` serves MCP over `transport`."""
    base = app_url if app_url.endswith("/") else app_url + "/"
    return base + (SSE_PATH if transport == "sse" else STREAMABLE_PATH)


class GradioMCP:
    """A synchronous MCP client connected to a Gradio app's MCP server.

    `call_tool()` returns a `ToolCall` at once (a recorded job, as `submit()` does);
    `list_tools()`, `list_resources()`, `read_resource()`, `list_prompts()` and
    `get_prompt()` return the MCP library's results. Close it (or use it as a context
    manager); the `gradio_mcp` fixture does that at teardown.

    >>> with GradioMCP(gradio_app.url) as client:
    ...     client.call_tool("greet", {"name": "Ada"}).result()
    'Hello, Ada!'
    """

    def __init__(
        self,
        url: str,
        *,
        transport: str = "streamable-http",
        headers: Mapping[str, str] | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        job_timeout: float | None = DEFAULT_JOB_TIMEOUT,
        what: str | None = None,
    ) -> None:
        require_sdk()
        if transport not in MCP_TRANSPORTS:
            raise ValueError(
                f"GradioMCP transport {transport!r} is not one of {', '.join(MCP_TRANSPORTS)}."
            )
        self.src = url  # the app's URL: the reports name the app by it, as for clients
        self.url = mcp_url(url, transport)
        self.transport = transport
        self.token = token
        self.timeout = timeout
        self.job_timeout = job_timeout
        self.what = what or url
        self.calls: list[ToolCall] = []
        self.server_info: Any = None
        self._headers = dict(headers or {})
        if token:
            self._headers.setdefault("Authorization", f"Bearer {token}")
        self._tools: list[Any] | None = None
        self._closing: asyncio.Event | None = None
        self._session: Any = None
        self._closed = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="gradio-mcp", daemon=True)
        # Made before the session's task starts: a refused connection can fail that
        # task before the next line of this method runs.
        self._ready: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._thread.start()
        self._serving = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        try:
            self.server_info = self._wait(self._ready, "opening the MCP session", timeout)
        except TimeoutError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise self._diagnose(exc) from None
        except BaseException:
            self.close()
            raise

    @property
    def headers(self) -> dict[str, str]:
        """The HTTP headers sent with every request (a Space's token among them)."""
        return dict(self._headers)

    def __repr__(self) -> str:
        return f"<GradioMCP {self.url} ({self.transport}), {len(self.calls)} tool calls>"

    def __enter__(self) -> GradioMCP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the loop thread ------------------------------------------------------------------

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            # What is left (a transport's tasks after a failed close) is dropped.
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            with contextlib.suppress(BaseException):
                self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _serve(self) -> None:
        """Open the session, keep it open until close(), and close it in this task."""
        from mcp import ClientSession

        self._closing = asyncio.Event()
        try:
            async with contextlib.AsyncExitStack() as stack:
                streams = await stack.enter_async_context(self._transport())
                session = await stack.enter_async_context(
                    ClientSession(streams[0], streams[1], logging_callback=self._on_log)
                )
                initialized = await session.initialize()
                self._session = session
                self._ready.set_result(initialized.serverInfo)
                await self._closing.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(_unwrap(exc))
            for call in self.calls:
                call.failed(ConnectionError(f"the MCP session with {self.what} ended: {exc}"))
            if not isinstance(exc, Exception):
                raise

    def _transport(self) -> Any:
        import httpx

        timeout = httpx.Timeout(self.timeout, read=None)
        if self.transport == "sse":
            from mcp.client.sse import sse_client

            # No read timeout on the event stream: a tool may run for long.
            return sse_client(
                self.url, headers=self._headers, timeout=self.timeout, sse_read_timeout=86400
            )
        try:  # mcp 1.2x: the client takes an httpx client
            from mcp.client.streamable_http import streamable_http_client
        except ImportError:  # mcp 1.10 (gradio 5's pin)
            from mcp.client.streamable_http import streamablehttp_client

            return streamablehttp_client(
                self.url, headers=self._headers, timeout=self.timeout, sse_read_timeout=86400
            )
        return _with_http_client(
            streamable_http_client,
            self.url,
            httpx.AsyncClient(
                headers=self._headers, timeout=timeout, follow_redirects=True, verify=tls.verify()
            ),
        )

    async def _on_log(self, params: Any) -> None:
        # MCP log messages carry no request id: they go to the calls running now.
        data = params.data
        message = data if isinstance(data, str) else repr(data)
        for call in self.calls:
            if not call.done():
                call.logged(message, str(params.level).lower())

    # -- handing work to the loop ---------------------------------------------------------

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if self._closed or self._session is None:
            coro.close()
            raise RuntimeError(f"{self!r} is closed; open another GradioMCP.")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _wait(self, future: concurrent.futures.Future[T], doing: str, timeout: float) -> T:
        __tracebackhide__ = True
        bound, cut = deadlines.bound(timeout)
        try:
            return future.result(timeout=bound)
        except concurrent.futures.TimeoutError:
            future.cancel()
            why = deadlines.explain() if cut else f"it may take {timeout:g} s"
            raise TimeoutError(f"{doing} at {self.url} got no answer ({why}).") from None

    def _request(self, method: str, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True

        async def run() -> Any:
            return await getattr(self._session, method)(*args, **kwargs)

        return self._wait(self._submit(run()), f"{method}()", self.timeout)

    def _diagnose(self, exc: BaseException) -> Exception:
        """Why the session could not open, in one line with the fix."""
        import httpx

        base = self.src if self.src.endswith("/") else self.src + "/"
        try:
            answer = httpx.get(
                base + SCHEMA_PATH, headers=self._headers, timeout=self.timeout, verify=tls.verify()
            )
        except httpx.HTTPError:
            answer = None
        if answer is not None and answer.status_code == 404:
            return McpUnavailableError(
                f"{self.what} at {self.src} has no MCP server ({base}{SCHEMA_PATH} is HTTP "
                f"404): {HOW_TO_ENABLE}."
            )
        return McpUnavailableError(
            f"could not open an MCP session ({self.transport}) with {self.what} at "
            f"{self.url}: {type(exc).__name__}: {exc}. Check that the app runs with "
            f"mcp_server=True and that the URL (and mount path) is right."
        )

    # -- the MCP methods ------------------------------------------------------------------

    def list_tools(self) -> list[Any]:
        """The tools the app serves (the MCP library's `Tool`s), in the server's order."""
        tools = list(self._request("list_tools").tools)
        self._tools = tools
        return tools

    def tool_names(self) -> list[str]:
        tools = self._tools if self._tools is not None else self.list_tools()
        return [tool.name for tool in tools]

    def call_tool(
        self, name: str, arguments: Mapping[str, Any] | None = None, *, progress: bool = True
    ) -> ToolCall:
        """Call tool `name` with `arguments`; returns the recorded call at once.

        `progress=True` (default) asks for progress notifications, as agents that show
        progress do, so the call's timeline has its queue statuses and progress steps.
        It costs about 0.5 s a call on Gradio's side (its MCP server reads the job's
        updates with a 0.5 s wait after the last); `progress=False` saves that, and the
        timeline then holds only the request and the answer.

        A `pathlib.Path` argument is sent as a `data:` URL of the file's bytes: Gradio
        takes file inputs as URLs, and refuses loopback URLs (its SSRF protection).

        >>> call = gradio_mcp.call_tool("count", {"n": 3})
        >>> assert_job_progress(call, [(1, 3), (2, 3), (3, 3)])
        """
        __tracebackhide__ = True
        names = self.tool_names()
        if name not in names:
            raise ToolNotFoundError(unknown_tool(name, names, self.what))
        sent = {key: _argument(value, key, name) for key, value in dict(arguments or {}).items()}
        call = ToolCall(name, dict(arguments or {}), job_timeout=self.job_timeout)
        self.calls.append(call)

        async def progressed(value: float, total: float | None, message: str | None) -> None:
            call.progressed(value, total, message)

        async def run() -> None:
            try:
                answer = await self._session.call_tool(
                    name, sent, progress_callback=progressed if progress else None
                )
            except asyncio.CancelledError:
                call.failed(concurrent.futures.CancelledError())
                raise
            except Exception as exc:
                call.failed(_unwrap(exc))
            else:
                call.answered(answer)

        task = self._submit(run())
        call._cancel_request = task.cancel
        registry.job_submitted(self, call)  # type: ignore[arg-type]
        return call

    def list_resources(self) -> list[Any]:
        """Resources (fixed URIs) and resource templates (URIs with `{params}`)."""
        resources = list(self._request("list_resources").resources)
        templates = list(self._request("list_resource_templates").resourceTemplates)
        return resources + templates

    def read_resource(self, uri: str) -> Any:
        """The contents of the resource at `uri`: its text (or bytes) if it has one
        content, else the list of contents (the MCP library's)."""
        from pydantic import AnyUrl

        contents = list(self._request("read_resource", AnyUrl(uri)).contents)
        if len(contents) == 1:
            only = contents[0]
            if hasattr(only, "text"):
                return only.text
            if hasattr(only, "blob"):
                import base64

                return base64.b64decode(only.blob)
        return contents

    def list_prompts(self) -> list[Any]:
        return list(self._request("list_prompts").prompts)

    def get_prompt(self, name: str, arguments: Mapping[str, str] | None = None) -> Any:
        """The prompt's result (the MCP library's `GetPromptResult`): `.messages`."""
        return self._request("get_prompt", name, dict(arguments or {}))

    # -- the end --------------------------------------------------------------------------

    def close(self) -> None:
        """Cancel the calls still running, end the session, stop the loop. Bounded."""
        if self._closed:
            return
        self._closed = True
        registry.cancel_jobs(self.calls, CLOSE_TIMEOUT)
        closing = self._closing
        if closing is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(closing.set)
        with contextlib.suppress(Exception):
            self._serving.result(timeout=CLOSE_TIMEOUT)
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CLOSE_TIMEOUT)


@contextlib.asynccontextmanager
async def _with_http_client(client_cm: Any, url: str, http: Any) -> Any:
    async with http, client_cm(url, http_client=http) as streams:
        yield streams


def _unwrap(exc: BaseException) -> BaseException:
    """The one error inside the task groups' exception groups, if there is one."""
    # Not BaseExceptionGroup by name: Python 3.10 has it only from a backport.
    inner = getattr(exc, "exceptions", None)
    while isinstance(inner, tuple) and len(inner) == 1 and isinstance(inner[0], BaseException):
        exc = inner[0]
        inner = getattr(exc, "exceptions", None)
    return exc


def unknown_tool(name: str, names: list[str], what: str) -> str:
    nearest = difflib.get_close_matches(name, names, n=1)
    hint = f" Did you mean {nearest[0]!r}?" if nearest else ""
    listed = ", ".join(repr(n) for n in names) or "none"
    return f"{what} has no MCP tool {name!r}.{hint} Its tools: {listed}."


def _argument(value: Any, key: str, tool: str) -> Any:
    if isinstance(value, Path):
        return data_url(value)
    if isinstance(value, str) and _is_loopback_url(value):
        raise ValueError(
            f"argument {key!r} of tool call {tool!r} is a loopback URL ({value}). Gradio "
            "downloads file inputs with SSRF protection, which refuses loopback hosts (and "
            "asks a public DNS resolver about them first). Pass the file as a "
            "pathlib.Path: gradio_mcp sends it as a data: URL."
        )
    return value


def _is_loopback_url(value: str) -> bool:
    if not value.startswith(("http://", "https://")):
        return False
    host = urlsplit(value).hostname or ""
    return host in ("localhost", "0.0.0.0", "::1") or host.startswith("127.")


def data_url(path: str | os.PathLike[str]) -> str:
    """The file at `path` as a `data:` URL, the form of file input Gradio's MCP
    server takes without downloading anything."""
    import base64
    import mimetypes

    file = Path(path)
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"


def open_for_app(app: Any, *, transport: str = "streamable-http") -> GradioMCP:
    """A `GradioMCP` on a running `GradioApp` (any kind): its URL, and for a Space
    its token. What the `gradio_mcp` fixture yields."""
    from ..apps.base import is_space
    from ..options import DEFAULT_URL_STARTUP_TIMEOUT

    options = app.options
    token = options.token if is_space(app.spec) else None
    return GradioMCP(
        app.url,
        transport=transport,
        token=token,
        timeout=options.startup_timeout or DEFAULT_URL_STARTUP_TIMEOUT,
        job_timeout=app.job_timeout,
        what=f"gradio app {app.spec.describe()}",
    )
