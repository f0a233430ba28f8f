// The chat UI against the real SmolLM2 in the side panel: a scripted session (new chat, ask,
// stream, stop, regenerate, edit, search, rename, export, import, delete; the history surviving a
// browser restart), untrusted Markdown rendering inert, and screenshots in both themes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, screenshot } from './lib/lantern.mjs';
import { startMirror } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';
import { launchWithModel } from './lib/install.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
let lantern;
let panel;
let profile;
const dialogs = [];

async function openPanel() {
  const page = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
  return page;
}

before(async () => {
  profile = await mkdtemp(join(tmpdir(), 'lantern-chat-ui-'));
  lantern = await launchWithModel(SMOL, { launchOptions: { profile }, chatSettings: { temperature: 0 } });
  panel = await openPanel();
});
after(async () => {
  await lantern?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const chat = () => panel.locator('section[aria-labelledby="chat-heading"]');
const box = () => panel.getByRole('textbox', { name: 'Message' });
const idle = (timeout = 120000) => chat().locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout });
const generating = () => chat().locator('xpath=self::*[@data-state="generating"]').waitFor();
const messages = () => panel.locator('.messages article.message:not(.streaming)');
const historyItems = () => panel.locator('.history-item');

async function ask(text) {
  await box().fill(text);
  await box().press('Enter');
  await generating();
  await idle();
}

async function download(click) {
  const [file] = await Promise.all([panel.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test('a scripted session: ask, stop, regenerate, edit, search, rename, export, delete', async () => {
  // New chat; the controls' accessible names; Shift+Enter breaks the line without sending.
  await panel.getByRole('button', { name: 'New chat' }).click();
  assert.equal(await messages().count(), 0);
  await panel.getByRole('button', { name: 'Send', exact: true }).waitFor();
  assert.equal(await panel.locator('.messages').getAttribute('aria-live'), 'polite');
  await box().fill('first line');
  await box().press('Shift+Enter');
  await box().type('second line');
  assert.equal(await box().inputValue(), 'first line\nsecond line');
  assert.equal(await messages().count(), 0);

  // Ask; the answer streams.
  await ask('What is the capital of France? Answer in one sentence.');
  assert.equal(await messages().count(), 2);
  assert.match(await messages().nth(1).innerText(), /Paris/);
  assert.match(await panel.locator('.stats').innerText(), /tokens\/s/);

  // Stop with Esc while it streams: the part streamed so far stays.
  await box().fill('Write a very long story about a lantern maker, with many chapters.');
  await box().press('Enter');
  await panel.waitForFunction(() => (document.querySelector('.message.streaming')?.textContent ?? '').length > 40);
  assert.match(await panel.locator('.live-stats').innerText(), /^\d+(\.\d)? tokens\/s$/);
  await box().press('Escape');
  await idle(10000);
  assert.equal(await messages().count(), 4);
  const stopped = await messages().nth(3).innerText();
  assert.ok(stopped.length > 40, 'the stopped answer must stay');
  await panel.getByRole('button', { name: 'Stop' }).waitFor({ state: 'detached' });

  // Regenerate replaces the last answer (same number of messages, a fresh answer).
  await panel.getByRole('button', { name: 'Regenerate' }).click();
  await generating();
  await panel.locator('.message.streaming').waitFor();
  await box().press('Escape');
  await idle(10000);
  assert.equal(await messages().count(), 4);
  assert.ok((await messages().nth(3).innerText()).length > 0);

  // ArrowUp in the empty box edits the last question; sending replaces it and its answer.
  await box().press('ArrowUp');
  assert.equal(await box().inputValue(), 'Write a very long story about a lantern maker, with many chapters.');
  await panel.locator('.editing').waitFor();
  await box().fill('Name one colour of the rainbow.');
  await box().press('Enter');
  await generating();
  await idle();
  assert.equal(await messages().count(), 4);
  assert.equal(await messages().nth(2).innerText().then((t) => t.split('\n')[0]), 'Name one colour of the rainbow.');
  assert.ok(!(await chat().innerText()).includes('lantern maker'), 'the edited question must be gone');

  // Ctrl+K while an answer streams: the answer stops and stays with its own conversation.
  await box().fill('Write a long poem about the moon.');
  await box().press('Enter');
  await panel.waitForFunction(() => (document.querySelector('.message.streaming')?.textContent ?? '').length > 20);
  await panel.keyboard.press('Control+k');
  await idle(10000);
  assert.equal(await messages().count(), 0);

  // A second conversation, to search between.
  await ask('Say hello.');

  // Search the history.
  await panel.getByRole('button', { name: 'History' }).click();
  await panel.locator('.history-list[data-count="2"]').waitFor();
  await panel.getByRole('searchbox', { name: 'Search chats' }).fill('RAINBOW');
  await panel.locator('.history-list[data-count="1"]').waitFor();
  assert.match(await historyItems().first().innerText(), /capital of France/);
  await panel.getByRole('searchbox', { name: 'Search chats' }).fill('zebra-never-said');
  await panel.getByText('No chat matches.').waitFor();
  await panel.getByRole('searchbox', { name: 'Search chats' }).fill('');
  await panel.locator('.history-list[data-count="2"]').waitFor();

  // Open the first conversation from the list, rename it.
  const first = historyItems().filter({ hasText: 'capital of France' });
  await first.locator('.history-open').click();
  await panel.waitForFunction(() => document.querySelectorAll('.messages article.message').length === 6);
  assert.match(await messages().nth(4).innerText(), /moon/);
  await first.getByRole('button', { name: 'Rename chat' }).click();
  await panel.getByRole('textbox', { name: 'Chat title' }).fill('Geography');
  await panel.getByRole('textbox', { name: 'Chat title' }).press('Enter');
  const renamed = historyItems().filter({ hasText: 'Geography' });
  await renamed.waitFor();

  // Export Markdown and JSON.
  const md = await download(() => renamed.getByRole('button', { name: 'Export as Markdown' }).click());
  assert.equal(md.name, 'geography.md');
  assert.match(md.text, /^# Geography\n/);
  assert.match(md.text, /## You\n\nWhat is the capital of France\?/);
  assert.match(md.text, /## Lantern\n\n[^\n]*Paris/);
  const json = await download(() => renamed.getByRole('button', { name: 'Export as JSON' }).click());
  const exported = JSON.parse(json.text);
  assert.equal(exported.format, 'lantern-chats');
  assert.equal(exported.conversations[0].title, 'Geography');
  assert.equal(exported.conversations[0].messages.length, 6);
  await writeFile(join(profile, 'export.json'), json.text);
  await screenshot(panel, 'chat-ui-history');

  // Delete it: gone from the list, and the open chat is a new one.
  await renamed.getByRole('button', { name: 'Delete chat' }).click();
  await panel.locator('.history-list[data-count="1"]').waitFor();
  assert.equal(await messages().count(), 0);

  // Import it back.
  await panel.getByLabel('Import chats').setInputFiles(join(profile, 'export.json'));
  await panel.getByText('Imported 1 chat.').waitFor();
  await panel.locator('.history-list[data-count="2"]').waitFor();

  // A broken file says why and changes nothing.
  await writeFile(join(profile, 'broken.json'), '{"format":"lantern-chats","version":1,"conversations":[{"id":"x","title":"t","created_at":1,"updated_at":1,"messages":[{"role":"wizard","content":"hi"}]}]}');
  await panel.getByLabel('Import chats').setInputFiles(join(profile, 'broken.json'));
  await panel.getByText('message 1 has role "wizard"').waitFor();
  await panel.locator('.history-list[data-count="2"]').waitFor();
  assert.deepEqual(dialogs, []);
});

test('the history survives a browser restart; Delete all empties it', async () => {
  await lantern.context.close();
  lantern = await launch({ profile });
  panel = await openPanel();
  await panel.getByRole('button', { name: 'History' }).click();
  await panel.locator('.history-list[data-count="2"]').waitFor();
  assert.equal(await historyItems().filter({ hasText: 'Geography' }).count(), 1);
  await panel.getByRole('button', { name: 'Delete all' }).click();
  await panel.getByRole('button', { name: 'Delete all chats now' }).click();
  await panel.getByText('No saved chats yet.').waitFor();
});

test('untrusted Markdown in an answer renders inert, with tables, code and safe links', async () => {
  const hostile = {
    format: 'lantern-chats',
    version: 1,
    conversations: [{
      id: 'hostile-1', title: '', created_at: 1, updated_at: 2,
      messages: [
        { role: 'user', content: 'Show me some markup' },
        { role: 'assistant', content: [
          '## Result',
          '',
          'Here: <img src=x onerror=alert(1)> and [click me](javascript:alert(2)) and [docs](https://example.com/docs).',
          '',
          '<a href="javascript:alert(3)" onclick="alert(4)">raw link</a> <script>alert(5)</script>',
          '',
          '| name | value |',
          '|------|-------|',
          '| a    | 1     |',
          '',
          '- first',
          '- second',
          '',
          '```js',
          'console.log("<b>not bold</b>");',
          '```',
        ].join('\n') },
      ],
    }],
  };
  await writeFile(join(profile, 'hostile.json'), JSON.stringify(hostile));
  await panel.getByLabel('Import chats').setInputFiles(join(profile, 'hostile.json'));
  await panel.getByText('Imported 1 chat.').waitFor();
  await historyItems().filter({ hasText: 'Show me some markup' }).locator('.history-open').click();
  const answer = panel.locator('.messages article.message.assistant .markdown');
  await answer.waitFor();

  // Rendered Markdown.
  assert.equal(await answer.locator('h2').innerText(), 'Result');
  assert.equal(await answer.locator('table td').first().innerText(), 'a');
  assert.equal(await answer.locator('li').count(), 2);
  assert.equal((await answer.locator('pre code').innerText()).trim(), 'console.log("<b>not bold</b>");');
  const docs = answer.getByRole('link', { name: 'docs' });
  assert.equal(await docs.getAttribute('href'), 'https://example.com/docs');
  assert.equal(await docs.getAttribute('target'), '_blank');
  assert.match(await docs.getAttribute('rel'), /noopener/);

  // Inert: the markup shows as text, no element runs or loads anything.
  assert.match(await answer.innerText(), /<img src=x onerror=alert\(1\)>/);
  const found = await panel.evaluate(() => {
    const root = document.querySelector('.messages');
    const all = [...root.querySelectorAll('*')];
    return {
      images: root.querySelectorAll('img, script, iframe, object, embed').length,
      handlers: all.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName}.${a.name}`)),
      scriptUrls: all.filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src') ?? '')).length,
    };
  });
  assert.deepEqual(found, { images: 0, handlers: [], scriptUrls: 0 });
  const clickMe = answer.getByText('click me');
  assert.equal(await clickMe.getAttribute('href'), null);
  await clickMe.click();
  await panel.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no script may run');

  // The code block's copy button copies the code.
  // (Chromium grants no clipboard-read to extension origins in tests: the button's own report of
  // a successful clipboard write is what is checked.)
  await answer.getByRole('button', { name: 'Copy code' }).click();
  await answer.getByRole('button', { name: 'Copy code' }).filter({ hasText: 'Copied' }).waitFor();
  await screenshot(panel, 'chat-ui-markdown');
});

test('screenshots: side panel light and dark, options page', async () => {
  await panel.emulateMedia({ colorScheme: 'light' });
  await screenshot(panel, 'sidepanel-light');
  await panel.emulateMedia({ colorScheme: 'dark' });
  await screenshot(panel, 'sidepanel-dark');
  const options = await lantern.open('ui/options.html', { width: 900, height: 1200 });
  await options.locator('section.settings[data-state="ready"]').waitFor();
  await screenshot(options, 'options');
  await options.close();
});

test('settings from the options page reach the chat, also while it is open: theme and max tokens; bad values are refused', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1200 });
  await options.locator('section.settings[data-state="ready"]').waitFor();
  await options.getByLabel('Temperature (0–2)').fill('5');
  await options.getByRole('button', { name: 'Save settings' }).click();
  await options.getByText('Not saved: Temperature must be between 0 and 2.').waitFor();
  await options.getByLabel('Temperature (0–2)').fill('0');
  await options.getByLabel('Max tokens per answer').fill('3');
  await options.getByLabel('Theme').selectOption('dark');
  await options.getByRole('button', { name: 'Save settings' }).click();
  await options.getByText('Settings saved.').waitFor();

  const page = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(22, 21, 19)', 'the dark theme must win over a light system');
  await page.getByRole('textbox', { name: 'Message' }).fill('Tell me a long story about the sea.');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await page.locator('.stats').waitFor({ timeout: 120000 });
  assert.match(await page.locator('.stats').innerText(), /^[23] tokens ·/);

  // Changed while the side panel stays open: the theme switches at once, the limit applies to
  // the next answer.
  await options.getByLabel('Max tokens per answer').fill('1');
  await options.getByLabel('Theme').selectOption('light');
  await options.getByRole('button', { name: 'Save settings' }).click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light', null, { timeout: 10000 });
  await page.getByRole('textbox', { name: 'Message' }).fill('And another one, about mountains.');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  // The stats line shows the latest reply: it reads "1 token" once the second answer is done.
  await page.waitForFunction(() => /^1 tokens? ·/.test(document.querySelector('.stats')?.textContent ?? ''), null, { timeout: 120000 });
  await page.close();

  // Back to the defaults for whatever runs next.
  await options.getByLabel('Max tokens per answer').fill('512');
  await options.getByLabel('Theme').selectOption('system');
  await options.getByRole('button', { name: 'Save settings' }).click();
  await options.getByText('Settings saved.').waitFor();
  await options.close();
});

test('the model can be removed from the chat header, after a confirmation', async () => {
  await panel.getByRole('button', { name: 'Remove the model from this device' }).click();
  await panel.getByRole('button', { name: 'Keep it' }).click();
  await panel.locator('.model-status[data-state="ready"]').waitFor();
  await panel.getByRole('button', { name: 'Remove the model from this device' }).click();
  await panel.getByRole('button', { name: 'Remove it now' }).click();
  await panel.locator('.model-status[data-state="missing"]').waitFor();
  await panel.getByRole('button', { name: 'Download model' }).waitFor();
  assert.ok(await panel.getByRole('button', { name: 'Send', exact: true }).isDisabled());
});

test('downloading the model from the chat shows size and time left, then the chat is ready', async () => {
  const mirror = await startMirror();
  try {
    const setup = await lantern.open('ui/options.html');
    await installClient(setup);
    assert.equal((await request(setup, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl })).final.kind, 'return');
    await setup.close();
    await panel.reload();
    // A local download can finish in a few seconds: every state the line shows is recorded as
    // it changes, rather than polled for (and missed).
    await panel.evaluate(() => {
      window.statusSeen = [];
      new MutationObserver(() => {
        const line = document.querySelector('.model-status');
        if (line) {
          window.statusSeen.push({
            text: line.textContent,
            bar: !!line.querySelector('[role="progressbar"][aria-label="Model download"], progress[aria-label="Model download"]'),
          });
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await panel.getByRole('button', { name: 'Download model' }).click();
    await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 120000 });
    const seen = await panel.evaluate(() => window.statusSeen);
    assert.ok(
      seen.some((s) => s.bar && /\d+ MB of \d+ MB .*left/.test(s.text)),
      `no progress with size and time left among: ${JSON.stringify(seen.map((s) => s.text))}`,
    );
    assert.ok(await panel.getByRole('button', { name: 'Send', exact: true }).isEnabled());
  } finally {
    await mirror.stop();
  }
});
