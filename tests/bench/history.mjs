// Benchmark: the chat history with 500 stored conversations, in the real side panel (headless
// Chromium, dist/ loaded). Measures, in page time, how long the history list takes to open and a
// search to answer (from the click or keystroke until the list is on screen), next to a peer
// measured in the same page: plain JavaScript reading the same IndexedDB stores (getAll, and for
// search getAll plus a lower-cased `includes` scan). Run: `npm run bench:ui` (after
// `cargo xtask dist`).
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from '../e2e/lib/lantern.mjs';

const CONVERSATIONS = 500;
const RUNS = 7;
const WORDS = 'lantern river mountain harbour garden kettle violin orbit meadow copper signal winter compass ember quartz willow'.split(' ');

/** Deterministic filler text, so every run measures the same data. */
function text(seed, words) {
  let x = seed;
  const out = [];
  for (let i = 0; i < words; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(WORDS[x % WORDS.length]);
  }
  return out.join(' ');
}

function history() {
  const conversations = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const messages = [];
    for (let m = 0; m < 8; m++) {
      messages.push({ role: m % 2 ? 'assistant' : 'user', content: text(i * 31 + m, m % 2 ? 120 : 25) });
    }
    // A rare word in every 50th conversation, a word nobody used in none.
    if (i % 50 === 7) messages[5].content += ' zeppelin';
    conversations.push({ id: `bench-${i}`, title: '', created_at: i, updated_at: 1000 + i, messages });
  }
  return { format: 'lantern-chats', version: 1, conversations };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = await mkdtemp(join(tmpdir(), 'lantern-bench-'));
const lantern = await launch();
try {
  await lantern.closeWelcome();
  const file = join(dir, 'history.json');
  await writeFile(file, JSON.stringify(history()));
  const page = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await page.getByRole('button', { name: 'History' }).click();
  const importStart = Date.now();
  await page.getByLabel('Import chats').setInputFiles(file);
  await page.locator(`.history-list[data-count="${CONVERSATIONS}"]`).waitFor({ timeout: 60000 });
  const importMs = Date.now() - importStart;
  await page.getByRole('button', { name: 'History' }).click();

  // Until `selector` is in the DOM, from just before `act` runs (all in page time).
  const timeUntil = (selector, act) => page.evaluate(({ selector, act }) => new Promise((resolve) => {
    const t0 = performance.now();
    const check = () => {
      if (document.querySelector(selector)) { observer.disconnect(); resolve(performance.now() - t0); }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    (0, eval)(act);
  }), { selector, act });

  const open = [];
  for (let i = 0; i < RUNS; i++) {
    open.push(await timeUntil(`.history-list[data-count="${CONVERSATIONS}"]`,
      `document.querySelector('button[aria-controls="chat-history"]').click()`));
    await page.getByRole('button', { name: 'History' }).click();
    await page.locator('.history').waitFor({ state: 'detached' });
  }
  await page.getByRole('button', { name: 'History' }).click();
  await page.locator(`.history-list[data-count="${CONVERSATIONS}"]`).waitFor();

  const type = (q) => `(() => { const i = document.querySelector('.history-search'); i.value = ${JSON.stringify(q)}; i.dispatchEvent(new Event('input', { bubbles: true })); })()`;
  const search = [];
  for (let i = 0; i < RUNS; i++) {
    search.push(await timeUntil('.history-list[data-count="10"]', type('zeppelin')));
    await timeUntil(`.history-list[data-count="${CONVERSATIONS}"]`, type(''));
  }

  // The peer: the same stores read by plain JavaScript in the same page.
  const peer = await page.evaluate(async (runs) => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('lantern-chats');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const getAll = (store) => new Promise((resolve) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => resolve(r.result);
    });
    const list = [];
    const find = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const s = await getAll('summaries');
      s.sort((a, b) => b.updated_at - a.updated_at);
      list.push(performance.now() - t);
      t = performance.now();
      const all = await getAll('conversations');
      const hits = all.filter((c) => c.messages.some((m) => m.content.toLowerCase().includes('zeppelin')));
      if (hits.length !== 10) throw new Error(`peer found ${hits.length}`);
      find.push(performance.now() - t);
    }
    db.close();
    return { list, find };
  }, RUNS);

  const row = (what, ours, theirs) =>
    `${what.padEnd(30)} ${median(ours).toFixed(1).padStart(8)} ms ${median(theirs).toFixed(1).padStart(10)} ms ${(median(ours) / median(theirs)).toFixed(1).padStart(7)}x`;
  console.log(`${CONVERSATIONS} conversations (8 messages each), median of ${RUNS} runs, page time`);
  console.log(`${'step'.padEnd(30)} ${'Lantern UI'.padStart(11)} ${'JS peer'.padStart(13)} ${'ratio'.padStart(8)}`);
  console.log(row('open the history list', open, peer.list));
  console.log(row('search "zeppelin" (10 hits)', search, peer.find));
  console.log(`import of the ${CONVERSATIONS} (once, wall clock): ${importMs} ms`);
  const worst = Math.max(median(open), median(search));
  console.log(worst <= 100 ? 'both within 100 ms' : `SLOWER than 100 ms: ${worst.toFixed(1)} ms`);
} finally {
  await lantern.close();
  await rm(dir, { recursive: true, force: true });
}
