// A server on PyPI's `mcp` 2.3.0 (tests/e2e/lib/python_mcp_server.py, in the environment
// `cargo xtask test` installs under target/python-mcp): Lantern's client module (dist/mcp/, the
// one the extension ships) chooses the newest protocol with it; and from the extension, whose
// requests Chromium sends with `Origin: chrome-extension://…`, the package's default Origin check
// refuses Lantern, which the options page says in words the user can act on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, screenshot } from './lib/lantern.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = process.env.LANTERN_DIST ?? join(here, '..', '..', 'dist');
const PYTHON = process.env.LANTERN_PYTHON_MCP;
let server;
let url;
let lantern;

async function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

before(async () => {
  assert.ok(PYTHON, 'LANTERN_PYTHON_MCP is not set: `cargo xtask test` installs PyPI mcp 2.3.0 into target/python-mcp');
  const port = await freePort();
  url = `http://127.0.0.1:${port}/mcp`;
  let log = '';
  server = spawn(PYTHON, [join(here, 'lib/python_mcp_server.py'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 30000;
  while (!log.includes('Uvicorn running')) {
    assert.ok(server.exitCode === null, `the Python server exited: ${log}`);
    assert.ok(Date.now() < deadline, `the Python server did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  lantern = await launch();
  await lantern.closeWelcome();
});
after(async () => {
  await lantern?.close();
  server?.kill('SIGKILL');
});

test('the shipped client module chooses 2026-07-28 with a PyPI mcp 2.3.0 server and calls its tool', async () => {
  const { default: init, McpSession } = await import(join(DIST, 'mcp/mcp_client.js'));
  await init({ module_or_path: await readFile(join(DIST, 'mcp/mcp_client_bg.wasm')) });
  const session = new McpSession({ url });
  const described = await session.connect();
  assert.equal(described.protocolVersion, '2026-07-28');
  assert.equal(described.name, 'lantern-python-test');
  const { tools } = await session.listTools();
  assert.deepEqual(tools.map((t) => t.name), ['add']);
  const result = await session.callTool('add', { a: 2, b: 40 }, null);
  assert.equal(result.modelText, '2 + 40 = 42');
});

test('from the extension its Origin refusal is a specific message, and the Origin switch fixes it', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1200 });
  const card = options.locator('section.tools-card');
  await card.getByLabel('Server address').fill(url);
  await card.getByRole('button', { name: 'Add server' }).click();
  const error = card.locator('p.error[data-code="ToolServerRefusedOrigin"]');
  await error.waitFor({ timeout: 20000 });
  const text = await error.innerText();
  console.log(`# ${text}`);
  assert.match(text, /refused Lantern's requests because of their Origin header \(HTTP 403\)/);
  assert.match(text, /Invalid Origin header/);
  await screenshot(options, 'mcp-origin-refused');
  // The server is kept with its switch: a session rule drops the header from Lantern's requests.
  const server = card.locator(`li.tool-server[data-url="${url}"]`);
  await server.getByLabel(/Send no Origin header/).check();
  await server.locator('xpath=self::*[@data-state="connected"]').waitFor({ timeout: 20000 });
  assert.match(await server.locator('.tool-server-state').innerText(), /Connected \(protocol 2026-07-28\)/);
  assert.deepEqual(await server.locator('li.tool').evaluateAll((items) => items.map((i) => i.dataset.tool)), ['add']);
  await screenshot(options, 'mcp-origin-switch');
  await options.close();
});
