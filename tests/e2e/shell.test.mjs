// The extension loads, its service worker starts cleanly, the options and welcome pages show
// engine status that came the whole way (page -> background -> offscreen document -> worker ->
// back), and the popup and the side panel open on the chat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot, sendFrom } from './lib/lantern.mjs';

let lantern;
before(async () => { lantern = await launch(); });
after(async () => { await lantern?.close(); });

async function engineFacts(page) {
  const card = page.locator('section[aria-labelledby="engine-heading"]');
  await card.locator('xpath=self::*[@data-state="ready" or @data-state="error"]').waitFor({ timeout: 20000 });
  assert.equal(await card.getAttribute('data-state'), 'ready', await card.innerText());
  const field = (name) => card.locator(`dd[data-field="${name}"]`).innerText();
  return {
    simd128: await field('simd128'),
    offscreenIsolated: await field('offscreen_isolated'),
    workerIsolated: await field('worker_isolated'),
    threads: Number(await field('threads')),
    version: await field('version'),
  };
}

test('the service worker starts and answers with no console errors', async () => {
  const page = await lantern.open('ui/popup.html');
  const reply = await sendFrom(page, { id: 1, target: 'background', body: { type: 'ping' } });
  assert.equal(reply.kind, 'return');
  assert.equal(reply.value.type, 'pong');
  assert.match(reply.value.version, /^\d+\.\d+\.\d+$/);
  await page.close();
  assert.deepEqual(lantern.consoleErrors, []);
});

test('extension pages load no images, frames, forms or base URLs from elsewhere (CSP)', async () => {
  const before = lantern.consoleErrors.length;
  const page = await lantern.open('ui/popup.html');
  const violated = await page.evaluate(async () => {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective));
    const img = document.createElement('img');
    img.src = 'http://127.0.0.1:9/pixel.png';
    document.body.append(img);
    const frame = document.createElement('iframe');
    frame.src = 'https://example.com/';
    document.body.append(frame);
    const base = document.createElement('base');
    base.href = 'https://example.com/';
    document.head.append(base);
    const form = document.createElement('form');
    form.action = 'https://example.com/collect';
    form.method = 'post';
    frame.name = 'sink';
    form.target = 'sink';
    document.body.append(form);
    form.submit();
    for (let i = 0; i < 50 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    return [...new Set(seen)].sort();
  });
  assert.deepEqual(violated, ['base-uri', 'form-action', 'frame-src', 'img-src']);
  await page.close();
  // The refusals are logged as errors; they are this test's, not a fault of the pages.
  const logged = lantern.consoleErrors.splice(before);
  assert.ok(logged.every((e) => /Content Security Policy|ERR_BLOCKED_BY_CSP/.test(e.text)), JSON.stringify(logged));
});

test('the options page shows engine status from the full round trip', async () => {
  const page = await lantern.open('ui/options.html', { width: 900, height: 800 });
  const facts = await engineFacts(page);
  assert.equal(facts.simd128, 'yes');
  assert.equal(facts.offscreenIsolated, 'yes');
  assert.equal(facts.workerIsolated, 'yes');
  assert.ok(facts.threads >= 1);
  await page.close();
});

test('the popup and the side panel are the chat, with no engine details', async () => {
  for (const [path, name, viewport] of [
    ['ui/popup.html', 'popup', { width: 380, height: 580 }],
    ['ui/sidepanel.html', 'sidepanel', { width: 400, height: 700 }],
  ]) {
    const page = await lantern.open(path, viewport);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    assert.equal(await page.locator('h1').innerText(), 'Lantern');
    for (const name of ['Summarize this page', 'Read this page', 'History', 'New chat', 'Dictate']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, `${path}: ${name}`);
    }
    await page.locator('.model-status').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('section[aria-labelledby="engine-heading"]').count(), 0, `${path}: engine card`);
    await screenshot(page, name);
    await page.close();
  }
});

test('the offscreen document and its worker are cross-origin isolated', async () => {
  const page = await lantern.open('ui/options.html');
  const reply = await sendFrom(page, { id: 7, target: 'offscreen', body: { type: 'engine_info' } });
  assert.equal(reply.kind, 'return', JSON.stringify(reply));
  assert.equal(reply.value.offscreen.cross_origin_isolated, true);
  assert.equal(reply.value.worker.cross_origin_isolated, true);
  assert.equal(reply.value.worker.simd128_compiled, true);
  assert.equal(reply.value.worker.simd128_supported, true);
  assert.ok(reply.value.worker.wasm_memory_bytes > 0);
  await page.close();
});

test('options and welcome pages render, with screenshots', async () => {
  for (const [path, name, viewport] of [
    ['ui/options.html', 'options', { width: 900, height: 800 }],
    ['ui/welcome.html', 'welcome', { width: 900, height: 800 }],
  ]) {
    const page = await lantern.open(path, viewport);
    const facts = await engineFacts(page);
    assert.equal(facts.workerIsolated, 'yes', name);
    assert.equal(await page.locator('h1').innerText(), 'Lantern');
    await screenshot(page, name);
    await page.close();
  }
  assert.deepEqual(lantern.consoleErrors, []);
});

test('install opened the welcome page', async () => {
  const urls = lantern.context.pages().map((p) => p.url());
  assert.ok(urls.includes(lantern.url('ui/welcome.html')), urls.join(', '));
});
