// A small MCP server whose tool list changes when a test asks (`GET /grow` adds the tool
// `grown-tool` to every session, which the SDK announces with notifications/tools/list_changed
// on the session's stream), built on the official TypeScript SDK that server-everything runs
// on (2025-11-25, Streamable HTTP with sessions). Run as a child process: `node
// changing_mcp_server.mjs PORT`; it prints "listening" once it accepts connections.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const port = Number(process.argv[2]);
/** session id -> {transport, server} */
const sessions = new Map();

function newSession() {
  const server = new McpServer({ name: 'changing', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
  server.registerTool('first-tool', { description: 'Says hello.', inputSchema: {} }, async () => ({
    content: [{ type: 'text', text: 'hello' }],
  }));
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => sessions.set(id, { transport, server }),
  });
  transport.onclose = () => sessions.delete(transport.sessionId);
  return { server, transport };
}

createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/grow') {
    for (const { server } of sessions.values()) {
      if (!server.isConnected()) continue;
      server.registerTool('grown-tool', { description: 'Appeared later.', inputSchema: {} }, async () => ({
        content: [{ type: 'text', text: 'grown' }],
      }));
    }
    res.end(`grew ${sessions.size}`);
    return;
  }
  if (path !== '/mcp') {
    res.statusCode = 404;
    res.end();
    return;
  }
  const id = req.headers['mcp-session-id'];
  try {
    if (id && sessions.has(id)) {
      await sessions.get(id).transport.handleRequest(req, res);
    } else if (!id && req.method === 'POST') {
      const { server, transport } = newSession();
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } else {
      res.statusCode = id ? 404 : 400;
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'no such session' } }));
    }
  } catch (error) {
    if (!res.headersSent) res.statusCode = 500;
    res.end(String(error));
  }
}).listen(port, '127.0.0.1', () => console.log('listening'));
