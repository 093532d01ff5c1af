"""Testing the face a Gradio app shows to agents: its MCP server (the `[mcp]` extra).

`GradioMCP` (session.py) is a synchronous MCP client whose tool calls are recorded
jobs (`ToolCall`, recording.py); `mcp_contract` and `assert_tool_matches_endpoint`
(contract.py) check what agents see. Nothing here imports the MCP library, gradio or
pydantic until it is used.

Why the name does not shadow the MCP library: imports are absolute, so `import mcp`
in these modules is the library, and this package is `pytest_gradio.mcp`.
"""
