"""Testing the face a Gradio app shows to agents: its MCP server (the `[mcp]` extra).

`GradioMCP` (session.py) is a synchronous MCP client whose tool calls are recorded
jobs (`ToolCall`, recording.py); `mcp_contract` and `assert_tool_matches_endpoint`
(contract.py) check what agents see. Nothing here imports the MCP library, gradio or
pydantic until it is used.

Why not `pytest_gradio.mcp`: with the package's own directory on sys.path (as the
subprocess bootstrap once put it), `import mcp` would find this package instead of
the MCP library.
"""
