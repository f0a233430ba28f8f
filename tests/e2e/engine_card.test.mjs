// The options page's engine card lists each running worker with its memory and the models it
// holds, and Unload gives a model's memory back: a chat loads SmolLM2 into the LLM worker, the
// card lists it, Unload ends that worker (its wasm memory can only go with it), and the next
// chat loads the model again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from './lib/lantern.mjs';
import { launchWithModel } from './lib/install.mjs';
import { askInSidePanel } from './lib/side_panel_chat.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
let lantern;
before(async () => {
  lantern = await launchWithModel(SMOL, { chatSettings: { temperature: 0 } });
});
after(async () => { await lantern?.close(); });

const chat = (question) => askInSidePanel(lantern, question);

/** The engine card after a fresh check: each worker's memory and models, and the total. */
async function engineCard(options) {
  const card = options.locator('section[aria-labelledby="engine-heading"]');
  const checks = Number(await card.getAttribute('data-checks') ?? 0);
  await card.getByRole('button', { name: 'Check again' }).click();
  await options.waitForFunction((n) => {
    const card = document.querySelector('section[aria-labelledby="engine-heading"]');
    return card?.dataset.state === 'ready' && Number(card.dataset.checks) > n;
  }, checks, { timeout: 30000 });
  return card.evaluate((card) => ({
    total: Number(card.querySelector('[data-field="total-memory"]').dataset.bytes),
    workers: [...card.querySelectorAll('li.worker')].map((li) => ({
      engine: li.dataset.engine,
      memory: Number(li.querySelector('[data-field="worker-memory"]').dataset.bytes),
      heap: Number(li.querySelector('[data-field="worker-memory"]').dataset.heap),
      models: [...li.querySelectorAll('li.held-model')].map((m) => m.dataset.model),
    })),
  }));
}

test('a model loaded by chatting is listed with its memory, unloads, and reloads on the next chat', async () => {
  assert.match(await chat('What is the capital of France? Answer in one sentence.'), /\S/);

  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  const loaded = await engineCard(options);
  const llm = loaded.workers.find((w) => w.engine === 'llm');
  assert.ok(llm, `no LLM worker listed: ${JSON.stringify(loaded)}`);
  assert.deepEqual(llm.models, [SMOL]);
  // The weights live in the worker's heap: at least the model's ~98 MB (quantized tensors).
  assert.ok(llm.heap > 60e6, `LLM worker heap ${llm.heap} B`);
  assert.ok(llm.memory >= llm.heap, JSON.stringify(llm));
  assert.ok(loaded.total >= llm.memory);
  const models = loaded.workers.find((w) => w.engine === 'models');
  assert.ok(models && models.models.length === 0, JSON.stringify(loaded));
  await screenshot(options, 'options-engine-loaded');

  await options.getByRole('button', { name: `Unload ${SMOL} from memory` }).click();
  await options.locator('li.held-model').waitFor({ state: 'detached', timeout: 30000 });
  const unloaded = await engineCard(options);
  assert.ok(!unloaded.workers.some((w) => w.models.includes(SMOL)), JSON.stringify(unloaded));
  assert.ok(!unloaded.workers.some((w) => w.engine === 'llm'), 'the LLM worker should have ended');
  assert.ok(unloaded.total <= loaded.total - llm.memory,
    `memory did not drop: ${loaded.total} -> ${unloaded.total} B (LLM worker had ${llm.memory} B)`);
  await screenshot(options, 'options-engine-unloaded');

  // The model is still downloaded: the next chat loads it again.
  assert.match(await chat('Name one colour.'), /\S/);
  const again = await engineCard(options);
  assert.deepEqual(again.workers.find((w) => w.engine === 'llm')?.models, [SMOL]);
  await options.close();
  assert.deepEqual(lantern.consoleErrors, []);
});
