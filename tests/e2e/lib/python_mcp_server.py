"""A small MCP server on PyPI's `mcp` package (Streamable HTTP on 127.0.0.1), as a user writes
one, for the end-to-end tests: one tool, the package's default Origin checks left on.

Usage: python python_mcp_server.py PORT
"""

import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("lantern-python-test")


@server.tool()
def add(a: int, b: int) -> str:
    """Adds two integers."""
    return f"{a} + {b} = {a + b}"


server.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
