// Summaries from the context menu, end to end with the real SmolLM2 from IndexedDB: the menu's
// onClicked listener is called in the service worker with the real tab object, as Chromium calls
// it, and the summary streams into the side panel's conversation with its source, the page's
// text kept for follow-up questions. A 20,000-word page goes
// through the chunked path with "Reading part i of n" progress (at most 3 parts of 384 tokens,
// notes of at most 40 tokens, a TL;DR of at most 64); a page that tries to take over
// the assistant is only summarized; pages without text and browser pages say why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from './lib/lantern.mjs';
import { launchWithModel } from './lib/install.mjs';
import { serve } from './lib/web_server.mjs';
import * as pages from './lib/pages.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const LONG_WORDS = 20000;
let lantern;
let web;
let panel;

before(async () => {
  lantern = await launchWithModel(SMOL, { chatSettings: { temperature: 0 } });
  web = await serve({
    '/article': pages.article,
    '/injected': pages.injected,
    '/images': pages.imagesOnly,
    '/empty': pages.empty,
    '/long': pages.longPage(LONG_WORDS),
  });
});
after(async () => { await panel?.close(); await lantern?.close(); await web?.close(); });

/** Opens a page in a tab and returns Chromium's Tab object for it. */
async function openTab(path) {
  const page = await lantern.context.newPage();
  await page.goto(`${web.origin}${path}`);
  const tab = await (await lantern.serviceWorker()).evaluate(
    async (url) => (await chrome.tabs.query({ url }))[0], `${web.origin}${path}`);
  assert.ok(tab?.id, `no tab for ${path}`);
  return { page, tab };
}

/** Calls the service worker's registered contextMenus.onClicked listener as Chromium would. */
async function clickMenu(menuItemId, tab, extra = {}) {
  const sw = await lantern.serviceWorker();
  await sw.evaluate(({ info, tab }) => globalThis.lanternMenuClicked(info, tab), {
    info: { menuItemId, pageUrl: tab.url, frameId: 0, editable: false, ...extra },
    tab,
  });
}

async function openPanel() {
  const page = await lantern.open('ui/sidepanel.html', { width: 420, height: 1000 });
  await page.evaluate(() => {
    window.growth = 0;
    window.statuses = [];
    let length = 0;
    new MutationObserver(() => {
      const text = document.querySelector('.message.summary.streaming .markdown')?.textContent ?? '';
      if (text.length > length) window.growth++;
      length = text.length;
      const status = document.querySelector('.stream-status')?.textContent;
      if (status && window.statuses.at(-1)?.[1] !== status) window.statuses.push([Math.round(performance.now() / 1000), status]);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  return page;
}

const chat = () => panel.locator('section.chat');
/** The summary in the conversation, once it has streamed in whole. */
const summaryMessage = () => panel.locator('section.chat[data-state="idle"] .messages article.message.summary');
const chatError = () => panel.locator('section.chat .composer .error-box');

/** Opens the summary's form and language, unless they are open. */
async function summaryOptions() {
  const toggle = panel.getByRole('button', { name: 'Summary options' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

async function summaryDone(timeout) {
  await summaryMessage().waitFor({ timeout });
  return summaryMessage().locator('.markdown').innerText();
}

test('"Summarize page" from the menu streams a summary of the article into the side panel', async () => {
  const { page, tab } = await openTab('/article');
  // The click comes first: the panel it opens picks the job up when it loads.
  await clickMenu('lantern-summarize-page', tab);
  panel = await openPanel();
  const summary = await summaryDone(180000);
  const link = summaryMessage().locator('.summary-source a');
  // Readability keeps a short title whole, site name and all.
  assert.ok((await link.innerText()).startsWith(pages.ARTICLE_TITLE), await link.innerText());
  assert.equal(await link.getAttribute('href'), `${web.origin}/article`);
  assert.ok(summary.trim().length > 20, `summary too short: ${summary}`);
  assert.match(summary, /lighthouse|keeper|lens|ship/i, summary);
  assert.doesNotMatch(summary, /Privacy|Archive/, 'navigation and footer are not the article');
  const growth = await panel.evaluate(() => window.growth);
  assert.ok(growth >= 2, `the summary arrived in ${growth} piece(s), not streamed`);
  console.log(`# summary of the article:\n# ${summary.replaceAll('\n', '\n# ')}`);
  // The request reads as the user's side of the conversation, naming the page.
  assert.match(await panel.locator('.messages article.message.user').first().innerText(), /^Summarize “How lighthouses guided ships/);
  assert.match(await chat().locator('.stats').innerText(), /^1 part · [\d,]+ tokens read · [\d.]+ tokens\/s$/);
  await screenshot(panel, 'summary-article');
  // The conversation goes on about the page: its text is kept (stored with the conversation,
  // sent with every question as the system message before the summary).
  const stored = await panel.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-chats');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('conversations').objectStore('conversations').getAll();
      all.onsuccess = () => { open.result.close(); resolve(all.result); };
      all.onerror = () => reject(all.error);
    };
  }));
  assert.equal(stored.length, 1);
  const [system, asked, answered] = stored[0].messages;
  assert.equal(system.role, 'system');
  assert.match(system.content, /Fresnel lens/);
  assert.equal(asked.role, 'user');
  assert.equal(answered.role, 'assistant');
  assert.equal(stored[0].pages[0].url, `${web.origin}/article`);
  await panel.getByRole('textbox', { name: 'Message' }).fill('What did the keepers do at night?');
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await chat().locator('xpath=self::*[@data-state="generating"]').waitFor();
  await chat().locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 180000 });
  const followUp = await panel.locator('.messages article.message.assistant').last().innerText();
  console.log(`# the follow-up answer: ${followUp}`);
  assert.equal(await panel.locator('.messages article.message.assistant').count(), 2);
  assert.ok(followUp.trim().length > 0);
  await page.close();
});

test('a page that orders the assistant around is only summarized', async () => {
  panel ??= await openPanel(); // when run alone
  const { page, tab } = await openTab('/injected');
  await panel.evaluate(() => { window.growth = 0; });
  await summaryOptions();
  await panel.getByLabel('Summary form').selectOption('tldr');
  // The panel is open already: the job reaches it through storage.onChanged, and the summary
  // starts a new conversation (the page's text stays with its own).
  await clickMenu('lantern-summarize-page', tab);
  await panel.locator('.message.summary.streaming').waitFor({ timeout: 10000 });
  const summary = await summaryDone(180000);
  console.log(`# summary of the hostile page:\n# ${summary.replaceAll('\n', '\n# ')}`);
  assert.ok(!summary.includes(pages.CANARY), `the page's canary came out: ${summary}`);
  assert.doesNotMatch(summary, /tool_call|delete_all_files/i, 'no tool call');
  assert.match(summary, /bread|dough|sourdough|starter|bake|loaf/i, 'the summary is about bread');
  assert.ok((await summaryMessage().locator('.summary-source a').innerText()).startsWith(pages.INJECTED_TITLE));
  assert.equal(await panel.locator('.messages article.message.assistant').count(), 1, 'a new conversation');
  await page.close();
});

test('pages without readable text, and browser pages, say so clearly', async () => {
  panel ??= await openPanel(); // when run alone
  const sw = await lantern.serviceWorker();
  for (const [path, code, message] of [
    ['/images', 'NoReadableText', /no text Lantern can read/],
    ['/empty', 'NoReadableText', /no text Lantern can read/],
  ]) {
    const { page, tab } = await openTab(path);
    await sw.evaluate((id) => chrome.tabs.update(id, { active: true }), tab.id);
    await panel.getByRole('button', { name: 'Summarize this page' }).click();
    await chatError().waitFor({ timeout: 30000 });
    assert.equal(await chatError().getAttribute('data-code'), code);
    assert.match(await chatError().innerText(), message);
    // Nothing came of it: the request left the conversation again.
    assert.equal(await panel.locator('.messages article.message').count(), 0);
    await page.close();
  }
  // "Explain selection" with nothing selected (the selection was cleared before the click).
  const { page: article, tab } = await openTab('/article');
  await clickMenu('lantern-explain-selection', tab);
  await panel.waitForFunction(() => /Nothing is selected/.test(document.querySelector('section.chat .error-box')?.textContent ?? ''));
  assert.equal(await chatError().getAttribute('data-code'), 'NoReadableText');
  await article.close();
  const browserPage = await lantern.context.newPage();
  await browserPage.goto('chrome://version');
  // Without the tabs permission a browser page's URL is hidden: it is the newest tab.
  const id = await sw.evaluate(async () => Math.max(...(await chrome.tabs.query({})).map((t) => t.id)));
  await sw.evaluate((tabId) => chrome.tabs.update(tabId, { active: true }), id);
  await panel.getByRole('button', { name: 'Summarize this page' }).click();
  await panel.waitForFunction(() => /browser pages/.test(document.querySelector('section.chat .error-box')?.textContent ?? ''));
  assert.equal(await chatError().getAttribute('data-code'), 'NoPageAccess');
  await screenshot(panel, 'summary-browser-page');
  await browserPage.close();
});

test(`a ${LONG_WORDS}-word page is summarized in parts, with progress`, async () => {
  panel ??= await openPanel(); // when run alone
  const { page, tab } = await openTab('/long');
  await panel.evaluate(() => { window.statuses = []; });
  await summaryOptions();
  await panel.getByLabel('Summary form').selectOption('tldr');
  await clickMenu('lantern-summarize-page', tab);
  const started = Date.now();
  const summary = await summaryDone(270000).catch(async (error) => {
    console.log(`# progress so far (s, status): ${JSON.stringify(await panel.evaluate(() => window.statuses))}`);
    throw error;
  });
  const timeline = await panel.evaluate(() => window.statuses);
  const statuses = timeline.map(([, status]) => status);
  console.log(`# long page: ${((Date.now() - started) / 1000).toFixed(0)} s; ${await chat().locator('.stats').innerText()}`);
  console.log(`# progress (s, status): ${JSON.stringify(timeline)}`);
  console.log(`# summary of the long page:\n# ${summary.replaceAll('\n', '\n# ')}`);
  const parts = statuses.map((s) => s.match(/^Reading part (\d+) of (\d+)/)).filter(Boolean);
  assert.ok(parts.length >= 2, `no part-by-part progress: ${statuses.join(' | ')}`);
  const total = Number(parts[0][2]);
  assert.ok(total >= 2, 'the long page was read in one part');
  assert.deepEqual(parts.map((m) => Number(m[1])), Array.from({ length: total }, (_, i) => i + 1));
  assert.ok(statuses.some((s) => s.startsWith('Writing the summary')));
  assert.ok(summary.trim().length > 20, summary);
  assert.match(summary, /bee|hive|honey|colony|queen/i, summary);
  await screenshot(panel, 'summary-long');
  await page.close();
});
