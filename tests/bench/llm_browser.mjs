// `cargo xtask bench llm`, browser half: in one headless Chromium, model by model and thread
// count by thread count, (1) Lantern's own LLM worker through the real extension (models
// downloaded from a local mirror into IndexedDB; speeds from the worker's chat reply), then
// (2) npm @wllama/wllama on the same GGUF file in a page served with COOP/COEP (cross-origin
// isolated, so its multi-threaded build can run) at the same thread count, then (3) Lantern
// answering through a user's model server: llama.cpp's own server (PyPI xllamacpp) on the same
// file at the same thread count, asked through the extension as the chat asks it (speeds from
// the server's own timings). Writes the measures as JSON.
// Usage: node tests/bench/llm_browser.mjs CONFIG.json  (xtask writes CONFIG and sets the env).
import { readFileSync, writeFileSync, createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../e2e/lib/lantern.mjs';
import { startMirror, MODELS_DIR } from '../e2e/lib/mirror.mjs';
import { installClient, request } from '../e2e/lib/requests.mjs';
import { startLlama } from '../e2e/lib/llama_server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { models, messages, max_tokens: maxTokens, reps, threads: threadCounts } = config;
const greedy = { temperature: 0, top_k: 0, top_p: 1, min_p: 0, repeat_penalty: 1, max_tokens: maxTokens, ignore_eos: true };

const lantern = await launch();
const measures = [];
const save = () => writeFileSync(config.out, JSON.stringify(measures, null, 1));
try {
  await lantern.closeWelcome();
  const mirror = await startMirror();
  const page = await lantern.open('ui/options.html');
  await installClient(page);
  const set = await request(page, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
  if (set.final.kind !== 'return') throw new Error(JSON.stringify(set.final));
  for (const m of models) {
    const got = (await request(page, 'offscreen', { type: 'download_model', model_id: m.id })).final;
    if (got.kind !== 'return') throw new Error(`download ${m.id}: ${JSON.stringify(got)}`);
  }
  await mirror.stop();
  const engine = (await request(page, 'offscreen', { type: 'engine_info' })).final.value;
  console.error(`our worker: cross-origin isolated ${engine.worker.cross_origin_isolated}, ${engine.worker.hardware_concurrency} cores, simd128 ${engine.worker.simd128_supported}`);
  const server = await serveIsolated(MODELS_DIR);
  const bench = await lantern.context.newPage();
  bench.on('console', (msg) => { if (msg.type() === 'error') console.error(`wllama page: ${msg.text()}`); });
  await bench.goto(`${server.origin}/bench.html`);
  const facts = await bench.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  if (!facts.isolated) throw new Error('the wllama page is not cross-origin isolated');
  try {
    // Ours then wllama back to back at each thread count, so each comparison sees the same load.
    for (const m of models) {
      for (const threads of threadCounts) {
        await setOurThreads(page, threads);
        const { runs, loadSeconds, profile } = await runOurs(page, m, threads);
        const info = (await request(page, 'offscreen', { type: 'engine_info' })).final.value;
        const llm = info.workers?.find((w) => w.engine === 'llm');
        const used = llm?.threads?.count ?? 1;
        if (used === threads) {
          measures.push({
            runner: 'wasm', model: m.label, threads, runs,
            peak_wasm_bytes: llm?.wasm_memory_bytes ?? null, load_seconds: loadSeconds, model_bytes: m.bytes, profile,
          });
          save();
        } else {
          console.error(`our worker ran ${used} thread(s) when asked for ${threads} (${JSON.stringify(llm?.threads?.why)}): not counted at ${threads}`);
        }
        const result = await bench.evaluate(runWllama, { url: `/models/${m.file}`, threads, messages, maxTokens, reps });
        for (const [i, r] of result.runs.entries()) {
          console.error(`wllama ${m.label} ${threads}t run ${i + 1}: prefill ${r.prefill_tokens_per_s.toFixed(1)} tok/s, decode ${r.decode_tokens_per_s.toFixed(1)} tok/s (${result.threads} threads, multithread ${result.multithread})`);
        }
        measures.push({ runner: 'wllama', model: m.label, threads: result.threads, runs: result.runs });
        save();
        const served = await runServer(page, m, threads);
        measures.push({ runner: 'server', model: m.label, threads, runs: served });
        save();
      }
    }
  } finally {
    await server.close();
  }
} finally {
  await lantern.close();
}
save();

/** Our worker, through the extension: the model is unloaded (its worker ends), then loaded from
 *  IndexedDB into a new worker, timed; a one-token warm-up, then `reps` timed replies, each
 *  from an empty cache; the speeds are the worker's own. */
async function runOurs(page, m, threads) {
  await request(page, 'offscreen', { type: 'unload_model', model_id: m.id });
  const started = Date.now();
  const loaded = (await request(page, 'offscreen', { type: 'load_model', model_id: m.id, task: 'llm' })).final;
  if (loaded.kind !== 'return') throw new Error(`load ${m.id}: ${JSON.stringify(loaded)}`);
  const loadSeconds = (Date.now() - started) / 1000;
  console.error(`wasm ${m.label} ${threads}t: loaded from IndexedDB in ${loadSeconds.toFixed(2)} s (${(m.bytes / 1e6).toFixed(0)} MB)`);
  const warm = { type: 'chat', model_id: m.id, messages: [{ role: 'user', content: 'Hi' }], sampling: { ...greedy, max_tokens: 1 } };
  const warmed = (await request(page, 'offscreen', warm)).final;
  if (warmed.kind !== 'return') throw new Error(`chat on ${m.id}: ${JSON.stringify(warmed)}`);
  const runs = [];
  for (let rep = 1; rep <= reps; rep++) {
    const chat = { type: 'chat', model_id: m.id, messages, sampling: greedy, fresh_context: true };
    const final = (await request(page, 'offscreen', chat)).final;
    if (final.kind !== 'return') throw new Error(`chat on ${m.id}: ${JSON.stringify(final)}`);
    const r = final.value;
    console.error(`wasm ${m.label} ${threads}t run ${rep}: prefill ${r.prefill_tokens_per_s.toFixed(1)} tok/s, decode ${r.decode_tokens_per_s.toFixed(1)} tok/s`);
    runs.push({
      prompt_tokens: r.prompt_tokens,
      prefill_tokens: r.prompt_tokens - r.reused_tokens,
      generated_tokens: r.generated_tokens,
      prefill_tokens_per_s: r.prefill_tokens_per_s,
      decode_tokens_per_s: r.decode_tokens_per_s,
    });
  }
  // One more reply, untimed, with each operation timed in the worker: where the time goes.
  const profiled = (await request(page, 'offscreen', { type: 'chat', model_id: m.id, messages, sampling: greedy, fresh_context: true, profile: true })).final;
  if (profiled.kind !== 'return' || !profiled.value.profile) throw new Error(`profiled chat on ${m.id}: ${JSON.stringify(profiled)}`);
  return { runs, loadSeconds, profile: { ...profiled.value.profile, prefill_tokens: profiled.value.prompt_tokens, decode_tokens: Math.max(profiled.value.generated_tokens - 1, 0) } };
}

/** Lantern answering through a user's model server: llama.cpp's server on the same GGUF with
 *  `threads` threads, added as the options page adds one and asked through the extension; a
 *  one-token warm-up, then `reps` replies with the server's prompt cache off; the speeds are
 *  the server's own timings, as the chat shows them. */
async function runServer(page, m, threads) {
  const llama = await startLlama(m.id, 'bench', { model: join(MODELS_DIR, m.file), threads });
  try {
    const backend = { url: llama.url, name: 'bench', context: 2048 };
    const ask = (messages, sampling) => request(page, 'offscreen', { type: 'chat', model_id: 'bench', messages, sampling, fresh_context: true, backend });
    const warmed = (await ask([{ role: 'user', content: 'Hi' }], { ...greedy, max_tokens: 1 })).final;
    if (warmed.kind !== 'return') throw new Error(`server chat on ${m.id}: ${JSON.stringify(warmed)}`);
    const runs = [];
    for (let rep = 1; rep <= reps; rep++) {
      const final = (await ask(messages, greedy)).final;
      if (final.kind !== 'return') throw new Error(`server chat on ${m.id}: ${JSON.stringify(final)}`);
      const r = final.value;
      console.error(`server ${m.label} ${threads}t run ${rep}: prefill ${r.prefill_tokens_per_s.toFixed(1)} tok/s, decode ${r.decode_tokens_per_s.toFixed(1)} tok/s`);
      runs.push({
        prompt_tokens: r.prompt_tokens,
        prefill_tokens: r.prompt_tokens,
        generated_tokens: r.generated_tokens,
        prefill_tokens_per_s: r.prefill_tokens_per_s,
        decode_tokens_per_s: r.decode_tokens_per_s,
      });
    }
    return runs;
  } finally {
    await llama.stop();
  }
}

/** Runs in the page: loads one GGUF into wllama, a one-token warm-up, then `reps` timed chats
 *  (no prompt cache); the speeds are wllama's own `timings`. */
async function runWllama({ url, threads, messages, maxTokens, reps }) {
  const { Wllama } = await import('/wllama/esm/index.js');
  const wllama = new Wllama({ default: '/wllama/esm/wasm/wllama.wasm' }, { suppressNativeLog: true });
  const blob = await (await fetch(url)).blob();
  // CPU only (as ours): no WebGPU offload.
  await wllama.loadModel([blob], { n_threads: threads, n_ctx: 2048, n_batch: 512, n_gpu_layers: 0 });
  await wllama.createChatCompletion({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1, temperature: 0 });
  const runs = [];
  for (let rep = 1; rep <= reps; rep++) {
    const res = await wllama.createChatCompletion({
      messages, max_tokens: maxTokens, temperature: 0, ignore_eos: true, cache_prompt: false,
    });
    const t = res.timings;
    if (!t) throw new Error(`wllama gave no timings: ${JSON.stringify(res).slice(0, 300)}`);
    {
      runs.push({
        prompt_tokens: res.usage.prompt_tokens,
        prefill_tokens: t.prompt_n,
        generated_tokens: t.predicted_n,
        prefill_tokens_per_s: t.prompt_per_second,
        decode_tokens_per_s: t.predicted_per_second,
      });
    }
  }
  const out = { runs, threads: wllama.getNumThreads(), multithread: wllama.isMultithread() };
  await wllama.exit();
  return out;
}

/** A loopback server with COOP/COEP: the bench page, wllama's files, and the bench mirror. */
async function serveIsolated(mirrorDir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const roots = { '/wllama/': join(ROOT, 'node_modules', '@wllama', 'wllama') + '/', '/models/': mirrorDir + '/' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    };
    if (path === '/bench.html') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' });
      return res.end('<!doctype html><title>wllama bench</title>');
    }
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    const file = prefix && !path.includes('..') ? roots[prefix] + path.slice(prefix.length) : null;
    let size;
    try { size = file && statSync(file).isFile() ? statSync(file).size : null; } catch { size = null; }
    if (size === null) { res.writeHead(404, headers); return res.end(); }
    res.writeHead(200, { ...headers, 'content-type': types[extname(file)] ?? 'application/octet-stream', 'content-length': size });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Sets our engine's thread limit; the workers it ends start with it on the next request
 *  (runOurs unloads and loads the model, then the worker says how many threads it ran). */
async function setOurThreads(page, threads) {
  const set = (await request(page, 'offscreen', { type: 'set_engine_threads', threads })).final;
  if (set.kind !== 'return') throw new Error(`set_engine_threads ${threads}: ${JSON.stringify(set)}`);
}
