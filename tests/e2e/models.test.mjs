// The model cache end to end, against the local mirror with real weights (SmolLM2 GGUF):
// downloads with progress that survive a service-worker kill and a browser restart, resume
// after a dropped connection, refuse corrupt files and too-small quotas, and free space on delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { launch, stopServiceWorkers } from './lib/lantern.mjs';
import { startMirror, mirrorCatalog } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const catalog = mirrorCatalog();
const smol = catalog?.models.find((m) => m.id === SMOL);
const SIZE = smol?.files[0].size;

let lantern;
let profile;
before(async () => {
  assert.ok(smol, 'the model mirror is missing: run `cargo xtask fetch-models` first');
  profile = await mkdtemp(join(tmpdir(), 'lantern-models-'));
  lantern = await launch({ profile });
  await lantern.closeWelcome();
});
after(async () => {
  await lantern?.close();
  await rm(profile, { recursive: true, force: true });
});

async function ui() {
  const page = await lantern.open('ui/options.html');
  await installClient(page);
  return page;
}

const send = (page, body) => request(page, 'offscreen', body).then((r) => r.final);

async function useMirror(page, mirror) {
  const reply = await send(page, { type: 'set_catalog_url', url: mirror.catalogUrl });
  assert.equal(reply.kind, 'return', JSON.stringify(reply));
}

async function stateOf(page, id) {
  const reply = await send(page, { type: 'list_models' });
  assert.equal(reply.kind, 'return', JSON.stringify(reply));
  return reply.value.models.find((m) => m.entry.id === id).state;
}

async function usage(page) {
  return page.evaluate(async () => (await navigator.storage.estimate()).usage);
}

/** Chunks and progress records IndexedDB holds for a model, read directly. */
async function stored(page, id) {
  return page.evaluate((model) => new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-models');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['chunks', 'files', 'models'], 'readonly');
      const range = IDBKeyRange.bound([model], [model, []]);
      const counts = {};
      let pending = 3;
      const count = (store, query) => {
        const r = tx.objectStore(store).count(query);
        r.onsuccess = () => { counts[store] = r.result; if (--pending === 0) { db.close(); resolve(counts); } };
      };
      count('chunks', range);
      count('files', range);
      count('models', model);
    };
  }), id);
}

test('a download streams progress, survives a service-worker kill and a browser restart, and loads offline', async () => {
  const mirror = await startMirror();
  let page = await ui();
  await useMirror(page, mirror);
  assert.equal((await stateOf(page, SMOL)).state, 'available');

  // Start, wait for progress, then kill the service worker in the middle of the download.
  await page.evaluate((id) => { window.lantern.request('offscreen', { type: 'download_model', model_id: id }); }, SMOL);
  await page.waitForFunction(() => window.lantern.last.replies.some((r) => r.kind === 'progress'));
  await stopServiceWorkers(page);
  const record = await page.evaluate(async () => {
    const r = window.lantern.last;
    const final = await r.done;
    return { final, replies: r.replies, reconnects: r.reconnects };
  });
  assert.equal(record.final.kind, 'return', JSON.stringify(record.final));
  assert.deepEqual(record.final.value, { type: 'model_installed', model_id: SMOL, bytes: SIZE });
  assert.ok(record.reconnects >= 1, 'the port must have been cut by the kill');
  const progress = record.replies.filter((r) => r.kind === 'progress').map((r) => r.event);
  assert.ok(progress.length >= 3, `only ${progress.length} progress events`);
  for (const event of progress) {
    assert.equal(event.type, 'download');
    assert.equal(event.total, SIZE);
    assert.ok(event.bytes <= SIZE && event.bytes_per_s >= 0);
  }
  // The job kept running through the kill: the file was served once, whole.
  const gets = mirror.requestsFor(`${SMOL}/model.gguf`).filter((r) => r.method === 'GET');
  assert.equal(gets.length, 1, JSON.stringify(gets));
  assert.equal(gets[0].sent, SIZE);

  // Browser restart with the same profile: still installed.
  await page.close();
  await lantern.close();
  lantern = await launch({ profile });
  await lantern.closeWelcome();
  page = await ui();
  assert.deepEqual(await stateOf(page, SMOL), { state: 'installed', bytes: SIZE, update_available: false });

  // No network: the mirror is gone, and the model still loads from IndexedDB.
  await mirror.stop();
  const loaded = await send(page, { type: 'load_model', model_id: SMOL, task: 'llm' });
  assert.equal(loaded.kind, 'return', JSON.stringify(loaded));
  assert.equal(loaded.value.bytes, SIZE);
  assert.match(loaded.value.summary, /llama, 30 layers, context \d+/);
  // Listing works offline too, from the cached catalog.
  const list = await send(page, { type: 'list_models' });
  assert.equal(list.kind, 'return');
  assert.match(list.value.catalog_warning ?? '', /last copy/);
  assert.equal(mirror.log.length > 0, true);
  await send(page, { type: 'delete_model', model_id: SMOL });
  await page.close();
});

test('an interrupted download resumes with a Range request', async () => {
  const mirror = await startMirror(['--drop-at-fraction', '0.5']);
  const page = await ui();
  await useMirror(page, mirror);
  const reply = await send(page, { type: 'download_model', model_id: SMOL });
  assert.equal(reply.kind, 'return', JSON.stringify(reply));
  const gets = mirror.requestsFor(`${SMOL}/model.gguf`).filter((r) => r.method === 'GET');
  assert.ok(gets.some((r) => /^bytes=[1-9]\d*-$/.test(r.range)), JSON.stringify(gets));
  const served = gets.reduce((sum, r) => sum + r.sent, 0);
  assert.ok(served < 1.2 * SIZE, `served ${served} bytes for a ${SIZE}-byte file`);
  assert.equal((await stateOf(page, SMOL)).state, 'installed');
  await send(page, { type: 'delete_model', model_id: SMOL });
  await mirror.stop();
  await page.close();
});

test('a corrupted file is rejected, nothing corrupt stays, and a retry from a good server works', async () => {
  const bad = await startMirror(['--corrupt', `${SMOL}/model.gguf`]);
  const page = await ui();
  await useMirror(page, bad);
  const reply = await send(page, { type: 'download_model', model_id: SMOL });
  assert.equal(reply.kind, 'throw', JSON.stringify(reply));
  assert.equal(reply.error.code, 'hash_mismatch');
  assert.deepEqual(await stored(page, SMOL), { chunks: 0, files: 0, models: 0 });
  assert.equal((await stateOf(page, SMOL)).state, 'available');
  await bad.stop();

  const good = await startMirror();
  await useMirror(page, good);
  const retry = await send(page, { type: 'download_model', model_id: SMOL });
  assert.equal(retry.kind, 'return', JSON.stringify(retry));
  await send(page, { type: 'delete_model', model_id: SMOL });
  await good.stop();
  await page.close();
});

// Chromium treats an extension's storage as unlimited: Storage.overrideQuotaForOrigin changes
// neither what navigator.storage.estimate() reports to it nor what it may write (both checked by
// hand on Chromium 156). The real limit is the disk, so the test gives the profile a small one.
test('a disk too small for the model gives a quota error and stores nothing', async (t) => {
  const small = '/tmp/lantern-small-disk';
  const mounted = spawnSync('sh', ['-c', `mkdir -p ${small} && mount -t tmpfs -o size=64m tmpfs ${small}`]);
  if (mounted.status !== 0) {
    t.skip(`SKIPPED: cannot mount a small tmpfs here (${mounted.stderr}); needs root`);
    return;
  }
  const mirror = await startMirror();
  const tiny = await launch({ profile: join(small, 'profile') });
  try {
    await tiny.closeWelcome();
    const page = await tiny.open('ui/options.html');
    await installClient(page);
    await useMirror(page, mirror);
    const reply = await send(page, { type: 'download_model', model_id: SMOL });
    assert.equal(reply.kind, 'throw', JSON.stringify(reply));
    assert.equal(reply.error.code, 'quota_exceeded', reply.error.message);
    assert.match(reply.error.message, /storage/);
    assert.deepEqual(await stored(page, SMOL), { chunks: 0, files: 0, models: 0 });
    assert.equal((await stateOf(page, SMOL)).state, 'available');
    // What the failed download wrote was given back.
    const free = spawnSync('df', ['--output=avail', '-B1', small]).stdout.toString().split('\n')[1];
    assert.ok(Number(free) > 40 * 1024 * 1024, `only ${free} bytes free after the failure`);
  } finally {
    await tiny.close();
    await mirror.stop();
    spawnSync('umount', [small]);
  }
});

test('delete and clear-all free the space', async () => {
  const mirror = await startMirror();
  const page = await ui();
  await useMirror(page, mirror);
  const before = await usage(page);
  assert.equal((await send(page, { type: 'download_model', model_id: SMOL })).kind, 'return');
  const installed = await usage(page);
  assert.ok(installed - before > 0.9 * SIZE, `usage grew by ${installed - before}`);
  assert.equal((await send(page, { type: 'delete_model', model_id: SMOL })).kind, 'return');
  const afterDelete = await usage(page);
  assert.ok(installed - afterDelete > 0.9 * SIZE, `delete freed only ${installed - afterDelete}`);
  assert.deepEqual(await stored(page, SMOL), { chunks: 0, files: 0, models: 0 });

  assert.equal((await send(page, { type: 'download_model', model_id: SMOL })).kind, 'return');
  const again = await usage(page);
  assert.equal((await send(page, { type: 'clear_models' })).kind, 'return');
  const cleared = await usage(page);
  assert.ok(again - cleared > 0.9 * SIZE, `clear freed only ${again - cleared}`);
  assert.equal((await stateOf(page, SMOL)).state, 'available');
  await mirror.stop();
  await page.close();
});

test('deleting every model stops a download still running, and no model stays, stored or in memory', async () => {
  const big = catalog.models.find((m) => m.id === 'qwen2.5-coder-0.5b-instruct-q5_0') ?? smol;
  const mirror = await startMirror();
  const page = await ui();
  await useMirror(page, mirror);
  // A chat model in the LLM engine's memory, which must not outlive the clear either.
  assert.equal((await send(page, { type: 'download_model', model_id: SMOL })).kind, 'return');
  assert.equal((await send(page, { type: 'load_model', model_id: SMOL, task: 'llm' })).kind, 'return');
  const engines = async () => (await send(page, { type: 'engine_info' })).value.workers.map((w) => w.engine);
  assert.ok((await engines()).includes('llm'));
  // Started, not awaited: it is running (some bytes stored, not installed) when the clear comes.
  await page.evaluate((id) => { window.bigDownload = window.lantern.request('offscreen', { type: 'download_model', model_id: id }); }, big.id);
  await page.waitForFunction(() => window.bigDownload.replies.some((r) => r.kind === 'progress' && r.event.type === 'download' && r.event.bytes > 0), null, { timeout: 60000 });
  assert.equal((await send(page, { type: 'clear_models' })).kind, 'return');
  const ended = await page.evaluate(() => window.bigDownload.done);
  assert.equal(ended.kind, 'throw', `the download went on: ${JSON.stringify(ended)}`);
  // Before, the download kept writing after the clear and its chunks came back.
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(await stored(page, big.id), { chunks: 0, files: 0, models: 0 });
  assert.equal((await stateOf(page, big.id)).state, 'available');
  assert.ok(!(await engines()).includes('llm'), 'the chat model left memory with the clear');
  await mirror.stop();
  await page.close();
});

test('a stored copy damaged at rest is detected at load and removed', async () => {
  const mirror = await startMirror();
  const page = await ui();
  await useMirror(page, mirror);
  assert.equal((await send(page, { type: 'download_model', model_id: SMOL })).kind, 'return');
  // Flip a byte of the first stored chunk, behind Lantern's back.
  await page.evaluate((model) => new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-models');
    open.onsuccess = () => {
      const tx = open.result.transaction('chunks', 'readwrite');
      const store = tx.objectStore('chunks');
      const key = [model, 'model.gguf', 0];
      const get = store.get(key);
      get.onsuccess = () => { const bytes = get.result; bytes[100] ^= 0xff; store.put(bytes, key); };
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), SMOL);
  const { final, replies } = await request(page, 'offscreen', { type: 'load_model', model_id: SMOL, task: 'llm' });
  assert.equal(final.kind, 'throw', JSON.stringify(final));
  assert.equal(final.error.code, 'hash_mismatch');
  assert.match(final.error.message, /was damaged .* it was removed; download it again/);
  assert.deepEqual(await stored(page, SMOL), { chunks: 0, files: 0, models: 0 });
  assert.equal((await stateOf(page, SMOL)).state, 'available');
  // Loading reports its bytes chunk by chunk as it reads and hashes them; the check comes when
  // a file is read whole, so the only answer to a damaged copy is the error above.
  const steps = replies.filter((r) => r.kind === 'progress').map((r) => r.event);
  assert.ok(steps.every((e) => e.type === 'step' && e.stage === 'loading_model'), JSON.stringify(steps));
  await mirror.stop();
  await page.close();
});
