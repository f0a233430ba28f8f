// The user's own model server end to end: llama.cpp's server (PyPI xllamacpp) on loopback,
// serving the mirror's SmolLM2 (and Qwen2.5-Coder for a tool call), with no model downloaded
// into Lantern at all. The options page adds it and lists its model with the context size the
// server reports; the side panel's picker offers it beside the catalog's models; an answer
// streams from it and says where it came from; Stop ends it within 200 ms; a page summary
// completes; the calculator round-trips through the server's tool calls; the server killed in
// the middle of an answer leaves the text that came, marked, with its own message; a server
// that is not there is named as such; a server that wants a key refuses a wrong one by name; a
// conversation longer than the server's context keeps its newest turns and is answered; an
// answer asked to be spoken (the voice command's path) is read aloud as it streams.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './lib/lantern.mjs';
import { saveChatSettings } from './lib/settings.mjs';
import { startLlama } from './lib/llama_server.mjs';
import { startMirror } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';
import { serve } from './lib/web_server.mjs';
import * as pages from './lib/pages.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const QWEN = 'qwen2.5-coder-0.5b-instruct-q5_0';
const PIPER = 'piper-en_US-joe-medium';
const KEY = 'lantern-e2e-key';
let lantern;
let smol;
let qwen;
let locked;
let web;
let panel;

before(async () => {
  // `locked` wants a key and has a small context: long chats must be cut to it.
  [smol, qwen, locked] = await Promise.all([
    startLlama(SMOL, 'smollm2'),
    startLlama(QWEN, 'qwen-coder'),
    startLlama(SMOL, 'smollm2', { context: 1024, apiKey: KEY }),
  ]);
  web = await serve({ '/article': pages.article });
  lantern = await launch();
  await lantern.closeWelcome();
  await saveChatSettings(lantern, { temperature: 0, maxTokens: 200 });
});
after(async () => {
  await panel?.close();
  await lantern?.close();
  await smol?.kill();
  await qwen?.kill();
  await locked?.kill();
  await web?.close();
});

const chat = () => panel.locator('section[aria-labelledby="chat-heading"]');
const idle = (timeout = 120000) => chat().locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout });
const answers = () => panel.locator('.messages article.message.assistant:not(.streaming)');
const box = () => panel.getByRole('textbox', { name: 'Message' });
const chatError = () => panel.locator('section.chat .error-box');

/** Adds a server on the options page; its card entry. */
async function addServer(options, url, name, key = '') {
  const card = options.locator('section.servers-card');
  await card.getByLabel('Server address').fill(url);
  await card.getByLabel('Name (optional)').fill(name);
  await card.getByLabel(/^API key/).fill(key);
  await card.getByRole('button', { name: 'Add server' }).click();
  return card;
}

test('the options page adds the server, lists its model with its context, and names a dead one', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  // A port nothing listens on: unreachable, and nothing is kept.
  const card = await addServer(options, 'http://127.0.0.1:9', 'nobody');
  await card.locator('.error[data-code="BackendUnreachable"]').waitFor({ timeout: 30000 });
  assert.match(await card.locator('.error').innerText(), /could not be reached/);
  assert.equal(await card.locator('li.model-server').count(), 0);

  await addServer(options, smol.url, 'gpu box');
  const model = card.locator(`li.model-server[data-url="${smol.url}"] li.server-model[data-model="smollm2"]`);
  await model.waitFor({ timeout: 30000 });
  assert.match(await model.innerText(), /2,048 tokens of context/);
  await addServer(options, `${qwen.url}/v1/`, 'coder box');
  await card.locator(`li.model-server[data-url="${qwen.url}"] li.server-model[data-model="qwen-coder"]`).waitFor({ timeout: 30000 });
  assert.equal(await card.locator('.error').count(), 0);
  await screenshot(options, 'backends-card');
  await options.close();
});

test('a server that wants a key refuses a wrong one by name, and takes the right one', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  const card = await addServer(options, locked.url, 'locked box', 'not-the-key');
  await card.locator('.error[data-code="BackendRefused"]').waitFor({ timeout: 30000 });
  assert.match(await card.locator('.error').innerText(), /refused .*API key/);
  assert.equal(await card.locator(`li.model-server[data-url="${locked.url}"]`).count(), 0);
  await addServer(options, locked.url, 'locked box', KEY);
  const model = card.locator(`li.model-server[data-url="${locked.url}"] li.server-model[data-model="smollm2"]`);
  await model.waitFor({ timeout: 30000 });
  assert.match(await model.innerText(), /1,024 tokens of context/);
  await options.close();
});

test('an answer streams from the server, says so, and Stop ends it within 200 ms', async () => {
  panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 1000 });
  const picker = panel.locator('select.model-picker');
  await picker.locator('option', { hasText: 'smollm2 · gpu box' }).waitFor({ state: 'attached', timeout: 30000 });
  await picker.selectOption({ label: 'smollm2 · gpu box' });
  await panel.locator('.model-status[data-state="server"]').waitFor();
  assert.match(await panel.locator('.model-status').innerText(), /Answers come from gpu box/);

  await box().fill('What is the capital of France? Answer in one sentence.');
  await box().press('Enter');
  await idle();
  assert.equal(await chatError().count(), 0, await chatError().innerText().catch(() => ''));
  const first = answers().last();
  assert.ok((await first.locator('.markdown').innerText()).trim().length > 0);
  assert.equal(await first.locator('.answer-source').innerText(), 'Answered by smollm2 on gpu box');

  // Stop while it streams: measured in the page, from the key to the answer standing still.
  await box().fill('Write a very long story about a lantern maker, with many chapters.');
  await box().press('Enter');
  await panel.waitForFunction(() => (document.querySelector('.message.streaming .markdown')?.textContent ?? '').length > 40, null, { timeout: 60000 });
  const stopMs = await panel.evaluate(() => new Promise((resolve) => {
    const start = performance.now();
    new MutationObserver((_, observer) => {
      if (!document.querySelector('.message.streaming')) { observer.disconnect(); resolve(performance.now() - start); }
    }).observe(document.body, { childList: true, subtree: true });
    document.querySelector('textarea.composer-input').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  }));
  console.log(`# stopped ${stopMs.toFixed(0)} ms after Esc`);
  assert.ok(stopMs < 200, `${stopMs} ms`);
  await idle(10000);
  const stopped = await answers().last().innerText();
  assert.ok(stopped.length > 40, 'the stopped answer stays');
  // Nothing more arrives after the stop.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await answers().last().innerText(), stopped);
});

test('a page summary completes on the server', async () => {
  const page = await lantern.context.newPage();
  await page.goto(`${web.origin}/article`);
  const sw = await lantern.serviceWorker();
  const tab = await sw.evaluate(async (url) => (await chrome.tabs.query({ url }))[0], `${web.origin}/article`);
  await sw.evaluate((id) => chrome.tabs.update(id, { active: true }), tab.id);
  await panel.getByRole('button', { name: 'Summarize this page' }).click();
  await panel.locator('.message.summary.streaming').waitFor({ timeout: 30000 });
  await idle();
  assert.equal(await chatError().count(), 0, await chatError().innerText().catch(() => ''));
  const summary = panel.locator('.messages article.message.assistant.summary').last();
  assert.ok((await summary.locator('.markdown').innerText()).trim().length > 20);
  assert.equal(await summary.locator('.answer-source').innerText(), 'Answered by smollm2 on gpu box');
  await screenshot(panel, 'backends-summary');
  await page.close();
});

test('the calculator round-trips through the server\'s tool calls', async () => {
  await panel.getByRole('button', { name: 'New chat' }).click();
  await panel.locator('select.model-picker').selectOption({ label: 'qwen-coder · coder box' });
  await panel.getByLabel('Let the model use the calculator').check();
  await box().fill('What is 4817 * 23?');
  await box().press('Enter');
  await idle(240000);
  assert.equal(await chatError().count(), 0, await chatError().innerText().catch(() => ''));
  const tool = panel.locator('.message.tool').first();
  await tool.waitFor();
  const call = await tool.locator('.tool-call').innerText();
  const result = await tool.locator('.tool-result').innerText();
  console.log(`# ${call} ${result}`);
  assert.match(call, /calculator\(/);
  assert.match(result.replace(/[, ]/g, ''), /110791/);
  await panel.getByLabel('Let the model use the calculator').uncheck();
});

test('the server killed mid-answer leaves the text that came, marked, with its own message', async () => {
  await panel.getByRole('button', { name: 'New chat' }).click();
  await panel.locator('select.model-picker').selectOption({ label: 'smollm2 · gpu box' });
  await box().fill('Write a very long story about a lantern maker, with many chapters.');
  await box().press('Enter');
  await panel.waitForFunction(() => (document.querySelector('.message.streaming .markdown')?.textContent ?? '').length > 40, null, { timeout: 60000 });
  await smol.kill();
  await idle(30000);
  await chatError().waitFor();
  assert.equal(await chatError().getAttribute('data-code'), 'BackendStreamCut');
  assert.match(await chatError().innerText(), /stopped in the middle of its answer/);
  const cut = answers().last();
  const kept = await cut.locator('.markdown').innerText();
  assert.ok(kept.length > 40, `the partial answer stays: ${await panel.locator('.messages').innerText()}`);
  assert.equal(await cut.locator('.answer-source').getAttribute('data-cut'), 'true');
  assert.match(await cut.locator('.answer-source').innerText(), /cut off/);
  await screenshot(panel, 'backends-cut');
  // The dead server does not block the chat: the next question names it.
  await box().fill('Are you there?');
  await box().press('Enter');
  await idle(30000);
  await chatError().waitFor();
  assert.equal(await chatError().getAttribute('data-code'), 'BackendUnreachable');
});

test('a chat longer than the server\'s context keeps its newest turns and is answered', async () => {
  // 1024 positions: four turns of ~300 tokens each do not fit; the server itself refuses such a
  // prompt (exceed_context_size_error), so Lantern must cut it first.
  // Short answers: the turns' length is what matters here, and each answer costs seconds.
  await saveChatSettings(lantern, { temperature: 0, maxTokens: 24 });
  await panel.getByRole('button', { name: 'New chat' }).click();
  await panel.locator('select.model-picker').selectOption({ label: 'smollm2 · locked box' });
  const filler = (topic) => `Here are my notes about ${topic}. ` + `The ${topic} matters to many people in many places for many reasons. `.repeat(22);
  for (const topic of ['gardens', 'rivers', 'mountains', 'harbours']) {
    await box().fill(`${filler(topic)} Say one short sentence about ${topic}.`);
    await box().press('Enter');
    await idle();
    assert.equal(await chatError().count(), 0, await chatError().innerText().catch(() => ''));
  }
  const last = answers().last();
  assert.ok((await last.locator('.markdown').innerText()).trim().length > 0);
  assert.equal(await last.locator('.answer-source').innerText(), 'Answered by smollm2 on locked box');
  // The prompt really was longer than the context: every turn was kept in the conversation.
  assert.equal(await panel.locator('.messages article.message.user').count(), 4);
});

test('an answer asked to be spoken (the voice command\'s path) is read aloud as the server writes it', async () => {
  const page = await lantern.open('ui/options.html');
  await installClient(page);
  const mirror = await startMirror();
  try {
    const chosen = await request(page, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
    assert.equal(chosen.final.kind, 'return', JSON.stringify(chosen.final));
    // The voice, and the dictionary its English phonemes come from.
    for (const id of ['g2p-en-us', PIPER]) {
      const installed = await request(page, 'offscreen', { type: 'download_model', model_id: id });
      assert.equal(installed.final.kind, 'return', JSON.stringify(installed.final));
    }
  } finally {
    await mirror.stop();
  }
  const { final, replies } = await request(page, 'offscreen', {
    type: 'chat',
    model_id: 'smollm2',
    messages: [{ role: 'user', content: 'Tell me a short story about a lighthouse keeper.' }],
    sampling: { temperature: 0, top_p: 1, top_k: 1, min_p: 0, repeat_penalty: 1.1, max_tokens: 24, ignore_eos: true },
    fresh_context: true,
    speak: { model_id: PIPER },
    backend: { url: locked.url, name: 'locked box', api_key: KEY, context: 1024 },
  });
  assert.equal(final.kind, 'return', JSON.stringify(final));
  const events = replies.filter((r) => r.kind === 'progress').map((r) => r.event);
  const sentences = events.filter((e) => e.type === 'sentence');
  console.log('# spoken server answer', JSON.stringify({ tokens: events.filter((e) => e.type === 'token').length, sentences: sentences.length, spoken: final.value.spoken }));
  assert.ok(events.some((e) => e.type === 'token'), 'the answer streamed');
  assert.ok(sentences.length > 0, 'a sentence was spoken');
  assert.ok(final.value.spoken, 'the reply says what was spoken');
  assert.ok(final.value.spoken.started > 0 && final.value.spoken.rms > 0.02, JSON.stringify(final.value.spoken));
  await page.close();
});
