// The engine computes on every core: the LLM worker starts a rayon pool on Web Workers (its
// threaded wasm shares its memory with them) with one thread per core, as
// rayon::current_num_threads() in the worker reports it, and a real chat still answers. The
// "Engine threads" setting at 1 ends the worker, and the next chat's worker computes alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from './lib/lantern.mjs';
import { launchWithModel } from './lib/install.mjs';
import { askInSidePanel } from './lib/side_panel_chat.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const QUESTION = 'What is the capital of France? Answer in one sentence.';
let lantern;
before(async () => {
  lantern = await launchWithModel(SMOL, { chatSettings: { temperature: 0 } });
});
after(async () => { await lantern?.close(); });

const chat = (question) => askInSidePanel(lantern, question);

const CARD = 'section[aria-labelledby="engine-heading"]';

/** Waits until the engine card has finished a check after the `n`th. */
async function checkedAfter(options, n) {
  await options.waitForFunction(([selector, n]) => {
    const card = document.querySelector(selector);
    return card?.dataset.state === 'ready' && Number(card.dataset.checks) > n;
  }, [CARD, n], { timeout: 60000 });
}

async function checks(options) {
  return Number(await options.locator(CARD).getAttribute('data-checks') ?? 0);
}

/** The engine card after a fresh check: each worker's threads and why. */
async function engineCard(options) {
  const card = options.locator(CARD);
  const n = await checks(options);
  await card.getByRole('button', { name: 'Check again' }).click();
  await checkedAfter(options, n);
  return card.evaluate((card) => [...card.querySelectorAll('li.worker')].map((li) => {
    const threads = li.querySelector('[data-field="worker-threads"]');
    return {
      engine: li.dataset.engine,
      threads: Number(threads.dataset.threads),
      why: threads.dataset.why,
      text: threads.textContent,
    };
  }));
}

/** Chooses an "Engine threads" value ('' is every core) and waits for the card's next check. */
async function setEngineThreads(options, value) {
  const n = await checks(options);
  await options.getByLabel('Engine threads').selectOption(value);
  await checkedAfter(options, n);
}

test('the LLM worker computes on one thread per core; the setting at 1 gives one thread', async () => {
  assert.match(await chat(QUESTION), /Paris/);

  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  const cores = await options.evaluate(() => navigator.hardwareConcurrency);
  assert.ok(cores >= 2, `this test needs two cores or more, the browser reports ${cores}`);
  const workers = await engineCard(options);
  const llm = workers.find((w) => w.engine === 'llm');
  assert.ok(llm, `no LLM worker listed: ${JSON.stringify(workers)}`);
  assert.equal(llm.threads, cores, JSON.stringify(llm));
  assert.equal(llm.why, 'all_cores', JSON.stringify(llm));
  assert.equal(llm.text, `Computes on ${cores} threads, one per core`);
  // The model cache computes nothing in parallel and starts no pool.
  assert.deepEqual(workers.find((w) => w.engine === 'models')?.why, 'not_needed');
  await screenshot(options, 'options-engine-threads');

  // One thread: the LLM worker (whose pool cannot shrink) is ended; the next chat starts it alone.
  await setEngineThreads(options, '1');
  assert.equal(await options.getByLabel('Engine threads').inputValue(), '1');
  const limited = await engineCard(options);
  assert.ok(!limited.some((w) => w.engine === 'llm'), `the LLM worker should have ended: ${JSON.stringify(limited)}`);
  assert.match(await chat(QUESTION), /Paris/);
  const alone = (await engineCard(options)).find((w) => w.engine === 'llm');
  assert.deepEqual([alone?.threads, alone?.why], [1, 'limited'], JSON.stringify(alone));

  // Back to every core.
  await setEngineThreads(options, '');
  assert.match(await chat(QUESTION), /Paris/);
  const all = (await engineCard(options)).find((w) => w.engine === 'llm');
  assert.deepEqual([all?.threads, all?.why], [cores, 'all_cores'], JSON.stringify(all));
  await options.close();
  assert.deepEqual(lantern.consoleErrors, []);
});
