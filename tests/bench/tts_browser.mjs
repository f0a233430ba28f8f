// `cargo xtask bench tts`, browser half, in one Chromium: (1) Lantern's speech worker through the
// real extension (voices downloaded from a local mirror into IndexedDB; `speak` sent as the UI
// sends it; first audio = the first `sentence` event, when the document starts playing it; the
// real-time factor from the worker's own synthesis clock where the reply carries it), then (2) npm
// onnxruntime-web on the same ONNX file and our phonemes in a page served with COOP/COEP (cross-
// origin isolated, so its threaded build can run), at each thread count of the plan.
// Prints JSON { lantern: { voice: { threads: measure } }, onnxruntime_web: {...}, engine }.
// Usage: node tests/bench/tts_browser.mjs target/bench/tts/plan.json  (xtask sets the env)
import { readFileSync, createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../e2e/lib/lantern.mjs';
import { startMirror } from '../e2e/lib/mirror.mjs';
import { installClient, request } from '../e2e/lib/requests.mjs';
import { inputsFor } from './tts_inputs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const log = (line) => process.stderr.write(`bench tts: ${line}\n`);

/** onnxruntime-web's files and each voice's model, with the headers SharedArrayBuffer needs. */
async function isolatedServer(files) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      return res.end('<!doctype html><title>onnxruntime-web bench</title>');
    }
    const file = path === '/tts_timing.mjs'
      ? join(here, 'tts_timing.mjs')
      : path.startsWith('/ort/')
      ? join(plan.ort, 'onnxruntime-web', 'dist', path.slice(5).replace(/\.\.+/g, ''))
      : files[path];
    let size;
    try { size = statSync(file).size; } catch { res.writeHead(404, headers); return res.end(); }
    const types = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };
    res.writeHead(200, { ...headers, 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** onnxruntime-web in the page: one session per thread count, every piece timed as natively. */
async function onnxruntimeWeb(context, origin, inputs, threads) {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  const result = await page.evaluate(async ([model, pieces, rate, runs, threads]) => {
    if (!crossOriginIsolated) throw new Error('the onnxruntime-web page is not cross-origin isolated');
    const ort = await import('/ort/ort.wasm.min.mjs');
    ort.env.wasm.wasmPaths = '/ort/';
    ort.env.wasm.numThreads = threads;
    const bytes = new Uint8Array(await (await fetch(model)).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const [output] = session.outputNames;
    const { tensors, timePieces } = await import('/tts_timing.mjs');
    const run = async (feeds) => (await session.run(tensors(ort, feeds)))[output].data.length;
    return timePieces(pieces, rate, runs, run);
  }, [inputs.url, inputs.pieces, inputs.rate, plan.runs, threads]);
  await page.close();
  return result;
}

/** Lantern's worker: `speak` the bench text, first audio from the first sentence event. */
async function lanternWorker(panel, voice) {
  let best = null;
  // The first speak loads the voice; it is not timed.
  for (let i = 0; i <= plan.runs; i++) {
    const body = { type: 'speak', model_id: voice.speak_id, text: plan.text };
    // The UI client's replies carry no arrival time, so this one port keeps its own clock.
    const r = await panel.evaluate((body) => new Promise((resolve) => {
      const t0 = performance.now();
      let first = null;
      const port = chrome.runtime.connect({ name: 'lantern-ui' });
      port.onMessage.addListener((reply) => {
        if (first === null && reply.kind === 'progress' && reply.event?.type === 'sentence') first = performance.now() - t0;
        if (reply.kind === 'return' || reply.kind === 'throw') {
          port.disconnect();
          resolve({ final: reply, first });
        }
      });
      port.postMessage({ id: Math.floor(Math.random() * 1e9), target: 'offscreen', body });
    }), body);
    if (r.final.kind !== 'return') throw new Error(`${voice.voice}: ${JSON.stringify(r.final)}`);
    const first = r.first;
    if (i === 0) continue;
    const spoken = r.final.value;
    const m = {
      first_audio_seconds: first / 1000,
      audio_seconds: spoken.scheduled_seconds,
      real_time_factor: typeof spoken.synthesis_seconds === 'number' ? spoken.synthesis_seconds / spoken.scheduled_seconds : null,
    };
    if (!best || m.first_audio_seconds < best.first_audio_seconds) best = m;
  }
  return best;
}

const lantern = await launch();
const mirror = await startMirror();
const files = {};
const inputs = {};
for (const voice of plan.voices) {
  const input = inputsFor(plan, voice);
  const url = `/models/${voice.model_id}/model.onnx`;
  files[url] = input.model;
  inputs[voice.voice] = { ...input, url };
}
const { server, origin } = await isolatedServer(files);
try {
  await lantern.closeWelcome();
  const panel = await lantern.open('ui/sidepanel.html');
  await installClient(panel);
  await request(panel, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
  for (const id of ['g2p-en-us', ...plan.voices.map((v) => v.model_id)]) {
    const r = await request(panel, 'offscreen', { type: 'download_model', model_id: id });
    if (r.final.kind !== 'return') throw new Error(`download ${id}: ${JSON.stringify(r.final)}`);
  }
  const results = { lantern: {}, onnxruntime_web: {} };
  let engine = null;
  for (const voice of plan.voices) {
    results.lantern[voice.voice] = {};
    results.onnxruntime_web[voice.voice] = {};
    for (const threads of plan.threads) {
      const set = (await request(panel, 'offscreen', { type: 'set_engine_threads', threads })).final;
      if (set.kind !== 'return') throw new Error(`set_engine_threads ${threads}: ${JSON.stringify(set)}`);
      log(`${voice.voice}, ${threads} thread(s): Lantern's worker`);
      try {
        const ours = await lanternWorker(panel, voice);
        engine = (await request(panel, 'offscreen', { type: 'engine_info' })).final.value;
        const tts = engine?.workers?.find((w) => w.engine === 'tts');
        const used = tts?.threads?.count ?? 1;
        if (used === threads) results.lantern[voice.voice][threads] = ours;
        else log(`our speech worker ran ${used} thread(s) when asked for ${threads}: not counted`);
      } catch (error) {
        log(`Lantern's worker could not speak with ${voice.voice}: ${error.message}`);
        results.lantern[voice.voice][threads] = { error: error.message };
      }
      log(`${voice.voice}, ${threads} thread(s): onnxruntime-web`);
      results.onnxruntime_web[voice.voice][threads] = await onnxruntimeWeb(lantern.context, origin, inputs[voice.voice], threads);
    }
  }
  process.stdout.write(JSON.stringify({ chromium: lantern.context.browser()?.version() ?? null, engine, ...results }));
} finally {
  server.close();
  await mirror.stop();
  await lantern.close();
}
