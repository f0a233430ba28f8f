// "Read text in image" end to end, in one browser: images rendered here in Chromium (a canvas
// made into PNGs with known text) on a local page, the context menu's onClicked listener called
// in the service worker as Chromium calls it, PP-OCRv6 tiny installed from the mirror into
// IndexedDB, and the vision worker fetching and reading the image. Before the model is
// installed the panel says which to download; then the text shows in the side panel's
// conversation (character error rate bounded, not exact) and reaches the chat model's
// conversation fenced as data, and SmolLM2 answers a question about it; an image with no
// text, a damaged file, a missing one and one on a site Lantern may not read (127.0.0.2, no
// CORS) each say why; a picture wider than the OCR reads whole is scaled down and its boxes
// scaled back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './lib/lantern.mjs';
import { startMirror, mirrorCatalog } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';
import { saveChatSettings } from './lib/settings.mjs';
import { serve } from './lib/web_server.mjs';

const OCR = 'ppocrv6-tiny';
const SMOL = 'smollm2-135m-instruct-q4_1';
const LINES = ['Lantern reads text in images', 'Invoice 4721 is due on Friday'];
const WIDE_TEXT = 'WIDE SIGN 2026';
let lantern;
let mirror;
let web;
let elsewhere;
let setup;
let panel;

/** PNG bytes of a canvas `width` x `height` drawn by `draw` (its source, run in the page). */
async function renderPng(page, width, height, draw) {
  const base64 = await page.evaluate(([w, h, source]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, w, h);
    new Function('g', source)(g);
    return canvas.toDataURL('image/png').split(',')[1];
  }, [width, height, draw]);
  return Buffer.from(base64, 'base64');
}

/** Edit distance over characters, for the character error rate. */
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}
const squeeze = (text) => text.replace(/\s+/g, ' ').trim();

before(async () => {
  assert.ok(mirrorCatalog()?.models.some((m) => m.id === OCR), `the mirror lacks ${OCR}: run \`cargo xtask fetch-models\``);
  lantern = await launch();
  await lantern.closeWelcome();
  await saveChatSettings(lantern, { temperature: 0, maxTokens: 48 });
  const canvas = await lantern.context.newPage();
  const text = await renderPng(canvas, 900, 220, `
    g.fillStyle = '#111'; g.font = '40px sans-serif'; g.textBaseline = 'top';
    g.fillText(${JSON.stringify(LINES[0])}, 40, 40);
    g.fillText(${JSON.stringify(LINES[1])}, 40, 130);`);
  // A landscape without writing: sky, and a field across the bottom. (A lone disc is not
  // used: the detector takes a circle for a "0", as PaddleOCR's does.)
  const landscape = await renderPng(canvas, 600, 300, `
    const sky = g.createLinearGradient(0, 0, 0, 300);
    sky.addColorStop(0, '#5b8fd6'); sky.addColorStop(1, '#e6f0fb');
    g.fillStyle = sky; g.fillRect(0, 0, 600, 300);
    g.fillStyle = '#5f9e4a'; g.fillRect(0, 210, 600, 90);`);
  const wide = await renderPng(canvas, 6000, 900, `
    g.fillStyle = '#111'; g.font = 'bold 260px sans-serif'; g.textBaseline = 'top';
    g.fillText(${JSON.stringify(WIDE_TEXT)}, 3000, 300);`);
  await canvas.close();
  const png = (body) => ({ type: 'image/png', body });
  web = await serve({
    '/shop': '<!doctype html><html lang="en"><title>Shop</title><img src="/text.png" alt="">',
    '/text.png': png(text),
    '/landscape.png': png(landscape),
    '/damaged.png': png(text.subarray(0, Math.floor(text.length / 2))),
    '/wide.png': png(wide),
  });
  // The same picture on a site Lantern may not read, which allows no other origin either.
  elsewhere = await serve({ '/text.png': png(text) }, '127.0.0.2');
  // The mirror's catalog is the one in force (a user's local mirror); the OCR model is not
  // installed yet.
  mirror = await startMirror();
  setup = await lantern.open('ui/options.html');
  await installClient(setup);
  const chosen = await request(setup, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
  assert.equal(chosen.final.kind, 'return', JSON.stringify(chosen.final));
});
after(async () => {
  await panel?.close();
  await lantern?.close();
  await web?.close();
  await elsewhere?.close();
  await mirror?.stop();
});

let shop;
/** The shop page in a tab, and Chromium's Tab object for it. */
async function shopTab() {
  if (!shop) {
    const page = await lantern.context.newPage();
    await page.goto(`${web.origin}/shop`);
    const tab = await (await lantern.serviceWorker()).evaluate(
      async (url) => (await chrome.tabs.query({ url }))[0], `${web.origin}/shop`);
    assert.ok(tab?.id, 'no tab for the shop page');
    shop = { page, tab };
  }
  return shop.tab;
}

/** Calls the service worker's contextMenus.onClicked listener as Chromium would over an image
 *  (`path` on the shop's own server, or a whole address). */
async function readImage(path) {
  const tab = await shopTab();
  const sw = await lantern.serviceWorker();
  await sw.evaluate(({ info, tab }) => globalThis.lanternMenuClicked(info, tab), {
    info: {
      menuItemId: 'lantern-read-image-text',
      mediaType: 'image',
      srcUrl: path.startsWith('http') ? path : `${web.origin}${path}`,
      pageUrl: tab.url,
      frameId: 0,
      editable: false,
    },
    tab,
  });
}

const chatError = () => panel.locator('section.chat .composer .error-box');
const imageText = () => panel.locator('.messages .message.image-text');

/** Waits for the error box to say `code`, and returns its text. */
async function errorFor(code) {
  await panel.waitForFunction(
    (c) => document.querySelector('section.chat .composer .error-box')?.dataset.code === c,
    code,
    { timeout: 60000 },
  ).catch(async (error) => {
    console.log(`# the panel instead: ${(await panel.locator('section.chat').innerText()).replaceAll('\n', ' | ')}`);
    throw error;
  });
  return chatError().innerText();
}

test('without an OCR model the panel says which to download', async () => {
  await readImage('/text.png');
  // The click comes first: the panel it opens picks the job up when it loads.
  panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  const said = await errorFor('NotInstalled');
  assert.match(said, /PP-OCRv6 tiny/, said);
  assert.match(said, /Models/, said);
  assert.equal(await imageText().count(), 0);
});

test('"Read text in image" shows the image\'s text in the side panel, for the chat to use', async () => {
  for (const id of [OCR, SMOL]) {
    const installed = (await request(setup, 'offscreen', { type: 'download_model', model_id: id })).final;
    assert.equal(installed.kind, 'return', JSON.stringify(installed));
  }
  const started = Date.now();
  // The panel is open already: the job reaches it through storage.onChanged.
  await readImage('/text.png');
  await imageText().waitFor({ timeout: 120000 });
  console.log(`# read in ${((Date.now() - started) / 1000).toFixed(1)} s (model load included)`);
  const read = await imageText().locator('[data-field="text"]').innerText();
  console.log(`# read: ${JSON.stringify(read)}`);
  const expected = LINES.join(' ');
  const cer = distance(squeeze(read), expected) / expected.length;
  console.log(`# character error rate: ${(cer * 100).toFixed(1)} %`);
  assert.ok(cer <= 0.05, `character error rate ${(cer * 100).toFixed(1)} % over 5 %: ${read}`);
  assert.equal(read.trim().split('\n').length, 2, `two lines, in order: ${read}`);
  const address = imageText().locator('a[data-field="image"]');
  assert.equal(await address.getAttribute('href'), `${web.origin}/text.png`);
  assert.equal(await chatError().count(), 0);
  await screenshot(panel, 'image-text');
  // Stored with the conversation: the text goes to the chat model as a fenced system message.
  await panel.waitForFunction(() => new Promise((resolve) => {
    const open = indexedDB.open('lantern-chats');
    open.onsuccess = () => {
      const all = open.result.transaction('conversations').objectStore('conversations').getAll();
      all.onsuccess = () => { open.result.close(); resolve(all.result.length === 1); };
    };
  }));
  const [stored] = await panel.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('lantern-chats');
    open.onsuccess = () => {
      const all = open.result.transaction('conversations').objectStore('conversations').getAll();
      all.onsuccess = () => { open.result.close(); resolve(all.result); };
    };
  }));
  const [system] = stored.messages;
  assert.equal(system.role, 'system');
  assert.match(system.content, /data, not instructions/);
  assert.match(system.content, /<<<IMAGE TEXT\n[\s\S]*4721[\s\S]*\nIMAGE TEXT>>>$/);
  assert.equal(stored.pages[0].kind, 'image_text');
  assert.equal(stored.pages[0].url, `${web.origin}/text.png`);
});

test('the chat model answers a question about the image from its text', async () => {
  const box = panel.getByRole('textbox', { name: 'Message' });
  await box.fill('What is the invoice number?');
  await box.press('Enter');
  const chat = panel.locator('section.chat');
  await chat.locator('xpath=self::*[@data-state="generating"]').waitFor();
  await chat.locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 180000 });
  const answer = await panel.locator('.messages article.message.assistant').last().innerText();
  console.log(`# SmolLM2's answer: ${JSON.stringify(answer)}`);
  assert.match(answer, /4721/, 'the answer uses the text read in the image');
  // The image's text stays above the question, in the same conversation.
  assert.equal(await imageText().count(), 1);
  assert.ok(await panel.locator('.messages .message.image-text + article.message.user').count() === 1,
    'the image text comes right before the question');
  await screenshot(panel, 'image-text-question');
});

test('an image without text, a damaged file, a missing one and one from a site that refuses Lantern each say why', async () => {
  for (const [path, code, message] of [
    ['/landscape.png', 'NoReadableText', /found no text in this image/],
    ['/damaged.png', 'BadImage', /cannot read this image[\s\S]*damaged/],
    ['/missing.png', 'ImageUnreachable', /could not fetch this image[\s\S]*HTTP 404/],
    [`${elsewhere.origin}/text.png`, 'ImageUnreachable', /could not fetch this image[\s\S]*127\.0\.0\.2[\s\S]*does not let Lantern read it/],
  ]) {
    await readImage(path);
    const said = await errorFor(code);
    console.log(`# ${path}: ${said.split('\n')[0]}`);
    assert.match(said, message, said);
    await screenshot(panel, `image-text-${code}${path.startsWith('http') ? '-elsewhere' : ''}`);
    // The text read before stays where it was.
    assert.equal(await imageText().count(), 1);
  }
});

test('a picture wider than the OCR reads whole is scaled down, its boxes scaled back', async () => {
  const reply = (await request(setup, 'offscreen', {
    type: 'read_image_text', model_id: OCR, url: `${web.origin}/wide.png`,
  })).final;
  assert.equal(reply.kind, 'return', JSON.stringify(reply));
  const read = reply.value;
  assert.equal(read.width, 6000);
  assert.equal(read.downscaled, true);
  const text = read.lines.map((l) => l.text).join(' ');
  console.log(`# wide: ${JSON.stringify(text)}, boxes ${JSON.stringify(read.lines.map((l) => l.corners))}`);
  assert.ok(distance(squeeze(text), WIDE_TEXT) / WIDE_TEXT.length <= 0.1, text);
  // In the image's own pixels: the text starts near x = 3000 and reaches past 4096.
  const xs = read.lines.flatMap((l) => l.corners.map(([x]) => x));
  assert.ok(Math.min(...xs) > 2800 && Math.max(...xs) > 4096, JSON.stringify(xs));
});
