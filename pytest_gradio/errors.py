"""The plugin's exceptions: one base class, one subclass per kind of failure.

Every message names the input, where it came from, and what to do about it.
"""

from __future__ import annotations


class GradioTestError(Exception):
    """Base class of every error pytest-gradio raises on purpose."""


class GradioTestWarning(UserWarning):
    """Warnings pytest-gradio issues (turned into errors in the project's own tests)."""


class AppSpecError(GradioTestError, ValueError):
    """The app spec is missing, malformed, or points at nothing."""


class AppLoadError(GradioTestError):
    """The app's script or module could not be imported, or holds no usable Blocks."""


class AppStartError(GradioTestError):
    """The app could not be started, or did not answer in time."""


class NotAGradioAppError(AppStartError):
    """A URL answered, but not as a Gradio app."""


class AppLoginError(AppStartError):
    """An app that asks for a login (`launch(auth=...)`) was given no credentials, or
    refused the ones it was given."""


class AppUnreachableError(GradioTestError, ConnectionError):
    """A job could not reach its app: the app stopped answering (its process ended,
    its port closed, or the connection to it broke). Raised by `job.result()` and
    `predict()` on both transports, naming the app and its URL (stock gradio_client
    raises the bare `httpx.ConnectError` / `httpx.ReadError`)."""


class EndpointNotFoundError(GradioTestError, ValueError):
    """A job was submitted to an api_name or fn_index the app does not have."""


class EndpointArgumentsError(GradioTestError, TypeError):
    """A job was submitted with more positional arguments than its endpoint takes
    (stock gradio_client sends them, and the server drops them)."""


class JobTimeoutError(GradioTestError, TimeoutError):
    """A job did not finish within the wait bound."""


class JobStreamError(GradioTestError, RuntimeError):
    """A job ended without its result because its event stream from the server broke,
    the server ended it (`unexpected_error`), or it carried a message the client cannot
    read. Raised by `job.result()` on both transports, and recorded as the job's end."""


class McpUnavailableError(GradioTestError):
    """`gradio_mcp` cannot talk MCP to the app: the MCP client library (the `[mcp]`
    extra) is not installed, or the app does not run Gradio's MCP server."""


class ToolNotFoundError(EndpointNotFoundError):
    """A tool call named a tool the app's MCP server does not list."""


class UnsupportedComponentError(GradioTestError, TypeError):
    """`pytest_gradio.strategies` cannot generate values for an endpoint's input: a
    component kind it does not know, or an `overrides` key that names no parameter.
    The message names the component, its kind and the endpoint, and how to supply a
    strategy (`overrides={"param": strategy}`)."""
