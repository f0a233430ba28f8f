// Malformed and unauthorised messages get typed error replies and leave the router working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, sendFrom } from './lib/lantern.mjs';
import { serve } from './lib/web_server.mjs';

let lantern;
let web;
before(async () => {
  lantern = await launch();
  web = await serve({ '/': '<!doctype html><title>A web page</title><p>Hello from the web.</p>' });
});
after(async () => { await lantern?.close(); await web?.close(); });

const cases = [
  ['unknown type', { id: 1, target: 'background', body: { type: 'format_disk' } }, 'unknown_type', 1],
  ['missing body', { id: 2, target: 'background' }, 'malformed_message', 2],
  ['missing id', { target: 'background', body: { type: 'ping' } }, 'malformed_message', null],
  ['wrong field type', { id: 3, target: 'content', body: { type: 'page_info', tab_id: 'seven' } }, 'malformed_message', 3],
  ['wrong target', { id: 4, target: 'background', body: { type: 'engine_info' } }, 'wrong_target', 4],
  ['unknown target', { id: 5, target: 'kernel', body: { type: 'ping' } }, 'unknown_target', 5],
  ['not an object', 'ping', 'malformed_message', null],
];

test('malformed messages over sendMessage get typed errors, and the router keeps working', async () => {
  const page = await lantern.open('ui/options.html');
  for (const [name, message, code, id] of cases) {
    const reply = await sendFrom(page, message);
    assert.equal(reply.kind, 'throw', name);
    assert.equal(reply.error.code, code, `${name}: ${reply.error.message}`);
    assert.equal(reply.id, id, name);
    assert.ok(reply.error.message.length > 0, name);
  }
  const ok = await sendFrom(page, { id: 99, target: 'background', body: { type: 'ping' } });
  assert.equal(ok.kind, 'return');
  await page.close();
});

test('malformed messages over a UI port get typed errors on the port', async () => {
  const page = await lantern.open('ui/options.html');
  const replies = await page.evaluate((messages) => new Promise((resolve) => {
    const port = chrome.runtime.connect({ name: 'lantern-ui' });
    const got = [];
    port.onMessage.addListener((reply) => {
      got.push(reply);
      if (got.length === messages.length) { port.disconnect(); resolve(got); }
    });
    for (const m of messages) port.postMessage(m);
  }), [...cases.map(([, m]) => m), { id: 100, target: 'background', body: { type: 'ping' } }]);
  const byCode = replies.map((r) => (r.kind === 'throw' ? r.error.code : r.value.type)).sort();
  assert.deepEqual(byCode, [...cases.map(([, , code]) => code), 'pong'].sort());
  await page.close();
});

test('a web page cannot reach Lantern, and its content-script world is refused privileged requests', async () => {
  const page = await lantern.context.newPage();
  await page.goto(`${web.origin}/`);
  // The page's own world: no externally_connectable, so no channel to us at all.
  const pageReach = await page.evaluate(async (id) => {
    if (!globalThis.chrome?.runtime?.sendMessage) return 'no channel';
    try { await chrome.runtime.sendMessage(id, { id: 1, target: 'offscreen', body: { type: 'engine_info' } }); return 'reached'; }
    catch (e) { return `refused: ${e.message}`; }
  }, lantern.id);
  assert.notEqual(pageReach, 'reached');

  // Inject the content script as the background does, then speak from its isolated world.
  const tabId = await (await lantern.serviceWorker()).evaluate(async (url) => {
    const [tab] = await chrome.tabs.query({ url });
    await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ['content/content.js'] });
    return tab.id;
  }, `${web.origin}/`);
  assert.ok(tabId > 0);
  const cdp = await lantern.context.newCDPSession(page);
  const worlds = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => worlds.push(context));
  await cdp.send('Runtime.enable');
  const world = worlds.find((c) => c.auxData?.type === 'isolated' && c.origin?.includes(lantern.id));
  assert.ok(world, `content-script world not found among ${JSON.stringify(worlds.map((c) => c.name))}`);
  const fromPage = async (message) => (await cdp.send('Runtime.evaluate', {
    contextId: world.id,
    expression: `chrome.runtime.sendMessage(${JSON.stringify(message)})`,
    awaitPromise: true,
    returnByValue: true,
  })).result.value;
  const refused = await fromPage({ id: 11, target: 'offscreen', body: { type: 'engine_info' } });
  assert.equal(refused.kind, 'throw');
  assert.equal(refused.error.code, 'forbidden', refused.error.message);
  const refusedPage = await fromPage({ id: 12, target: 'content', body: { type: 'page_info', tab_id: tabId } });
  assert.equal(refusedPage.error.code, 'forbidden');
  const ping = await fromPage({ id: 13, target: 'background', body: { type: 'ping' } });
  assert.equal(ping.kind, 'return');
  await cdp.detach();
  await page.close();

  const extensionPage = await lantern.open('ui/options.html');
  assert.equal((await sendFrom(extensionPage, { id: 14, target: 'offscreen', body: { type: 'engine_info' } })).kind, 'return');
  await extensionPage.close();
});
