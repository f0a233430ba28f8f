// The offscreen document's MCP host as the extension ships it (dist/mcp/mcp_host.js over the
// mcp_web module) against npm's real server-everything on loopback, under Node: every content
// type a tool result can hold arrives as Lantern carries it (text for the model; images, files
// and links for the user; a server's error as an error), progress reaches the call that asked
// for it, a stopped call ends at once while the session stays usable, and a server that
// announces a new tool list has it listed again for the chat and the options page. No browser or model
// is needed for these; the chat's side of the same path is in mcp_tools.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { startChanging, startEverything } from './lib/mcp_server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const moduleDir = path.join(process.env.LANTERN_DIST ?? path.join(here, '../../dist'), 'mcp');
let serve;
let everything;
let calls = 0;

before(async () => {
  const { default: init } = await import(pathToFileURL(path.join(moduleDir, 'mcp_client.js')));
  // Node's fetch cannot read a file: URL, so the module is started from its bytes here; the
  // host's own init then finds it started.
  await init({ module_or_path: await readFile(path.join(moduleDir, 'mcp_client_bg.wasm')) });
  ({ mcpServe: serve } = await import(pathToFileURL(path.join(moduleDir, 'mcp_host.js'))));
  everything = await startEverything();
  const state = await serve({ type: 'mcp_connect', url: everything.url });
  assert.equal(state.protocol_version, '2025-11-25');
});
after(async () => {
  await everything?.stop();
});

function call(tool, args, onProgress, callId = `call-${++calls}`) {
  // The second argument is the document's embedder (for the built-in memories server), not
  // needed by a user's server.
  return serve({ type: 'mcp_call_tool', url: everything.url, tool, arguments: args, call_id: callId }, undefined, onProgress);
}

test('every content type of a tool result arrives as Lantern carries it', async () => {
  const image = await call('get-tiny-image', {});
  assert.equal(image.is_error, false);
  assert.equal(image.images.length, 1);
  assert.equal(image.images[0].mime_type, 'image/png');
  assert.ok(Buffer.from(image.images[0].data, 'base64').subarray(1, 4).equals(Buffer.from('PNG')));
  // The model reads that an image came, and none of its bytes.
  assert.match(image.text, /Here's the image you requested/);
  assert.match(image.text, /\[The tool returned an image \(image\/png, \d+ bytes\), shown to the user\. You cannot see images\.\]/);
  assert.ok(!image.text.includes(image.images[0].data.slice(0, 40)));

  const gzip = await call('gzip-file-as-resource', {
    name: 'note.txt.gz',
    data: `data:text/plain;base64,${Buffer.from('a lantern in the dark').toString('base64')}`,
    outputType: 'resource',
  });
  assert.equal(gzip.files.length, 1, JSON.stringify(gzip));
  assert.equal(gzip.files[0].name, 'note.txt.gz');
  assert.equal(gzip.files[0].mime_type, 'application/gzip');
  assert.equal(gunzipSync(Buffer.from(gzip.files[0].data, 'base64')).toString(), 'a lantern in the dark');
  assert.match(gzip.text, /\[The tool returned the file .*note\.txt\.gz \(application\/gzip, \d+ bytes\), attached for the user\.\]/);

  const links = await call('get-resource-links', { count: 2 });
  assert.deepEqual(links.links.map((l) => l.name), ['Blob Resource 1', 'Text Resource 2']);
  assert.ok(links.links.every((l) => l.uri.startsWith('demo://') && l.description), JSON.stringify(links.links));
  assert.match(links.text, /\[resource link Text Resource 2: demo:\/\/\S+ \(Resource 2: plaintext resource\)\]/);

  const embedded = await call('get-resource-reference', { resourceType: 'Text', resourceId: 2 });
  assert.equal(embedded.files.length, 0, 'embedded text is text, not a file');
  assert.match(embedded.text, /\[resource demo:\/\/\S+\]\n.*Resource 2/);

  const structured = await call('get-structured-content', { location: 'Chicago' });
  assert.match(structured.text, /Light rain \/ drizzle/);

  const failed = await call('get-resource-reference', { resourceType: 'Video', resourceId: 1 });
  assert.equal(failed.is_error, true);
  assert.match(failed.text, /expected one of "Text"\|"Blob" at resourceType/);
});

test("a server's resources are listed and read as text", async () => {
  const { resources } = await serve({ type: 'mcp_list_resources', url: everything.url });
  const doc = resources.find((r) => r.name === 'architecture.md');
  assert.ok(doc, resources.map((r) => r.name).join(', '));
  assert.equal(doc.uri, 'demo://resource/static/document/architecture.md');
  const read = await serve({ type: 'mcp_read_resource', url: everything.url, uri: doc.uri });
  assert.equal(read.type, 'mcp_resource_text');
  assert.match(read.text, /^# Everything Server – Architecture/);
});

test("a server's prompts are listed and filled with the user's arguments", async () => {
  const { prompts } = await serve({ type: 'mcp_list_prompts', url: everything.url });
  const args = prompts.find((p) => p.name === 'args-prompt');
  assert.ok(args, prompts.map((p) => p.name).join(', '));
  assert.deepEqual(args.arguments.map((a) => [a.name, a.required]), [['city', true], ['state', false]]);
  const filled = await serve({ type: 'mcp_get_prompt', url: everything.url, name: 'args-prompt', arguments: { city: 'Paris' } });
  assert.deepEqual(filled, { type: 'mcp_prompt_text', text: "What's weather in Paris?" });
});

// Waits on the server's reports: bounded, so a report that never comes fails instead of hanging.
test('progress reaches the call that asked, and a stopped call ends at once', { timeout: 60000 }, async () => {
  const reports = [];
  let firstReport;
  const reported = new Promise((resolve) => { firstReport = resolve; });
  const running = call('trigger-long-running-operation', { duration: 10, steps: 5 }, (event) => {
    reports.push(event);
    firstReport();
  }, 'long-1');
  running.catch(() => {});
  await reported;
  assert.deepEqual(reports[0], { type: 'tool_progress', progress: 1, total: 5, message: undefined });
  const stoppedAt = Date.now();
  assert.deepEqual(await serve({ type: 'mcp_cancel_call', call_id: 'long-1' }), { type: 'done' });
  await assert.rejects(running, (error) => error.code === 'cancelled');
  const took = Date.now() - stoppedAt;
  console.log(`# stopped after ${reports.length} of 5 steps, ended ${took} ms after Stop`);
  assert.ok(took < 1000, `${took} ms`);
  assert.ok(reports.length < 5);
  // The session is kept: the next call goes through it.
  const sum = await call('get-sum', { a: 2, b: 3 });
  assert.match(sum.text, /The sum of 2 and 3 is 5/);
});

test('a server that announces a changed tool list has it listed again', async () => {
  const changing = await startChanging();
  try {
    const state = await serve({ type: 'mcp_connect', url: changing.url });
    assert.deepEqual(state.tools.map((t) => t.name), ['first-tool']);
    const names = async () => {
      const { servers } = await serve({ type: 'mcp_tool_lists' });
      return servers.find((s) => s.url === changing.url)?.tools.map((t) => t.name);
    };
    assert.deepEqual(await names(), ['first-tool']);
    assert.equal(await changing.grow(), 'grew 1');
    // The notice comes on the session's own stream; the list follows it.
    const deadline = Date.now() + 10000;
    let now = await names();
    while (now.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      now = await names();
    }
    assert.deepEqual(now, ['first-tool', 'grown-tool']);
    const grown = await serve({ type: 'mcp_call_tool', url: changing.url, tool: 'grown-tool', arguments: {}, call_id: 'grown-1' });
    assert.equal(grown.text, 'grown');
  } finally {
    await changing.stop();
  }
});
