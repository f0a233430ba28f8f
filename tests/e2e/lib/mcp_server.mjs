// Starts npm's @modelcontextprotocol/server-everything (Streamable HTTP, the 2025-11-25
// protocol) on a free loopback port, as a user runs it, for the end-to-end tests; and
// changing_mcp_server.mjs, whose tool list grows when a test asks.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..', '..');
const ENTRY = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Runs the server; `url` is its MCP endpoint, `stop()` kills it (a server that died). */
export async function startEverything(port) {
  port ??= await freePort();
  const child = spawn(process.execPath, ['--import', join(here, 'loopback_only.mjs'), ENTRY, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}/mcp`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server-everything exited: ${log}`);
    try {
      await fetch(url, { method: 'GET' });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`server-everything did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    port,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs one of the test servers beside this file (`node SCRIPT PORT`, printing "listening"). */
async function startScript(script) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(here, script), String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      log += d;
      if (log.includes('listening')) resolve();
    });
    child.stderr.on('data', (d) => { log += d; });
    child.once('exit', () => reject(new Error(`${script} exited: ${log}`)));
  });
  await listening;
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs changing_mcp_server.mjs; `grow()` adds `grown-tool` to its sessions' tool lists. */
export async function startChanging() {
  const { origin, stop } = await startScript('changing_mcp_server.mjs');
  return {
    url: `${origin}/mcp`,
    async grow() {
      const answer = await fetch(`${origin}/grow`);
      return answer.text();
    },
    stop,
  };
}

/** Runs inbox_mcp_server.mjs; `calls()` lists every tool call that reached it. */
export async function startInbox() {
  const { origin, stop } = await startScript('inbox_mcp_server.mjs');
  return {
    url: `${origin}/mcp`,
    calls: async () => (await fetch(`${origin}/calls`)).json(),
    stop,
  };
}
