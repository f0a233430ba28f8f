// Lantern in German: Chromium started with a German interface shows the side panel, the popup and
// the options page in German (accessible names, <html lang>, no English string of the catalog
// left on screen), titles its context menu in German, streams and stops an answer of the real
// model with German controls, passes axe-core, and leaves screenshots to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, screenshot } from './lib/lantern.mjs';
import { audit } from './lib/axe.mjs';
import { mirrorCatalog } from './lib/mirror.mjs';
import { installFromMirror } from './lib/install.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const LOCALES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '_locales');
let lantern;
let en;
let de;

before(async () => {
  assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
  en = JSON.parse(await readFile(join(LOCALES, 'en', 'messages.json'), 'utf8'));
  de = JSON.parse(await readFile(join(LOCALES, 'de', 'messages.json'), 'utf8'));
  lantern = await launch({ lang: 'de' });
  await lantern.closeWelcome();
});
after(async () => {
  await lantern?.close();
});

/** The catalog's message with its placeholders left as they are. */
const word = (catalog, key) => catalog[key].message;

/** English strings that differ from their German (equal ones, like "Chat", prove nothing). */
function englishOnly() {
  return new Set(Object.keys(en).filter((k) => en[k].message !== de[k].message && !en[k].message.includes('$'))
    .map((k) => en[k].message));
}

/** Every visible text node of the page, and every accessible name given as an attribute. */
function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const parent = node.parentElement;
      if (!text || !parent || !parent.checkVisibility?.()) continue;
      out.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      for (const name of ['aria-label', 'placeholder', 'title']) {
        const value = el.getAttribute(name);
        if (value) out.push(value.trim());
      }
    }
    return out;
  });
}

async function assertGerman(page, where) {
  assert.equal(await page.evaluate(() => chrome.i18n.getUILanguage()).then((l) => l.slice(0, 2)), 'de',
    `${where}: Chromium did not start in German (on Debian, install chromium-l10n)`);
  assert.equal(await page.evaluate(() => document.documentElement.lang.slice(0, 2)), 'de', `${where}: <html lang>`);
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr', `${where}: <html dir>`);
  const english = englishOnly();
  const texts = await visibleTexts(page);
  assert.ok(english.size > 150 && texts.length > 15, `${where}: ${texts.length} texts read, ${english.size} English strings`);
  const left = texts.filter((text) => english.has(text));
  assert.deepEqual(left, [], `${where}: English left on screen`);
  // The wrapper logs every key the catalog lacks (and shows the key): none may have been asked for.
  assert.deepEqual(lantern.consoleErrors.filter((e) => e.text.includes('Lantern i18n')), [], `${where}: missing keys`);
}

test('the side panel speaks German, streams and stops an answer with German controls, and passes axe', async () => {
  await installFromMirror(lantern, SMOL);
  const panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
  const box = panel.getByRole('textbox', { name: 'Nachricht' });
  await box.waitFor();
  for (const name of ['Senden', 'Neuer Chat', 'Diktieren', 'Verlauf', 'Diese Seite zusammenfassen', 'Diese Seite lesen']) {
    assert.equal(await panel.getByRole('button', { name, exact: true }).count(), 1, `button ${name}`);
  }
  assert.equal(await panel.title(), 'Lantern');
  assert.equal(await box.getAttribute('placeholder'), word(de, 'messagePlaceholder'));
  // The summary's options are German too.
  await panel.getByRole('button', { name: 'Optionen für die Zusammenfassung' }).click();
  await panel.getByLabel('Art der Zusammenfassung').waitFor();
  await assertGerman(panel, 'side panel');
  for (const violation of await audit(panel)) assert.fail(`side panel: ${violation}`);
  await screenshot(panel, 'sidepanel-de');

  // A real answer: "Stopp" while it streams, then idle again with German statistics.
  const chat = panel.locator('section[aria-labelledby="chat-heading"]');
  await box.fill('Write a long story about a lighthouse keeper.');
  await panel.getByRole('button', { name: 'Senden', exact: true }).click();
  await chat.locator('xpath=self::*[@data-state="generating"]').waitFor({ timeout: 60000 });
  const stop = panel.getByRole('button', { name: 'Stopp', exact: true });
  await stop.first().waitFor();
  await panel.locator('.messages .message.streaming .markdown').waitFor({ timeout: 120000 });
  await stop.first().click();
  await chat.locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 60000 });
  assert.equal(await panel.getByRole('button', { name: 'Neu erzeugen' }).count(), 1);
  if (await panel.locator('.stats').count()) {
    assert.match(await panel.locator('.stats').innerText(), /Tokens? · [\d.]+(,\d)? Tokens\/s/);
  }
  await assertGerman(panel, 'side panel after an answer');
  await panel.close();
});

test('the popup speaks German', async () => {
  const popup = await lantern.open('ui/popup.html', { width: 360, height: 600 });
  await popup.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
  await popup.getByRole('textbox', { name: 'Nachricht' }).waitFor();
  await popup.getByRole('button', { name: 'Neuer Chat' }).waitFor();
  await popup.getByRole('button', { name: 'Verlauf' }).click();
  await popup.getByRole('searchbox', { name: 'Chats durchsuchen' }).waitFor();
  await popup.locator('.history-item').first().waitFor();
  await assertGerman(popup, 'popup');
  await popup.close();
});

test('the options page speaks German, formats sizes the German way, and passes axe', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1200 });
  await options.locator('section.settings[data-state="ready"]').waitFor();
  await options.locator('section[aria-labelledby="models-heading"][data-state="ready"]').waitFor({ timeout: 30000 });
  await options.locator('section[aria-labelledby="engine-heading"][data-state="ready"]').waitFor({ timeout: 30000 });
  assert.equal(await options.title(), 'Lantern-Einstellungen');
  await options.getByRole('heading', { name: 'Chat-Einstellungen' }).waitFor();
  await options.getByLabel('Erscheinungsbild').waitFor();
  await options.getByRole('button', { name: 'Einstellungen speichern' }).waitFor();
  // A bad value is refused with a German message that names the field.
  await options.getByLabel('Temperatur (0–2)').fill('5');
  await options.getByRole('button', { name: 'Einstellungen speichern' }).click();
  const refused = options.locator('section.settings .error[role="alert"]');
  await refused.waitFor();
  assert.equal(await refused.innerText(), `Nicht gespeichert: ${word(de, 'invalidTemperature')}`);
  // German number forms from Intl ("1.024,5 MB"), in the engine card's memory of all workers.
  assert.match(await options.locator('[data-field="total-memory"]').innerText(), / \d{1,3}(\.\d{3})*(,\d)? MB$/);
  await assertGerman(options, 'options');
  for (const violation of await audit(options)) assert.fail(`options: ${violation}`);
  await screenshot(options, 'options-de');
  await options.close();
});

test('the context menu is titled in German', async () => {
  const sw = await lantern.serviceWorker();
  // Runs the install listener again with chrome.contextMenus.create watched: the titles it
  // gives Chromium are the ones users see.
  const titles = await sw.evaluate(async () => {
    const create = chrome.contextMenus.create;
    const seen = {};
    chrome.contextMenus.create = (properties, callback) => {
      seen[properties.id] = properties.title;
      return create.call(chrome.contextMenus, properties, callback);
    };
    try {
      await globalThis.lanternInstalled({ reason: 'update' });
    } finally {
      chrome.contextMenus.create = create;
    }
    return seen;
  });
  assert.deepEqual(titles, {
    'lantern-summarize-page': 'Seite zusammenfassen',
    'lantern-summarize-selection': 'Auswahl zusammenfassen',
    'lantern-explain-selection': 'Auswahl erklären',
    'lantern-read-image-text': 'Text im Bild lesen',
  });
  assert.equal(await sw.evaluate(() => chrome.runtime.getManifest().name), 'Lantern');
  assert.equal(await sw.evaluate(() => chrome.i18n.getMessage('commandSidePanel')), word(de, 'commandSidePanel'));
  assert.notEqual(word(de, 'commandSidePanel'), word(en, 'commandSidePanel'));
});
