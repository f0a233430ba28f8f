// The conformance suite's client: `node tests/mcp/client.mjs <serverUrl>` (Node >= 22). It loads
// the MCP client module the extension ships (dist/mcp/, built from mcp_web/) and drives it with
// Node's own fetch; the suite names the scenario in MCP_CONFORMANCE_SCENARIO and may pass
// arguments in MCP_CONFORMANCE_CONTEXT. What it does is what a user's session does: connect,
// list, call; the scenario server checks the wire.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const moduleDir = process.env.LANTERN_MCP_MODULE_DIR ?? path.join(here, '../../dist/mcp');
const { default: init, McpSession } = await import(path.join(moduleDir, 'mcp_client.js'));
await init({ module_or_path: await readFile(path.join(moduleDir, 'mcp_client_bg.wasm')) });

const url = process.argv[2];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');
const log = (...args) => console.error(`[lantern-mcp ${scenario}]`, ...args);

// Arguments the scenario asked for, by tool name.
const given = new Map((context.toolCalls ?? []).map((call) => [call.name, call.arguments]));
// The arguments a test scenario documents for its tools.
given.set('add_numbers', given.get('add_numbers') ?? { a: 5, b: 3 });

/** Plausible arguments for a tool's required parameters (what a model would fill in). */
function argumentsFor(tool) {
  if (given.has(tool.name)) return given.get(tool.name);
  const schema = tool.inputSchema ?? {};
  const args = {};
  for (const name of schema.required ?? []) {
    const type = schema.properties?.[name]?.type;
    args[name] = type === 'integer' || type === 'number' ? 1 : type === 'boolean' ? true
      : type === 'object' ? {} : type === 'array' ? [] : 'x';
  }
  return args;
}

const session = new McpSession({
  url,
  clientName: 'lantern-conformance',
  // The user accepts every form as it comes; the client fills in the schema's defaults.
  elicit: async (request) => {
    log('elicitation', request.message);
    return { action: 'accept', content: {} };
  },
  notify: (n) => log('notification', JSON.stringify(n)),
});

try {
  const server = await session.connect();
  log('connected', server.protocolVersion, server.name);
  // A 2025-11-25 server may put its own requests (a form to fill) on the GET stream: keep it
  // open while calling, as the extension does.
  session.listen().catch((e) => log('listen', e.code, e.message));
  const { tools, rejected } = await session.listTools();
  for (const r of rejected) log('rejected tool', r.name, r.reason);
  // A tool taking a whole schema echoes one: hand it another tool's schema exactly as listed.
  const echo = tools.find((t) => t.inputSchema?.properties?.schema?.type === 'object');
  for (const tool of tools) {
    const args = tool === echo
      ? { schema: tools.find((t) => t !== echo)?.inputSchema ?? {} }
      : argumentsFor(tool);
    try {
      const result = await session.callTool(tool.name, args, null);
      log('called', tool.name, result.isError ? 'error:' : 'ok:', result.modelText);
    } catch (e) {
      log('call failed', tool.name, e.code, e.message);
    }
  }
  const caps = server.capabilities ?? {};
  if (caps.resources) {
    const resources = await session.listResources().catch((e) => (log(e.message), []));
    if (resources[0]) await session.readResource(resources[0].uri).catch((e) => log(e.message));
  }
  if (caps.prompts) {
    const prompts = await session.listPrompts().catch((e) => (log(e.message), []));
    if (prompts[0]) await session.getPrompt(prompts[0].name, {}).catch((e) => log(e.message));
  }
  await session.close().catch((e) => log('close', e.message));
  process.exit(0);
} catch (e) {
  log('failed', e?.code, e?.message ?? e);
  process.exit(1);
}
