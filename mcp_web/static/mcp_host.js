// The offscreen document's side of MCP servers (imported by the engine's glue, which calls
// `mcpServe` for `mcp_connect` and `mcp_call_tool`): one session per server address, kept while
// the document lives, in the MCP client module beside this file. The user's servers are reached
// by fetch; the built-in ones (`lantern:calculator`, `lantern:memories`) in-process, the
// memories server keeping its memories in this extension's IndexedDB (`lantern-memories`) and
// embedding through the function the document passes. Answers are `Response` values; failures
// reject with the client's `{code, message}`.
import init, { McpSession } from './mcp_client.js';

let ready = null;
/** address -> Promise<{session, server, tools, rejected}> */
const sessions = new Map();
/** `(model, texts) => Promise<number[][]>` from the document: the embeddings worker. */
let embedder = null;

const MEMORY_DB = 'lantern-memories';
const MEMORY_STORE = 'memories';
let memoryDb = null;

/** Opens `lantern-memories` at `version` (the current one when undefined), making the store. */
function openMemoryDb(version) {
  return new Promise((resolve, reject) => {
    const open = version === undefined ? indexedDB.open(MEMORY_DB) : indexedDB.open(MEMORY_DB, version);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(MEMORY_STORE)) {
        open.result.createObjectStore(MEMORY_STORE, { keyPath: 'id' });
      }
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

function openMemories() {
  memoryDb ??= (async () => {
    const db = await openMemoryDb();
    if (db.objectStoreNames.contains(MEMORY_STORE)) return db;
    // Someone opened the database without making the store (a page reading it before any
    // memory existed): one version up makes it.
    const version = db.version + 1;
    db.close();
    return openMemoryDb(version);
  })();
  // A failed open is not kept: the next call tries again.
  memoryDb.catch(() => { memoryDb = null; });
  return memoryDb;
}

/** One request on the memories store, in its own transaction, settled when that commits. */
async function onMemories(mode, act) {
  const db = await openMemories();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(MEMORY_STORE, mode);
    const request = act(tx.objectStore(MEMORY_STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
  });
}

const memories = {
  put: (memory) => onMemories('readwrite', (s) => s.put(memory)).then(() => null),
  all: () => onMemories('readonly', (s) => s.getAll()),
  delete: async (id) => {
    const found = await onMemories('readonly', (s) => s.getKey(id));
    if (found === undefined) return false;
    await onMemories('readwrite', (s) => s.delete(id));
    return true;
  },
};

function embed(model, texts) {
  if (!embedder) return Promise.reject(new Error('no embeddings engine is available'));
  return embedder(model, texts);
}

function start(url, remembered) {
  ready ??= init({ module_or_path: new URL('./mcp_client_bg.wasm', import.meta.url) });
  const connecting = ready.then(async () => {
    // No form is filled without a page to show it on yet: elicitations are declined.
    const session = new McpSession({ url, remembered: remembered ?? undefined, clientName: 'lantern', memories, embed });
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

export async function mcpServe(request, embedWith) {
  embedder = embedWith ?? embedder;
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
