// The browser half of `cargo xtask bench stt`, in one Chromium: Lantern's speech worker
// transcribes the bench audio, fed as the microphone (it reports its own timing), and the
// whisper.cpp WASM build from npm (@transcribe/shout, pinned) transcribes the same 16 kHz samples
// with the same weights converted to ggml, in a cross-origin isolated page of the same browser.
// Both run at each thread count asked for (LANTERN_BENCH_THREADS), one after the other, so each
// comparison sees the same load. Prints one JSON object on stdout.
import { createServer } from 'node:http';
import { readFileSync, createReadStream, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../e2e/lib/lantern.mjs';
import { startMirror } from '../e2e/lib/mirror.mjs';
import { installClient, request } from '../e2e/lib/requests.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const BENCH = process.env.LANTERN_BENCH_DIR;
const MODELS = (process.env.LANTERN_BENCH_MODELS ?? 'whisper-tiny.en,whisper-base').split(',');
const RUNS = Number(process.env.LANTERN_BENCH_RUNS ?? 2);
const THREADS = (process.env.LANTERN_BENCH_THREADS ?? '1').split(',').map(Number);
const SHOUT = join(ROOT, 'node_modules', '@transcribe', 'shout', 'src', 'shout', 'shout.wasm.js');

const log = (line) => process.stderr.write(`bench stt: ${line}\n`);

/** Serves the shout module and the bench files with the headers SharedArrayBuffer needs. */
async function isolatedServer() {
  const files = {
    '/shout.wasm.js': SHOUT,
    '/audio.f32': join(BENCH, 'audio.f32'),
    ...Object.fromEntries(MODELS.map((m) => [`/${m}.ggml`, join(BENCH, `${m}.ggml`)])),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      return res.end('<!doctype html><title>whisper.cpp bench</title>');
    }
    const file = files[path];
    if (!file) { res.writeHead(404, headers); return res.end(); }
    const type = path.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** whisper.cpp in the page: load the model once, then time each transcription. */
async function whisperCpp(context, origin, model, threads) {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  const result = await page.evaluate(async ([model, runs, threads]) => {
    if (!crossOriginIsolated) throw new Error('the whisper.cpp page is not cross-origin isolated');
    const { default: createModule } = await import('/shout.wasm.js');
    let done = null;
    let failed = null;
    const errors = [];
    const Module = await createModule({
      print: () => {},
      printErr: (line) => errors.push(line),
      onAbort: (why) => failed?.(new Error(`whisper.cpp aborted: ${why}; ${errors.slice(-5).join(' | ')}`)),
      onTranscribed: (result) => done?.(result),
      onProgress: () => {},
      onNewSegment: () => {},
      onCanceled: () => {},
    });
    const bytes = new Uint8Array(await (await fetch(`/${model}.ggml`)).arrayBuffer());
    Module.FS_createDataFile('/', 'model.bin', bytes, true, true);
    Module.init('model.bin', '');
    const audio = new Float32Array(await (await fetch('/audio.f32')).arrayBuffer());
    const times = [];
    let text = '';
    for (let i = 0; i < runs; i++) {
      const finished = new Promise((resolve, reject) => {
        done = resolve;
        failed = reject;
        setTimeout(() => reject(new Error(`whisper.cpp gave no result in 15 minutes: ${errors.slice(-5).join(' | ')}`)), 900000);
      });
      const t0 = performance.now();
      // audio, language, threads, translate, max_len, split_on_word, suppress_non_speech,
      // token_timestamps
      Module.transcribe(audio, 'en', threads, false, 0, false, false, false);
      const out = await finished;
      times.push(performance.now() - t0);
      text = out.transcription.map((s) => s.text).join('').trim();
    }
    return { seconds: audio.length / 16000, ms: Math.min(...times), times, text };
  }, [model, RUNS, threads]);
  await page.close();
  return { ...result, real_time_factor: result.ms / 1000 / result.seconds };
}

/** Lantern's worker, through the microphone path; it reports its own transcription time. */
async function lanternWorker(panel, model) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await request(panel, 'offscreen', { type: 'start_dictation', model_id: model });
    if (r.final.kind !== 'return') throw new Error(`${model}: ${JSON.stringify(r.final)}`);
    runs.push(r.final.value);
  }
  const best = runs.reduce((a, b) => (a.real_time_factor <= b.real_time_factor ? a : b));
  return {
    seconds: best.speech_seconds,
    ms: best.transcribe_ms,
    times: runs.map((r) => r.transcribe_ms),
    text: best.text,
    vad: best.vad,
    real_time_factor: best.real_time_factor,
  };
}

/** Sets our engine's thread limit; changing it ends the speech worker, and the next request
 *  starts one with that many threads. */
async function setOurThreads(page, threads) {
  const set = (await request(page, 'offscreen', { type: 'set_engine_threads', threads })).final;
  if (set.kind !== 'return') throw new Error(`set_engine_threads ${threads}: ${JSON.stringify(set)}`);
}

const lantern = await launch({
  args: [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${join(BENCH, 'microphone.wav')}`,
  ],
});
const mirror = await startMirror();
const { server, origin } = await isolatedServer();
try {
  await lantern.closeWelcome();
  const panel = await lantern.open('ui/sidepanel.html');
  await installClient(panel);
  await request(panel, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
  for (const id of [...MODELS, 'whisper-assets', 'silero-vad-16k']) {
    const r = await request(panel, 'offscreen', { type: 'download_model', model_id: id });
    if (r.final.kind !== 'return') throw new Error(`download ${id}: ${JSON.stringify(r.final)}`);
  }
  // results[threads][model]: a thread count our worker did not reach is left out, not
  // reported under a count it did not run.
  const results = {};
  let engine = null;
  for (const threads of THREADS) {
    await setOurThreads(panel, threads);
    results[threads] = {};
    for (const model of MODELS) {
      log(`${model}, ${threads} thread(s): Lantern's worker`);
      const worker = await lanternWorker(panel, model);
      engine = (await request(panel, 'offscreen', { type: 'engine_info' })).final.value;
      const stt = engine?.workers?.find((w) => w.engine === 'stt');
      const used = stt?.threads?.count ?? 1;
      log(`${model}, ${threads} thread(s): whisper.cpp wasm`);
      const cpp = await whisperCpp(lantern.context, origin, model, threads);
      if (used !== threads) {
        log(`our speech worker ran ${used} thread(s) when asked for ${threads} (${JSON.stringify(stt?.threads?.why)}): not counted`);
        results[threads][model] = { whisper_cpp_wasm: cpp };
      } else {
        results[threads][model] = { lantern_wasm: worker, whisper_cpp_wasm: cpp };
      }
    }
  }
  process.stdout.write(JSON.stringify({
    chromium: lantern.context.browser()?.version() ?? null,
    engine,
    results,
  }));
} finally {
  server.close();
  await mirror.stop();
  await lantern.close();
}
