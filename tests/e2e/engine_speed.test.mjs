// The engine measures how fast this machine decodes (`measure_engine_speed`: one-row Q4_K
// products over a matrix past the caches, in the LLM worker, no model needed), and a first run's
// chat asks it, so the model offered is sized by a measure rather than by memory and cores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './lib/lantern.mjs';
import { installClient, request } from './lib/requests.mjs';

let lantern;
before(async () => {
  lantern = await launch();
  await lantern.closeWelcome();
});
after(async () => { await lantern?.close(); });

const workers = async (page) =>
  (await request(page, 'offscreen', { type: 'engine_info' })).final.value.workers ?? [];

test('a first run measures the engine; the measure is plausible and follows the thread setting', async () => {
  const panel = await lantern.open('ui/sidepanel.html');
  await installClient(panel);
  // No chat model on this device: the side panel asked the LLM engine to measure, which starts
  // its worker although nothing was said.
  let llm;
  for (let i = 0; i < 60 && !llm; i++) {
    llm = (await workers(panel)).find((w) => w.engine === 'llm');
    if (!llm) await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(llm, 'the first run started no LLM worker to measure the engine');
  assert.deepEqual(llm.models, [], 'measuring loads no model');

  const cores = await panel.evaluate(() => navigator.hardwareConcurrency);
  const all = await request(panel, 'offscreen', { type: 'measure_engine_speed' });
  assert.equal(all.final.kind, 'return', JSON.stringify(all.final));
  const speed = all.final.value;
  assert.equal(speed.type, 'engine_speed');
  assert.equal(speed.threads, cores, JSON.stringify(speed));
  // Between a slow phone's and any memory bus's; one-row products at a few GMAC/s read GB/s.
  assert.ok(speed.decode_bytes_per_s > 1e8 && speed.decode_bytes_per_s < 1e12, JSON.stringify(speed));

  const set = await request(panel, 'offscreen', { type: 'set_engine_threads', threads: 1 });
  assert.equal(set.final.kind, 'return', JSON.stringify(set.final));
  const one = (await request(panel, 'offscreen', { type: 'measure_engine_speed' })).final.value;
  assert.equal(one.threads, 1, JSON.stringify(one));
  assert.ok(one.decode_bytes_per_s > 1e8, JSON.stringify(one));
  console.log(`engine speed: ${(speed.decode_bytes_per_s / 1e9).toFixed(2)} GB/s on ${speed.threads} threads, ${(one.decode_bytes_per_s / 1e9).toFixed(2)} GB/s on 1`);
  assert.deepEqual(lantern.consoleErrors, []);
});
