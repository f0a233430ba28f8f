// Two askers, one LLM engine (the real SmolLM2 at temperature 0): a request that waits for the
// busy engine shows its place in the queue, Stop in one window never stops another's answer, a
// stopped waiting request leaves the queue at once, and an asker that goes away (its page
// closed) frees the engine at once instead of generating to the end for nobody; a summary is
// stopped the same way, waiting or writing. One model copy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from './lib/lantern.mjs';
import { launchWithModel } from './lib/install.mjs';
import { installClient } from './lib/requests.mjs';
import { serve } from './lib/web_server.mjs';
import * as pages from './lib/pages.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const LONG = 'Write a very long story about a lantern maker, with many chapters.';
const SHORT = 'What is the capital of France? Answer in one sentence.';
let lantern;
let web;
let first;
let second;
before(async () => {
  lantern = await launchWithModel(SMOL, { chatSettings: { temperature: 0 } });
  web = await serve({ '/article': pages.article });
  first = await lantern.open('ui/sidepanel.html', { width: 420, height: 800 });
  second = await lantern.open('ui/sidepanel.html', { width: 420, height: 800 });
  for (const panel of [first, second]) {
    await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
  }
});
after(async () => { await lantern?.close(); await web?.close(); });

const chat = (panel) => panel.locator('section[aria-labelledby="chat-heading"]');
const state = (panel, name) => chat(panel).locator(`xpath=self::*[@data-state="${name}"]`);
const streamed = (panel) => panel.evaluate(() => (document.querySelector('.message.streaming')?.textContent ?? '').length);

const chatBody = (content, max) => ({
  type: 'chat',
  model_id: SMOL,
  messages: [{ role: 'user', content }],
  sampling: { temperature: 0, top_p: 1, top_k: 1, min_p: 0, repeat_penalty: 1.1, max_tokens: max, seed: 1, ignore_eos: true },
  fresh_context: true,
});

/** Sends `body` from `page` as `window[name]`, noting when each reply came (page time). */
const start = (page, body, name = 'asked') => page.evaluate(([b, t, n]) => {
  const record = window.lantern.request(t, b);
  record.at = [];
  const push = record.replies.push.bind(record.replies);
  record.replies.push = (reply) => { record.at.push(performance.now()); return push(reply); };
  window[n] = record;
}, [body, body.type === 'summarize' ? 'background' : 'offscreen', name]);

/** How many `token` events request `name` has had, and when the first and last came. */
const tokens = (page, name = 'asked') => page.evaluate((n) => {
  const r = window[n];
  const at = r.replies.map((reply, i) => [reply, r.at[i]]).filter(([reply]) => reply.event?.type === 'token').map(([, t]) => t);
  return { count: at.length, first: at[0], last: at.at(-1) };
}, name);

async function ask(panel, text) {
  await panel.getByRole('textbox', { name: 'Message' }).fill(text);
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await state(panel, 'generating').waitFor();
}

test('Stop in one window stops its own request only; the one waiting shows its place and answers in turn', async () => {
  await ask(first, LONG);
  await first.waitForFunction(() => (document.querySelector('.message.streaming')?.textContent ?? '').length > 20);

  await ask(second, SHORT);
  const waiting = second.locator('.queue-status');
  const shown = await waiting.waitFor({ timeout: 10000 }).then(() => waiting.innerText(), () => null);
  if (shown) await screenshot(second, 'queue-waiting');

  // Stop in the waiting window: it leaves the queue at once, the answer in the other goes on.
  const grownBefore = await streamed(first);
  let clicked = Date.now();
  await second.getByRole('button', { name: 'Stop' }).click();
  await state(second, 'idle').waitFor({ timeout: 5000 });
  console.log(`# a waiting request stopped in ${Date.now() - clicked} ms`);
  const goesOn = await first.waitForFunction(
    (n) => (document.querySelector('.message.streaming')?.textContent ?? '').length > n + 20,
    grownBefore, { timeout: 10000 }).then(() => true, () => false);
  assert.ok(goesOn, 'Stop in the waiting window stopped the answer in the other window');
  assert.equal(shown, 'Waiting for another answer to finish (1 ahead)');

  // Asked again, it waits again; Stop in the answering window lets it have its turn.
  await second.getByRole('button', { name: 'New chat' }).click();
  await ask(second, SHORT);
  await waiting.waitFor({ timeout: 10000 });
  clicked = Date.now();
  await first.getByRole('button', { name: 'Stop' }).click();
  await state(first, 'idle').waitFor({ timeout: 5000 });
  await waiting.waitFor({ state: 'detached', timeout: 10000 });
  console.log(`# the waiting request's turn came ${Date.now() - clicked} ms after Stop in the other window`);
  await state(second, 'idle').waitFor({ timeout: 60000 });
  const answer = await second.locator('.message.assistant').last().innerText();
  assert.match(answer, /Paris/, answer);
  const kept = await first.locator('.message.assistant').last().innerText();
  assert.ok(kept.length > 40, 'the stopped answer stays in its window');
  await screenshot(second, 'queue-answered');
});

test('closing the asker\'s page frees the engine for the next request at once', async () => {
  const MAX = 600;
  const asker = await lantern.open('ui/sidepanel.html');
  await installClient(asker);
  await installClient(second);
  await start(asker, chatBody(LONG, MAX));
  await asker.waitForFunction(() => window.asked.replies.filter((r) => r.event?.type === 'token').length >= 30, null, { timeout: 60000 });
  await start(second, chatBody(SHORT, 16));
  const queued = await second.waitForFunction(
    () => window.asked.replies.some((r) => r.event?.type === 'queued' && r.event.ahead === 1),
    null, { timeout: 3000 }).then(() => true, () => false);

  const sofar = await tokens(asker);
  const perSecond = (sofar.count - 1) / ((sofar.last - sofar.first) / 1000);
  const rest = (MAX - sofar.count) / perSecond;
  const closedAt = await second.evaluate(() => performance.now());
  await asker.close();
  await second.waitForFunction(() => window.asked.replies.some((r) => r.event?.type === 'token'), null, { timeout: 60000 });
  const next = await tokens(second);
  const waited = (next.first - closedAt) / 1000;
  console.log(`# after the asker closed, the next answer began in ${waited.toFixed(2)} s; generating the closed one's last ${MAX - sofar.count} tokens would have taken ${rest.toFixed(1)} s (${perSecond.toFixed(0)} tokens/s)`);
  assert.ok(waited < rest / 3, `the engine went on for the closed page: ${waited.toFixed(2)} s vs ${rest.toFixed(1)} s`);
  assert.ok(queued, 'the waiting request was not told its place in the queue');
  const done = await second.evaluate(() => window.asked.done);
  assert.equal(done.kind, 'return', JSON.stringify(done));
  assert.equal(done.value.generated_tokens, 16);

  // Both windows and both clients used one engine and one copy of the model.
  const info = await second.evaluate(() => {
    const r = window.lantern.request('offscreen', { type: 'engine_info' });
    return r.done;
  });
  assert.equal(info.kind, 'return', JSON.stringify(info));
  const llm = info.value.workers.filter((w) => w.engine === 'llm');
  assert.equal(llm.length, 1, JSON.stringify(info.value.workers));
  assert.deepEqual(llm[0].models.map((m) => m.model_id), [SMOL]);
});

test('Stop ends a summary waiting for the engine or being written, and nothing else', async () => {
  await installClient(second);
  const url = `${web.origin}/article`;
  const tab = await lantern.context.newPage();
  await tab.goto(url);
  const tabId = await (await lantern.serviceWorker()).evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url);
  assert.ok(tabId, 'no tab for the article');
  const summary = { type: 'summarize', model_id: SMOL, tab_id: tabId, kind: 'page' };
  const storyTokens = () => second.evaluate(() => window.story.replies.filter((r) => r.event?.type === 'token').length);

  await start(second, chatBody(LONG, 600), 'story');
  await second.waitForFunction(() => window.story.replies.some((r) => r.event?.type === 'token'), null, { timeout: 60000 });
  await start(second, summary, 'summary');
  await second.waitForFunction(() => window.summary.replies.some((r) => r.event?.type === 'queued'), null, { timeout: 20000 });
  const told = await storyTokens();
  const stop = await second.evaluate(() => window.summary.stop());
  assert.equal(stop.kind, 'return', JSON.stringify(stop));
  const left = await second.evaluate(() => window.summary.done);
  assert.equal(left.kind, 'return', JSON.stringify(left));
  assert.deepEqual([left.value.finish, left.value.text], ['cancelled', '']);
  await second.waitForFunction((n) => window.story.replies.filter((r) => r.event?.type === 'token').length > n + 10, told, { timeout: 10000 });

  await second.evaluate(() => window.story.stop());
  const story = await second.evaluate(() => window.story.done);
  assert.equal(story.kind, 'return', JSON.stringify(story));
  assert.equal(story.value.finish, 'cancelled');
  assert.ok(story.value.generated_tokens > 10 && story.value.generated_tokens < 600, JSON.stringify(story.value));

  // Being written, a summary stops as an answer does: with what it wrote.
  await start(second, summary, 'summary');
  await second.waitForFunction(() => window.summary.replies.filter((r) => r.event?.type === 'token').length >= 3, null, { timeout: 60000 });
  await second.evaluate(() => window.summary.stop());
  const cut = await second.evaluate(() => window.summary.done);
  assert.equal(cut.kind, 'return', JSON.stringify(cut));
  assert.equal(cut.value.finish, 'cancelled');
  assert.ok(cut.value.text.length > 0, 'the summary written so far was lost');
  await tab.close();
});
