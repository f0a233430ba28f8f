// The offscreen document's side of MCP servers (imported by the engine's glue, which calls
// `mcpServe` for `mcp_connect`, `mcp_call_tool`, `mcp_cancel_call`, `mcp_tool_lists`,
// `mcp_list_resources`, `mcp_read_resource`, `mcp_list_prompts` and `mcp_get_prompt`):
// one session per server address, kept while the document lives, in the MCP client module
// beside this file. The user's servers are reached by fetch; the built-in ones
// (`lantern:calculator`, `lantern:memories`, `lantern:files`) in-process, the memories server
// keeping its memories in this extension's IndexedDB (`lantern-memories`) and embedding through
// the function the document passes, the files server its files in the origin-private file
// system (`files_store.js`). A server's tool list is listed again when the server announces
// a change (2025-11-25) or refuses a tool as unknown (how a stateless 2026-07-28 server shows
// it). Answers are `Response` values; failures reject with the client's `{code, message}`.
import init, { McpSession } from './mcp_client.js';
import { listFiles, readFile, writeFile, deleteFile } from './files_store.js';

let ready = null;
/** address -> Promise<{session, server, tools, rejected}> */
const sessions = new Map();
/** address -> the same object once connected (its tools replaced when listed again) */
const connected = new Map();
/** call id -> () => void, stopping that call */
const running = new Map();
/** Calls stopped before they started (Stop pressed while the session was connecting). */
const stoppedEarly = new Set();
/** JSON of a progress token -> (progress) => void, for the call that sent it */
const progressRoutes = new Map();
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

const files = { list: listFiles, read: readFile, write: writeFile, delete: deleteFile };

function embed(model, texts) {
  if (!embedder) return Promise.reject(new Error('no embeddings engine is available'));
  return embedder(model, texts);
}

function start(url, remembered) {
  ready ??= init({ module_or_path: new URL('./mcp_client_bg.wasm', import.meta.url) });
  const connecting = ready.then(async () => {
    // Set once listed: notices that come while connecting need no second list.
    let entry = null;
    // No form is filled without a page to show it on yet: elicitations are declined.
    const session = new McpSession({
      url,
      remembered: remembered ?? undefined,
      clientName: 'lantern',
      memories,
      embed,
      files,
      // Progress goes to the call whose token it names; a changed tool list is listed again.
      notify: (notice) => {
        if (notice.type === 'progress') progressRoutes.get(JSON.stringify(notice.progress.progressToken))?.(notice.progress);
        if (notice.type === 'tools_list_changed') relist(url, entry);
      },
    });
    const server = await session.connect();
    // A 2025-11-25 server sends its own requests and list changes on this stream.
    session.listen().catch(() => {});
    const { tools, rejected } = await session.listTools();
    entry = { session, server, tools, rejected, relisting: null };
    connected.set(url, entry);
    return entry;
  });
  sessions.set(url, connecting);
  // A failed connection is not kept: the next request tries again.
  connecting.catch(() => { if (sessions.get(url) === connecting) drop(url); });
  return connecting;
}

function drop(url) {
  sessions.delete(url);
  connected.delete(url);
}

/** Lists a connected server's tools again (one listing at a time; a failure keeps the old list). */
function relist(url, entry) {
  if (!entry || connected.get(url) !== entry) return;
  entry.relisting = (entry.relisting ?? Promise.resolve()).then(async () => {
    try {
      const { tools, rejected } = await entry.session.listTools();
      entry.tools = tools;
      entry.rejected = rejected;
    } catch {
      // The next connection lists them anyway.
    }
  });
}

/** Whether a failed call says the server does not know the tool (invalid params, -32602). */
function unknownTool(failure) {
  return failure?.rpc_code === -32602 || /unknown tool|tool .* not found/i.test(failure?.message ?? '');
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

/** The last part of a resource's address, as a file name for the user. */
function fileName(uri) {
  const path = String(uri).split(/[?#]/)[0];
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'resource';
}

/** A result as Lantern carries it: the model's text, and the bytes and links for the user. */
function resultOf(result) {
  const blocks = result.content ?? [];
  const media = (type) => blocks.filter((c) => c.type === type).map((c) => ({ mime_type: c.mimeType, data: c.data }));
  return {
    type: 'mcp_tool_result',
    text: result.modelText ?? '',
    is_error: Boolean(result.isError),
    images: media('image'),
    audio: media('audio'),
    files: blocks
      .filter((c) => c.type === 'resource' && typeof c.resource?.blob === 'string')
      .map((c) => ({
        mime_type: c.resource.mimeType ?? 'application/octet-stream',
        data: c.resource.blob,
        name: fileName(c.resource.uri),
      })),
    links: blocks
      .filter((c) => c.type === 'resource_link')
      .map((c) => ({ uri: c.uri, name: c.name, description: c.description ?? undefined })),
  };
}

async function call({ url, remembered, tool, arguments: args, call_id: callId }, onProgress) {
  let stop;
  const stopped = new Promise((resolve) => { stop = resolve; });
  if (callId) running.set(callId, stop);
  if (callId && stoppedEarly.delete(callId)) stop();
  // The call id doubles as the progress token: the server's reports name it.
  const token = callId || null;
  if (token) progressRoutes.set(JSON.stringify(token), onProgress);
  try {
    const entry = await Promise.race([
      sessions.get(url) ?? start(url, remembered),
      stopped.then(() => { throw { code: 'cancelled', message: 'the request was cancelled' }; }),
    ]);
    let result;
    try {
      result = await entry.session.callTool(tool, args ?? {}, token, stopped);
    } catch (error) {
      if (unknownTool(error)) relist(url, entry);
      throw error;
    }
    if (result.isError && unknownTool({ message: result.modelText })) relist(url, entry);
    return resultOf(result);
  } finally {
    if (callId) running.delete(callId);
    if (token) progressRoutes.delete(JSON.stringify(token));
  }
}

/** The session of a server, connected when there is none (a restarted document, a new server). */
async function sessionOf({ url, remembered }) {
  return (await (sessions.get(url) ?? start(url, remembered))).session;
}

/** A resource's contents as text for the model: text parts as they are, a binary part named. */
function resourceText(read) {
  return (read.contents ?? [])
    .map((c) => (typeof c.text === 'string' ? c.text : `[binary ${c.mimeType ?? 'data'}: ${c.uri}]`))
    .join('\n');
}

/** `embedWith(model, texts)` embeds for the memories server (the document's embeddings
 *  worker); `onProgress({progress, total, message})` hears the server's reports on a tool call. */
export async function mcpServe(request, embedWith, onProgress) {
  embedder = embedWith ?? embedder;
  switch (request.type) {
    case 'mcp_connect': {
      // Asked again, the server is connected afresh (a restarted server, a changed tool list).
      const old = sessions.get(request.url);
      drop(request.url);
      old?.then(({ session }) => session.close()).catch(() => {});
      return stateOf(request.url, await start(request.url, request.remembered));
    }
    case 'mcp_call_tool':
      try {
        return await call(request, (p) => onProgress?.({
          type: 'tool_progress',
          progress: p.progress,
          total: p.total ?? undefined,
          message: p.message ?? undefined,
        }));
      } catch (error) {
        // A server that restarted forgot the session; one that died must be reached anew.
        // Either way the session is dropped, so the next call connects again. A call the
        // user stopped says nothing about the server.
        if (error?.code !== 'cancelled' && !unknownTool(error)) drop(request.url);
        throw error;
      }
    case 'mcp_cancel_call': {
      const stop = running.get(request.call_id);
      if (stop) stop();
      else stoppedEarly.add(request.call_id);
      return { type: 'done' };
    }
    case 'mcp_list_resources': {
      const resources = await (await sessionOf(request)).listResources();
      return {
        type: 'mcp_resources',
        resources: resources.map((r) => ({
          uri: r.uri,
          name: r.name,
          description: r.description ?? undefined,
          mime_type: r.mimeType ?? undefined,
        })),
      };
    }
    case 'mcp_read_resource': {
      const read = await (await sessionOf(request)).readResource(request.uri);
      return { type: 'mcp_resource_text', uri: request.uri, text: resourceText(read) };
    }
    case 'mcp_list_prompts': {
      const prompts = await (await sessionOf(request)).listPrompts();
      return {
        type: 'mcp_prompts',
        prompts: prompts.map((p) => ({
          name: p.name,
          description: p.description ?? undefined,
          arguments: (p.arguments ?? []).map((a) => ({
            name: a.name,
            description: a.description ?? undefined,
            required: Boolean(a.required),
          })),
        })),
      };
    }
    case 'mcp_get_prompt': {
      const got = await (await sessionOf(request)).getPrompt(request.name, request.arguments ?? {});
      // The text of its messages, for the user to read and send; anything else is named.
      const text = (got.messages ?? [])
        .map((m) => (m.content?.type === 'text' ? m.content.text : `[${m.content?.type ?? 'content'}]`))
        .join('\n\n');
      return { type: 'mcp_prompt_text', text };
    }
    case 'mcp_tool_lists': {
      const entries = [...connected];
      await Promise.all(entries.map(([, entry]) => entry.relisting));
      return { type: 'mcp_servers', servers: entries.map(([url, entry]) => stateOf(url, entry)) };
    }
    default:
      throw { code: 'protocol', message: `not an MCP request: ${request.type}` };
  }
}
