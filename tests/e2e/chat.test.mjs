// Chat with the real SmolLM2, loaded from IndexedDB by the LLM worker: a typed question streams
// an answer, and Stop halts generation within 200 ms of the click.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from './lib/lantern.mjs';
import { launchWithModel } from './lib/install.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
let lantern;
let panel;
before(async () => {
  lantern = await launchWithModel(SMOL, { chatSettings: { temperature: 0 } });
  panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
  // Record when the streamed reply grows, in page time.
  await panel.evaluate(() => {
    window.growth = [];
    let length = 0;
    new MutationObserver(() => {
      const text = document.querySelector('.message.streaming')?.textContent ?? '';
      if (text.length > length) window.growth.push(performance.now());
      length = text.length;
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
});
after(async () => { await lantern?.close(); });

const chat = () => panel.locator('section[aria-labelledby="chat-heading"]');

test('a typed question streams an answer from the local model', async () => {
  await panel.getByRole('textbox', { name: 'Message' }).fill('What is the capital of France? Answer in one sentence.');
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await chat().locator('xpath=self::*[@data-state="generating"]').waitFor();
  await panel.locator('.message.streaming').waitFor();
  await chat().locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 120000 });
  const answer = await panel.locator('.message.assistant').last().innerText();
  assert.ok(answer.trim().length > 0, 'empty answer');
  assert.ok(!answer.includes('\uFFFD'), answer);
  assert.match(answer, /Paris/);
  const growth = await panel.evaluate(() => window.growth.length);
  assert.ok(growth >= 2, `the answer arrived in ${growth} piece(s), not streamed`);
  assert.match(await panel.locator('.stats').innerText(), /tokens\/s/);
  await screenshot(panel, 'chat-answer');
});

test('Stop halts generation within 200 ms of the click', async () => {
  await panel.evaluate(() => { window.growth = []; });
  await panel.getByRole('textbox', { name: 'Message' }).fill('Write a very long story about a lantern maker, with many chapters.');
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await panel.waitForFunction(() => (document.querySelector('.message.streaming')?.textContent ?? '').length > 40);
  const clicked = await panel.evaluate(() => {
    const stop = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Stop');
    const t = performance.now();
    stop.click();
    return t;
  });
  await chat().locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 10000 });
  const last = await panel.evaluate(() => Math.max(...window.growth));
  const after = last - clicked;
  console.log(`# tokens kept arriving for ${after.toFixed(0)} ms after Stop`);
  assert.ok(after <= 200, `text still grew ${after.toFixed(0)} ms after Stop`);
  const kept = await panel.locator('.message.assistant').last().innerText();
  assert.ok(kept.length > 40, 'the stopped reply must stay visible');
  await screenshot(panel, 'chat-stopped');
});
