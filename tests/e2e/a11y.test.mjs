// Accessibility audit with axe-core (pinned in package.json) of the side panel, the options page
// and the popup, in the light and the dark theme: no violations of any impact. The chat shows a
// saved conversation (imported, with Markdown) and its history list, so rendered answers and the
// history controls are audited too. Then the side panel as people use it, with the real
// SmolLM2: a page summarized into the conversation and a question about it answered, audited
// and photographed light and dark, in a narrow and a wide panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, screenshot } from './lib/lantern.mjs';
import { audit } from './lib/axe.mjs';
import { mirrorCatalog } from './lib/mirror.mjs';
import { installFromMirror } from './lib/install.mjs';
import { saveChatSettings } from './lib/settings.mjs';
import { serve } from './lib/web_server.mjs';
import * as pages from './lib/pages.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
let lantern;
let dir;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantern-a11y-'));
  lantern = await launch();
  await lantern.closeWelcome();
  const chat = {
    format: 'lantern-chats',
    version: 1,
    conversations: [{
      id: 'a11y-1', title: '', created_at: 1, updated_at: 2,
      messages: [
        { role: 'user', content: 'How do I list files?' },
        { role: 'assistant', content: '## Listing\n\nUse `ls`:\n\n```sh\nls -la\n```\n\n| flag | meaning |\n|---|---|\n| -l | long |\n\nSee [the manual](https://example.com/ls).' },
      ],
    }],
  };
  await writeFile(join(dir, 'chat.json'), JSON.stringify(chat));
});
after(async () => {
  await lantern?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function showChat(page) {
  await page.getByRole('button', { name: 'History' }).click();
  await page.getByLabel('Import chats').setInputFiles(join(dir, 'chat.json'));
  await page.locator('.history-item').first().waitFor();
  await page.locator('.history-open').first().click();
  await page.locator('.markdown').waitFor();
}

for (const scheme of ['light', 'dark']) {
  test(`side panel, options page and popup have no violations (${scheme})`, async () => {
    const surfaces = [
      ['ui/sidepanel.html', { width: 420, height: 900 }, showChat],
      ['ui/popup.html', { width: 380, height: 580 }, showChat],
      ['ui/options.html', { width: 900, height: 1200 }, (p) => p.locator('section.settings[data-state="ready"]').waitFor()],
    ];
    const found = [];
    for (const [path, viewport, prepare] of surfaces) {
      const page = await lantern.open(path, viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.locator('main section').first().waitFor();
      await prepare(page);
      // The engine check and model list settle first: audit the page as people see it.
      await page.locator('section[data-state="loading"]').waitFor({ state: 'detached', timeout: 30000 }).catch(() => {});
      await page.locator('.model-status').first().waitFor({ timeout: 30000 }).catch(() => {});
      for (const violation of await audit(page)) found.push(`${path}: ${violation}`);
      await page.close();
    }
    assert.deepEqual(found, []);
  });
}

test('the side panel with a summary and an answer in the conversation: light and dark, narrow and wide', async () => {
  assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
  await installFromMirror(lantern, SMOL);
  // Greedy and short: the small model's answer is the same every time and fits the picture.
  await saveChatSettings(lantern, { temperature: 0, maxTokens: 64 });
  const web = await serve({ '/article': pages.article });
  try {
    const article = await lantern.context.newPage();
    await article.goto(`${web.origin}/article`);
    const panel = await lantern.open('ui/sidepanel.html', { width: 700, height: 900 });
    const chat = panel.locator('section.chat');
    await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
    // The panel is a tab here: make the article the active tab it reads.
    const sw = await lantern.serviceWorker();
    await sw.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      await chrome.tabs.update(tab.id, { active: true });
    }, `${web.origin}/article`);

    await panel.getByRole('button', { name: 'Summarize this page' }).click();
    await panel.locator('.message.summary.streaming .markdown').waitFor({ timeout: 180000 });
    await chat.locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 180000 });
    const summary = panel.locator('.messages article.message.summary');
    assert.equal(await summary.count(), 1);
    assert.ok((await summary.locator('.summary-source a').innerText()).startsWith(pages.ARTICLE_TITLE));

    await panel.getByRole('textbox', { name: 'Message' }).fill('Who looked after the lighthouses?');
    await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
    await chat.locator('xpath=self::*[@data-state="generating"]').waitFor();
    await chat.locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 180000 });
    assert.equal(await panel.locator('.messages article.message.assistant').count(), 2);
    console.log(`# the answer: ${await panel.locator('.messages article.message.assistant').last().innerText()}`);

    const found = [];
    for (const [size, width] of [['narrow', 360], ['wide', 700]]) {
      await panel.setViewportSize({ width, height: 760 });
      for (const scheme of ['light', 'dark']) {
        await panel.emulateMedia({ colorScheme: scheme });
        // The conversation scrolls; the composer stays at the bottom of the panel.
        const box = await panel.locator('.composer').boundingBox();
        assert.ok(Math.abs(box.y + box.height - 760) <= 1, `${size}: the composer ends at ${box.y + box.height}, not at the bottom`);
        const overflow = await panel.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, `${size}: the panel scrolls sideways`);
        await screenshot(panel, `sidepanel-chat-${scheme}-${size}`);
        for (const violation of await audit(panel)) found.push(`${scheme} ${size}: ${violation}`);
      }
    }
    assert.deepEqual(found, []);
    await panel.close();
    await article.close();
  } finally {
    await web.close();
  }
});
