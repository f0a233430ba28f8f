// One offscreen document, however many requests arrive at once; a new one after it is closed; and
// a service worker killed mid-request does not lose the user's answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, sendFrom, stopServiceWorkers, countOffscreenCreations } from './lib/lantern.mjs';

let lantern;
before(async () => {
  lantern = await launch();
  await lantern.closeWelcome();
});
after(async () => { await lantern?.close(); });

const engineInfo = (id) => ({ id, target: 'offscreen', body: { type: 'engine_info' } });

/** The options page, once the requests it makes on opening (engine facts, model list) are
 *  answered: what a test counts or closes afterwards is its own doing. */
async function settledOptions() {
  const page = await lantern.open('ui/options.html');
  for (const heading of ['engine-heading', 'models-heading']) {
    await page.locator(`section[aria-labelledby="${heading}"][data-state="ready"]`).waitFor({ timeout: 30000 });
  }
  return page;
}

async function closeOffscreen() {
  const sw = await lantern.serviceWorker();
  await sw.evaluate(async () => {
    const open = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
    if (open.length) await chrome.offscreen.closeDocument();
  });
}

async function offscreenContexts() {
  const sw = await lantern.serviceWorker();
  return sw.evaluate(async () => (await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] })).length);
}

test('10 concurrent requests create exactly one offscreen document', async () => {
  const page = await settledOptions();
  await closeOffscreen();
  const created = await countOffscreenCreations(lantern);
  const replies = await page.evaluate(async () => Promise.all(
    Array.from({ length: 10 }, (_, i) => chrome.runtime.sendMessage({ id: i + 1, target: 'offscreen', body: { type: 'engine_info' } })),
  ));
  for (const [i, reply] of replies.entries()) {
    assert.equal(reply.kind, 'return', JSON.stringify(reply));
    assert.equal(reply.id, i + 1);
  }
  // Chromium reports a new document's URL a moment after it exists: give the count time to settle.
  for (let waited = 0; created() === 0 && waited < 5000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(created(), 1);
  assert.equal(await offscreenContexts(), 1);
  await page.close();
});

test('a closed offscreen document is created again on the next request', async () => {
  const page = await settledOptions();
  assert.equal((await sendFrom(page, engineInfo(1))).kind, 'return');
  await closeOffscreen();
  assert.equal(await offscreenContexts(), 0);
  const reply = await sendFrom(page, engineInfo(2));
  assert.equal(reply.kind, 'return', JSON.stringify(reply));
  assert.equal(await offscreenContexts(), 1);
  await page.close();
});

test('killing the service worker mid-request, the UI still gets its answer, and asking again works', async () => {
  const page = await settledOptions();
  const card = page.locator('section[aria-labelledby="engine-heading"]');
  await card.locator('xpath=self::*[@data-state="ready"]').waitFor();
  // A request that needs a new document and worker is slow enough to be caught in flight most
  // times; try until the kill lands while the request is still unanswered.
  let caught = false;
  for (let attempt = 0; attempt < 8 && !caught; attempt++) {
    const checks = Number(await card.getAttribute('data-checks'));
    await closeOffscreen();
    const state = await page.evaluate(() => {
      [...document.querySelectorAll('button')].find((b) => b.textContent === 'Check again').click();
      return document.querySelector('section[aria-labelledby="engine-heading"]').dataset.state;
    });
    assert.equal(state, 'loading');
    caught = (await card.getAttribute('data-state')) === 'loading';
    if (caught) await stopServiceWorkers(page);
    await card.locator(`xpath=self::*[@data-state="ready" and @data-checks="${checks + 1}"]`).waitFor({ timeout: 20000 });
  }
  assert.ok(caught, 'never caught a request in flight');
  const checks = Number(await card.getAttribute('data-checks'));
  await stopServiceWorkers(page);
  await page.getByRole('button', { name: 'Check again' }).click();
  await card.locator(`xpath=self::*[@data-state="ready" and @data-checks="${checks + 1}"]`).waitFor({ timeout: 20000 });
  const direct = await sendFrom(page, engineInfo(9));
  assert.equal(direct.kind, 'return', JSON.stringify(direct));
  await page.close();
});
