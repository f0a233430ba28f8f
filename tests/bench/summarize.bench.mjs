// `cargo xtask bench summarize`: time to the first summary token in the real extension, against
// a peer measured in the same run: the first token of a plain `chat` request asking the same
// model to summarize the same article text. The ratio is the cost of the summary path itself
// (content script snapshot, extraction, prompt) on top of reading the page; absolute times on
// these shared machines are noise. Each run changes the article's first line, so no run reuses
// another's KV cache beyond the shared instructions.
import assert from 'node:assert/strict';
import { launch } from '../e2e/lib/lantern.mjs';
import { startMirror, mirrorCatalog } from '../e2e/lib/mirror.mjs';
import { installClient, request } from '../e2e/lib/requests.mjs';
import { serve } from '../e2e/lib/web_server.mjs';
import * as pages from '../e2e/lib/pages.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const RUNS = Number(process.env.LANTERN_BENCH_RUNS ?? 3);

assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
const lantern = await launch();
await lantern.closeWelcome();
const mirror = await startMirror();
const ui = await lantern.open('ui/options.html');
await installClient(ui);
await request(ui, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
assert.equal((await request(ui, 'offscreen', { type: 'download_model', model_id: SMOL })).final.kind, 'return');
await mirror.stop();

const edition = (n) => pages.article.replace('<article><h1>', `<article><p>Edition ${n} of the coastal notes.</p><h1>`);
const site = {};
for (let n = 0; n < RUNS + 1; n++) site[`/article-${n}`] = edition(n);
const web = await serve(site);

/** Sends one request over a UI port; resolves with ms to the first token and to the end. */
const timed = (body, target) => ui.evaluate(({ body, target }) => new Promise((resolve) => {
  const port = chrome.runtime.connect({ name: 'lantern-ui' });
  const start = performance.now();
  let first = null;
  port.onMessage.addListener((reply) => {
    if (reply.kind === 'progress' && reply.event.type === 'token' && first === null) first = performance.now() - start;
    if (reply.kind === 'return' || reply.kind === 'throw') {
      port.disconnect();
      resolve({ first, total: performance.now() - start, kind: reply.kind, error: reply.error });
    }
  });
  port.postMessage({ id: 1, target, body });
}), { body, target });

const sw = await lantern.serviceWorker();
const plain = (html) => html.replace(/<nav>.*?<\/nav>|<footer>.*?<\/footer>/g, '').replace(/<[^>]+>/g, '\n').replace(/\n+/g, '\n').trim();
const summaries = [];
const chats = [];
// Run 0 warms the engine up (model load) for both and is not counted.
for (let n = 0; n <= RUNS; n++) {
  const page = await lantern.context.newPage();
  await page.goto(`${web.origin}/article-${n}`);
  const tabId = await sw.evaluate(async (url) => (await chrome.tabs.query({ url }))[0].id, `${web.origin}/article-${n}`);
  const s = await timed({ type: 'summarize', model_id: SMOL, tab_id: tabId, kind: 'page', mode: 'tldr' }, 'background');
  assert.equal(s.kind, 'return', JSON.stringify(s.error));
  const c = await timed({
    type: 'chat',
    model_id: SMOL,
    messages: [{ role: 'user', content: `Summarize this text in one or two sentences.\n\n${plain(edition(n + 100))}` }],
    sampling: { temperature: 0, max_tokens: 80 },
  }, 'offscreen');
  assert.equal(c.kind, 'return', JSON.stringify(c.error));
  await page.close();
  if (n > 0) { summaries.push(s.first); chats.push(c.first); }
  console.log(`run ${n}${n === 0 ? ' (warm-up)' : ''}: summary first token ${s.first.toFixed(0)} ms (total ${s.total.toFixed(0)}), chat peer first token ${c.first.toFixed(0)} ms`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`time to first summary token: median ${median(summaries).toFixed(0)} ms over ${RUNS} runs; `
  + `peer (chat on the same text) ${median(chats).toFixed(0)} ms; ratio ${(median(summaries) / median(chats)).toFixed(2)}`);
await web.close();
await lantern.close();
