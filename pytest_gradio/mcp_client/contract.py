"""What agents see, pinned and checked: `mcp_contract` (tools, schemas, resources,
prompts as snapshot data) and `assert_tool_matches_endpoint` (a tool gives what the
API endpoint behind it gives, as Gradio promises)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..client import tls
from ..client.waiting import explain, wait_for_job
from ..normalize import IMAGE_SUFFIXES, Normalizer, Record, record_type
from .recording import McpImage, content_values
from .session import SCHEMA_PATH

if TYPE_CHECKING:
    from .session import GradioMCP

McpContractRecord = record_type("MCP", "McpContractRecord")
McpToolRecord = record_type("Tool", "McpToolRecord")
McpResourceRecord = record_type("Resource", "McpResourceRecord")
McpPromptRecord = record_type("Prompt", "McpPromptRecord")


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_none=True) if model is not None else None


def mcp_contract(client: GradioMCP) -> Record:
    """What agents see of the app, as ordered plain data: each tool (by name) with its
    description, input schema and, where given, title, output schema, annotations
    and meta; each resource and resource template (by URI) with its name,
    description and MIME type; each prompt (by name) with its description and
    arguments. Pin it with a snapshot so that a change agents would notice (a tool
    renamed, a parameter retyped, a docstring rewritten) shows up in review.

    >>> assert mcp_contract(gradio_mcp) == gradio_snapshot
    """
    normalizer = Normalizer(hash_files=False)
    tools: dict[str, Record] = {}
    for tool in sorted(client.list_tools(), key=lambda t: str(t.name)):
        record = McpToolRecord(
            description=tool.description,
            input_schema=normalizer.value(tool.inputSchema),
        )
        for field, key in (
            ("title", "title"),
            ("outputSchema", "output_schema"),
            ("annotations", "annotations"),
            ("meta", "meta"),
        ):
            value = getattr(tool, field, None)
            if value is not None:
                record[key] = normalizer.value(
                    _dump(value) if hasattr(value, "model_dump") else value
                )
        tools[str(tool.name)] = record
    resources: dict[str, Record] = {}
    for resource in client.list_resources():
        uri = str(getattr(resource, "uri", None) or getattr(resource, "uriTemplate", ""))
        resources[uri] = McpResourceRecord(
            name=resource.name,
            description=resource.description,
            mime_type=resource.mimeType,
        )
    prompts: dict[str, Record] = {}
    for prompt in sorted(client.list_prompts(), key=lambda p: str(p.name)):
        prompts[str(prompt.name)] = McpPromptRecord(
            description=prompt.description,
            arguments=[
                {"name": a.name, "description": a.description, "required": bool(a.required)}
                for a in prompt.arguments or ()
            ],
        )
    return McpContractRecord(
        tools=tools,
        resources={uri: resources[uri] for uri in sorted(resources)},
        prompts=prompts,
    )


def tool_endpoints(client: GradioMCP) -> dict[str, str]:
    """Tool name -> the API endpoint it calls ("/greet"), as the app's MCP schema says."""
    return schema_tool_endpoints(client.src, client.headers, client.timeout)


def schema_tool_endpoints(url: str, headers: Mapping[str, str], timeout: float) -> dict[str, str]:
    """`tool_endpoints` of the app at `url`, without an MCP session: Gradio names a
    tool after its function, not its api_name, so only the schema tells (coverage
    maps tool calls back to endpoints with it)."""
    import httpx

    base = url if url.endswith("/") else url + "/"
    response = httpx.get(
        base + SCHEMA_PATH, headers=dict(headers), timeout=timeout, verify=tls.verify()
    )
    response.raise_for_status()
    found: dict[str, str] = {}
    for entry in response.json():
        endpoint = (entry.get("meta") or {}).get("endpoint_name")
        if isinstance(endpoint, str):
            found[str(entry["name"])] = "/" + endpoint.lstrip("/")
    return found


def assert_tool_matches_endpoint(
    gradio_mcp: GradioMCP,
    gradio_client: Any,
    tool: str,
    arguments: Mapping[str, Any],
    *,
    api_name: str | None = None,
    timeout: float | None = None,
) -> None:
    """Tool `tool` and the API endpoint behind it give the same result for `arguments`
    (Gradio promises that a tool is its endpoint). Both are called, and each output
    compared as Gradio turns it into MCP content: text must equal `str()` of the API
    value; an image must have the same size (Gradio re-encodes it, so its bytes
    differ); another file must have the same bytes at the URL the tool gave. Both
    raising counts as agreeing.

    >>> assert_tool_matches_endpoint(gradio_mcp, gradio_client, "greet", {"name": "Ada"})
    """
    __tracebackhide__ = True
    endpoint = api_name or tool_endpoints(gradio_mcp).get(tool)
    if endpoint is None:
        raise ValueError(
            f"assert_tool_matches_endpoint: the app's MCP schema names no endpoint for tool "
            f"{tool!r}; pass api_name='/...'."
        )
    call = gradio_mcp.call_tool(tool, arguments, progress=False)
    api_arguments = {key: _api_argument(value) for key, value in arguments.items()}
    job = gradio_client.submit(api_name=endpoint, **api_arguments)
    wait_for_job(call, timeout, helper="assert_tool_matches_endpoint")
    wait_for_job(job, timeout, helper="assert_tool_matches_endpoint")
    title = f"assert_tool_matches_endpoint: tool {tool!r} and endpoint {endpoint!r} disagree"
    tool_error, api_error = call.future.exception(0), job.future.exception(0)
    if tool_error is not None or api_error is not None:
        if tool_error is not None and api_error is not None:
            return
        raise AssertionError(
            _both(
                f"{title}: only the {'tool' if tool_error else 'endpoint'} raised.",
                call,
                job,
                f"tool:     {_said(call)}",
                f"endpoint: {_said(job)}",
            )
        )
    result = job.result()
    api_outputs = list(result) if isinstance(result, tuple) else [result]
    tool_outputs = content_values(call.content)
    if len(api_outputs) != len(tool_outputs):
        raise AssertionError(
            _both(
                f"{title}: the tool gave {len(tool_outputs)} output(s), the endpoint "
                f"{len(api_outputs)}.",
                call,
                job,
                f"tool:     {tool_outputs!r}",
                f"endpoint: {api_outputs!r}",
            )
        )
    for index, (mine, theirs) in enumerate(zip(tool_outputs, api_outputs, strict=True)):
        problem = _difference(gradio_mcp, mine, theirs)
        if problem is not None:
            raise AssertionError(
                _both(
                    f"{title} on output {index}: {problem}.", call, job, f"arguments: {arguments!r}"
                )
            )


def _api_argument(value: Any) -> Any:
    if isinstance(value, Path):
        from gradio_client import handle_file

        return handle_file(str(value))
    return value


def _said(job: Any) -> str:
    exc = job.future.exception(0)
    if exc is not None:
        return f"raised {type(exc).__name__}: {exc}"
    return f"returned {job.future.result(0)!r}"


def _both(title: str, call: Any, job: Any, *lines: str) -> str:
    return explain(title, call, *lines) + "\n" + explain("", job).lstrip("\n")


def _file_path(value: Any) -> Path | None:
    if isinstance(value, Mapping) and isinstance(value.get("path"), str):
        value = value["path"]
    if isinstance(value, (str, Path)) and Path(value).is_absolute() and Path(value).is_file():
        return Path(value)
    return None


def _difference(client: GradioMCP, mine: Any, theirs: Any) -> str | None:
    path = _file_path(theirs)
    if path is not None and path.suffix.lower() in IMAGE_SUFFIXES:
        if not isinstance(mine, McpImage):
            return f"the endpoint gave an image ({path.name}), the tool {mine!r}"
        from PIL import Image

        with Image.open(path) as image:
            size = tuple(image.size)
        if mine.size != size:
            return f"the tool's image is {mine.size}, the endpoint's {size}"
        return None
    if path is not None:
        if not isinstance(mine, str) or not mine.startswith(("http://", "https://")):
            return f"the endpoint gave a file ({path.name}), the tool {mine!r}"
        import httpx

        fetched = httpx.get(
            mine, headers=client.headers, timeout=client.timeout, verify=tls.verify()
        )
        if fetched.content != path.read_bytes():
            return (
                f"the file at the tool's URL ({len(fetched.content)} bytes) differs from the "
                f"endpoint's {path.name} ({path.stat().st_size} bytes)"
            )
        return None
    if isinstance(mine, McpImage):
        return f"the tool gave an image, the endpoint {theirs!r}"
    if mine != str(theirs):
        return f"the tool gave {mine!r}, the endpoint {theirs!r} (as text {str(theirs)!r})"
    return None
