// Accessibility audit with axe-core (pinned in package.json) of the side panel, the options page
// and the popup, in the light and the dark theme: no serious or critical violations. The chat
// shows a saved conversation (imported, with Markdown) and its history list, so rendered
// answers and the history controls are audited too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './lib/lantern.mjs';
import { audit } from './lib/axe.mjs';

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
  test(`side panel, options page and popup have no serious or critical violations (${scheme})`, async () => {
    const surfaces = [
      ['ui/sidepanel.html', { width: 420, height: 900 }, showChat],
      ['ui/popup.html', { width: 360, height: 600 }, showChat],
      ['ui/options.html', { width: 900, height: 1200 }, (p) => p.locator('section.settings[data-state="ready"]').waitFor()],
    ];
    const found = [];
    for (const [path, viewport, prepare] of surfaces) {
      const page = await lantern.open(path, viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.locator('section.card').first().waitFor();
      await prepare(page);
      // The engine check and model list settle first: audit the page as people see it.
      await page.locator('section[data-state="loading"]').waitFor({ state: 'detached', timeout: 30000 }).catch(() => {});
      for (const violation of await audit(page)) found.push(`${path}: ${violation}`);
      await page.close();
    }
    assert.deepEqual(found, []);
  });
}
