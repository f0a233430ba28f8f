// The content script answers a tab's title, URL and selection; pages it cannot read say so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, sendFrom, screenshot } from './lib/lantern.mjs';
import { serve } from './lib/web_server.mjs';

let lantern;
let web;
before(async () => {
  lantern = await launch();
  web = await serve({
    '/article': '<!doctype html><html lang="en"><title>Lanterns through history — Ünïcödé</title>'
      + '<body><h1>Lanterns</h1><p id="p">Paper lanterns glow warmly at night.</p></body></html>',
  });
});
after(async () => { await lantern?.close(); await web?.close(); });

async function tabIdOf(url) {
  return (await lantern.serviceWorker()).evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url);
}

test('page_info returns the title, URL and selected text of a tab', async () => {
  const page = await lantern.context.newPage();
  await page.goto(`${web.origin}/article`);
  await page.evaluate(() => {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById('p'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  });
  const tabId = await tabIdOf(`${web.origin}/article`);
  const ui = await lantern.open('ui/options.html');
  for (const id of [1, 2]) { // twice: injecting again must not break or duplicate the script
    const reply = await sendFrom(ui, { id, target: 'content', body: { type: 'page_info', tab_id: tabId } });
    assert.equal(reply.kind, 'return', JSON.stringify(reply));
    assert.deepEqual(reply.value, {
      type: 'page_info',
      tab_id: tabId,
      title: 'Lanterns through history — Ünïcödé',
      url: `${web.origin}/article`,
      selection: 'Paper lanterns glow warmly at night.',
    });
  }
  await ui.close();
  await page.close();
});

test('the side panel reads the active tab when asked', async () => {
  const page = await lantern.context.newPage();
  await page.goto(`${web.origin}/article`);
  const panel = await lantern.open('ui/sidepanel.html', { width: 400, height: 700 });
  // The panel is a tab here, so name the article's tab as the active one the panel would see.
  const tabId = await tabIdOf(`${web.origin}/article`);
  await (await lantern.serviceWorker()).evaluate((id) => chrome.tabs.update(id, { active: true }), tabId);
  await panel.getByRole('button', { name: 'Read this page' }).click();
  await panel.locator('dd[data-field="title"]').waitFor();
  assert.equal(await panel.locator('dd[data-field="title"]').innerText(), 'Lanterns through history — Ünïcödé');
  assert.equal(await panel.locator('dd[data-field="selection"]').innerText(), '(nothing selected)');
  await screenshot(panel, 'sidepanel-page');
  await panel.close();
  await page.close();
});

test('a browser page gives a clear no-access error', async () => {
  const page = await lantern.context.newPage();
  await page.goto('chrome://version');
  const tabId = await tabIdOf('chrome://version/');
  const ui = await lantern.open('ui/options.html');
  const reply = await sendFrom(ui, { id: 3, target: 'content', body: { type: 'page_info', tab_id: tabId } });
  assert.equal(reply.kind, 'throw');
  assert.equal(reply.error.code, 'no_page_access');
  assert.match(reply.error.message, /cannot read this tab/);
  await ui.close();
  await page.close();
});
