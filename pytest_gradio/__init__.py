"""pytest-gradio: test Gradio apps with recorded job timelines and assertion helpers.

The public names are loaded lazily (PEP 562) so that loading the pytest plugin, which
imports this package, stays cheap: gradio_client is imported on first use of a name
that needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    AppLoadError,
    AppLoginError,
    AppSpecError,
    AppStartError,
    AppUnreachableError,
    EndpointArgumentsError,
    EndpointNotFoundError,
    GradioTestError,
    GradioTestWarning,
    JobStreamError,
    JobTimeoutError,
    McpUnavailableError,
    NotAGradioAppError,
    ToolNotFoundError,
    UnsupportedComponentError,
)
from .matchers import File, Regex

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .apps.base import GradioApp
    from .assertions import (
        assert_job_error,
        assert_job_logs,
        assert_job_outputs,
        assert_job_progress,
        assert_job_result,
        assert_job_statuses,
    )
    from .client.recording import GradioClient, RecordedJob
    from .client.waiting import wait_for_job
    from .fuzzing import FuzzResult, fuzz_endpoint
    from .mcp_client.contract import assert_tool_matches_endpoint, mcp_contract
    from .mcp_client.recording import McpImage, ToolCall, ToolError
    from .mcp_client.session import GradioMCP
    from .options import AppOptions
    from .snapshot import GradioSnapshotExtension, api_contract
    from .timeline import Event, ProgressStep, Timeline

__all__ = [
    "AppLoadError",
    "AppLoginError",
    "AppOptions",
    "AppSpecError",
    "AppStartError",
    "AppUnreachableError",
    "EndpointArgumentsError",
    "EndpointNotFoundError",
    "Event",
    "File",
    "FuzzResult",
    "GradioApp",
    "GradioClient",
    "GradioMCP",
    "GradioSnapshotExtension",
    "GradioTestError",
    "GradioTestWarning",
    "JobStreamError",
    "JobTimeoutError",
    "McpImage",
    "McpUnavailableError",
    "NotAGradioAppError",
    "ProgressStep",
    "RecordedJob",
    "Regex",
    "Timeline",
    "ToolCall",
    "ToolError",
    "ToolNotFoundError",
    "UnsupportedComponentError",
    "api_contract",
    "assert_job_error",
    "assert_job_logs",
    "assert_job_outputs",
    "assert_job_progress",
    "assert_job_result",
    "assert_job_statuses",
    "assert_tool_matches_endpoint",
    "fuzz_endpoint",
    "mcp_contract",
    "wait_for_job",
]

_LAZY = {
    "assert_job_error": "assertions",
    "assert_job_logs": "assertions",
    "assert_job_outputs": "assertions",
    "assert_job_progress": "assertions",
    "assert_job_result": "assertions",
    "assert_job_statuses": "assertions",
    "wait_for_job": "client.waiting",
    "fuzz_endpoint": "fuzzing",
    "FuzzResult": "fuzzing",
    "Event": "timeline",
    "GradioClient": "client.recording",
    "ProgressStep": "timeline",
    "RecordedJob": "client.recording",
    "Timeline": "timeline",
    "GradioSnapshotExtension": "snapshot",
    "api_contract": "snapshot",
    "AppOptions": "options",
    "GradioApp": "apps.base",
    "GradioMCP": "mcp_client.session",
    "McpImage": "mcp_client.recording",
    "ToolCall": "mcp_client.recording",
    "ToolError": "mcp_client.recording",
    "assert_tool_matches_endpoint": "mcp_client.contract",
    "mcp_contract": "mcp_client.contract",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_gradio' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
