// The offscreen document's side of the user's MCP servers (imported by the engine's glue, which
// calls `mcpServe` for `mcp_connect` and `mcp_call_tool`): one session per server address, kept
// while the document lives, in the MCP client module beside this file. Answers are `Response`
// values; failures reject with the client's `{code, message}`.
import init, { McpSession } from './mcp_client.js';

let ready = null;
/** address -> Promise<{session, server, tools, rejected}> */
const sessions = new Map();

function start(url, remembered) {
  ready ??= init({ module_or_path: new URL('./mcp_client_bg.wasm', import.meta.url) });
  const connecting = ready.then(async () => {
    // No form is filled without a page to show it on yet: elicitations are declined.
    const session = new McpSession({ url, remembered: remembered ?? undefined, clientName: 'lantern' });
    const server = await session.connect();
    // A 2025-11-25 server sends its own requests and list changes on this stream.
    session.listen().catch(() => {});
    const { tools, rejected } = await session.listTools();
    return { session, server, tools, rejected };
  });
  sessions.set(url, connecting);
  // A failed connection is not kept: the next request tries again.
  connecting.catch(() => { if (sessions.get(url) === connecting) sessions.delete(url); });
  return connecting;
}

function stateOf(url, { server, tools, rejected }) {
  return {
    type: 'mcp_server',
    url,
    protocol_version: server.protocolRevision ?? server.protocolVersion,
    name: server.name ?? '',
    version: server.version ?? '',
    tools: tools.map((t) => ({
      name: t.name,
      title: t.title ?? undefined,
      description: t.description ?? undefined,
      input_schema: t.inputSchema ?? { type: 'object' },
    })),
    rejected: rejected.map((r) => `${r.name}: ${r.reason}`),
  };
}

async function call(url, remembered, tool, args) {
  const { session } = await (sessions.get(url) ?? start(url, remembered));
  const result = await session.callTool(tool, args ?? {}, null);
  return {
    type: 'mcp_tool_result',
    text: result.modelText ?? '',
    is_error: Boolean(result.isError),
    images: (result.content ?? [])
      .filter((c) => c.type === 'image')
      .map((c) => ({ mime_type: c.mimeType, data: c.data })),
  };
}

export async function mcpServe(request) {
  switch (request.type) {
    case 'mcp_connect': {
      // Asked again, the server is connected afresh (a restarted server, a changed tool list).
      const old = sessions.get(request.url);
      sessions.delete(request.url);
      old?.then(({ session }) => session.close()).catch(() => {});
      return stateOf(request.url, await start(request.url, request.remembered));
    }
    case 'mcp_call_tool':
      try {
        return await call(request.url, request.remembered, request.tool, request.arguments);
      } catch (error) {
        // A server that restarted forgot the session; one that died must be reached anew.
        // Either way the session is dropped, so the next call connects again.
        sessions.delete(request.url);
        throw error;
      }
    default:
      throw { code: 'protocol', message: `not an MCP request: ${request.type}` };
  }
}
