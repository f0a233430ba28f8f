// Privacy, measured: every network request of every context in the browser is logged through
// the DevTools protocol (lib/network_log.mjs) while a user downloads models from a catalog,
// chats with a local model, summarizes a page, dictates, adds an MCP server and a model server
// of their own and chats with it. Every context (Lantern's service worker, offscreen document,
// its workers and theirs, the extension's pages, and the browser's own) may reach only the
// catalog's host and the two servers the user added, the web page only its own site; and the
// page Lantern read gets no request after it has loaded (the content script fetches nothing,
// not even the page's own lazy image).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './lib/lantern.mjs';
import { startMirror, mirrorCatalog } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';
import { saveChatSettings } from './lib/settings.mjs';
import { startLlama } from './lib/llama_server.mjs';
import { startEverything } from './lib/mcp_server.mjs';
import { recordNetwork, originOf } from './lib/network_log.mjs';
import { padWithSilence } from './lib/wav.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLIP = join(here, '..', '..', 'models', 'tests', 'fixtures', 'speech', 'clips', '00-piper.wav');
const SMOL = 'smollm2-135m-instruct-q4_1';

let lantern;
let log;
let mirror;
let llama;
let everything;
let site;
let scratch;
const siteHits = [];

before(async () => {
  assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
  scratch = await mkdtemp(join(tmpdir(), 'lantern-privacy-'));
  const wav = join(scratch, 'sentence.wav');
  padWithSilence(CLIP, wav, 0.5, 2.0);
  [mirror, llama, everything] = await Promise.all([startMirror(), startLlama(SMOL, 'smollm2'), startEverything()]);
  // A web page with an image and a stylesheet of its own: what the page loads is the page's;
  // anything asked of this server after the page loaded would be Lantern reading it.
  site = createServer((req, res) => {
    siteHits.push({ path: req.url, at: Date.now() });
    if (req.url === '/article') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tide pools</title>'
        + '<link rel="stylesheet" href="/style.css"></head><body><article><h1>Tide pools</h1>'
        + '<p>Tide pools form where the sea leaves water behind in hollows of the rock at low tide. '
        + 'Anemones, crabs, snails and small fish live in them and must survive heat, fresh rain and waves.</p>'
        + '<img src="/photo.png" alt="A tide pool at dusk" loading="lazy" style="margin-top:3000px">'
        + '<p>Visitors should step only on bare rock, put back every stone they turn and never take animals home.</p>'
        + '<a href="/more">More about the shore</a></article></body></html>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  lantern = await launch({
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`],
  });
  log = await recordNetwork(lantern);
});
after(async () => {
  await log?.stop();
  await lantern?.close();
  await Promise.all([mirror?.stop(), llama?.kill(), everything?.stop()]);
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('downloading, chatting, summarizing, dictating and two servers of the user\'s: Lantern reaches only those', async () => {
  await lantern.closeWelcome();
  const siteOrigin = `http://127.0.0.1:${site.address().port}`;
  const allowed = new Set([mirror.origin, new URL(llama.url).origin, new URL(everything.url).origin]);

  // Downloads from the chosen catalog.
  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  await installClient(options);
  const chosen = await request(options, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
  assert.equal(chosen.final.kind, 'return', JSON.stringify(chosen.final));
  for (const id of [SMOL, 'whisper-tiny.en', 'whisper-assets']) {
    const installed = (await request(options, 'offscreen', { type: 'download_model', model_id: id })).final;
    assert.equal(installed.kind, 'return', JSON.stringify(installed));
  }
  await saveChatSettings(lantern, { temperature: 0, maxTokens: 24 });

  // The user's MCP server and model server.
  const tools = options.locator('section.tools-card');
  await tools.getByLabel('Server address').fill(everything.url);
  await tools.getByRole('button', { name: 'Add server' }).click();
  await tools.locator(`li.tool-server[data-url="${everything.url}"][data-state="connected"]`).waitFor({ timeout: 20000 });
  const servers = options.locator('section.servers-card');
  await servers.getByLabel('Server address').fill(llama.url);
  await servers.getByLabel('Name (optional)').fill('box');
  await servers.getByRole('button', { name: 'Add server' }).click();
  await servers.locator(`li.model-server[data-url="${llama.url}"] li.server-model[data-model="smollm2"]`).waitFor({ timeout: 30000 });
  await options.close();

  // A local chat.
  const panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 1000 });
  const chat = panel.locator('section[aria-labelledby="chat-heading"]');
  const idle = () => chat.locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 120000 });
  const box = panel.getByRole('textbox', { name: 'Message' });
  const noError = async () => {
    const error = panel.locator('section.chat .error-box');
    assert.equal(await error.count(), 0, await error.innerText().catch(() => ''));
  };
  await box.fill('What is the capital of France?');
  await box.press('Enter');
  await idle();
  await noError();

  // A page summary.
  const page = await lantern.context.newPage();
  await page.goto(`${siteOrigin}/article`);
  await page.waitForLoadState('networkidle');
  const loaded = siteHits.length;
  const sw = await lantern.serviceWorker();
  const tab = await sw.evaluate(async (url) => (await chrome.tabs.query({ url }))[0], `${siteOrigin}/article`);
  await sw.evaluate((id) => chrome.tabs.update(id, { active: true }), tab.id);
  await panel.getByRole('button', { name: 'Summarize this page' }).click();
  await panel.locator('.message.summary.streaming').waitFor({ timeout: 30000 });
  await idle();
  await noError();

  // Dictation (the fake microphone speaks a sentence).
  await box.fill('');
  await panel.getByRole('button', { name: 'Dictate', exact: true }).click();
  await panel.waitForFunction(() => document.querySelector('textarea').value.trim().length > 0, null, { timeout: 120000 })
    .catch(async (error) => {
      for (const c of log.contexts) console.log(`# context ${c.type} ${c.url} network ${c.network}`);
      console.log(`# dictate status: ${await panel.locator('.dictate-status').innerText().catch(() => '?')}`);
      throw error;
    });

  // A chat on the user's model server.
  await panel.getByRole('button', { name: 'New chat' }).click();
  await panel.locator('select.model-picker').selectOption({ label: 'smollm2 · box' });
  await box.fill('Name one colour.');
  await box.press('Enter');
  await idle();
  await noError();
  await page.close();
  await panel.close();
  await log.stop();

  // What was seen, by kind of context and where it went.
  const isLantern = (context) => context.url.includes(lantern.id);
  const table = new Map();
  for (const r of log.requests) {
    const key = `${isLantern(r.context) ? 'lantern' : 'web'} ${r.context.type} -> ${originOf(r.url)}`;
    table.set(key, (table.get(key) ?? 0) + 1);
  }
  console.log(`# ${log.contexts.length} contexts (${[...new Set(log.contexts.map((c) => c.type))].join(', ')}), ${log.requests.length} requests`);
  for (const [key, count] of [...table].sort()) console.log(`#   ${count} ${key}`);

  // The log reaches every kind of Lantern context, and sees the traffic that must be there.
  const lanternKinds = new Set(log.contexts.filter(isLantern).map((c) => c.type));
  for (const kind of ['service_worker', 'page', 'worker']) assert.ok(lanternKinds.has(kind), `no Lantern ${kind} was logged: ${[...lanternKinds]}`);
  assert.ok(log.contexts.some((c) => c.url.endsWith('/offscreen/offscreen.html')), 'the offscreen document was logged');
  const unwatched = log.contexts.filter((c) => !c.network);
  assert.deepEqual(unwatched, [], 'every context had its network watched');
  assert.deepEqual(log.contexts.filter((c) => !c.url), [], 'every context is known by its address');
  const fromLantern = log.requests.filter((r) => isLantern(r.context));
  const sawUrl = (pattern) => fromLantern.some((r) => pattern.test(r.url));
  assert.ok(sawUrl(/\/catalog\.json$/), 'the catalog fetch was logged');
  assert.ok(sawUrl(/\.gguf/), 'the model download was logged');
  assert.ok(sawUrl(/\/v1\/chat\/completions$/), 'the model server chat was logged');
  assert.ok(fromLantern.some((r) => r.url.startsWith(everything.url)), 'the MCP server was logged');

  // And nothing else: every request of every context stays in the browser or goes to the
  // catalog's host or a server the user added; only the web page itself may ask its own site.
  const inBrowser = ['chrome-extension:', 'chrome:', 'data:', 'blob:', 'about:'];
  const elsewhere = log.requests.filter((r) => {
    const origin = originOf(r.url);
    if (inBrowser.includes(origin) || allowed.has(origin)) return false;
    return !(origin === siteOrigin && r.context.type === 'page' && r.context.url.startsWith(siteOrigin));
  });
  assert.deepEqual(elsewhere.map((r) => `${r.context.type} ${r.context.url}: ${r.method} ${r.url}`), []);
  // Requests whose context was never known would slip past the check above.
  assert.deepEqual(log.requests.filter((r) => r.context.type === '?').map((r) => r.url), []);
  // The page made its own requests while loading; Lantern reading it asked for nothing.
  assert.deepEqual(siteHits.slice(loaded).map((h) => h.path), []);
  assert.ok(!log.requests.some((r) => !isLantern(r.context) && r.url.startsWith(siteOrigin) && r.url.endsWith('/photo.png')),
    'the page\'s lazy image below the fold was never loaded');
});
