// The error boundary around each card: a card that cannot do its job shows why and a Retry in
// its place, and the other cards of the page keep working. The failure is a real one: Lantern's
// chats database left at a newer version (as a later Lantern would leave it), so opening it at
// ours fails with the browser's VersionError.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './lib/lantern.mjs';

let lantern;
before(async () => {
  lantern = await launch();
  await lantern.closeWelcome();
});
after(async () => {
  await lantern?.close();
});

/** Runs `body` (a function of indexedDB) in the service worker, which never opens the chats db. */
const inWorker = async (body) => (await lantern.serviceWorker()).evaluate(body);

test('a card that fails shows the reason and a Retry; the others keep working; Retry rebuilds it', async () => {
  await inWorker(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-chats', 99);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => { open.result.close(); resolve(); };
  }));

  const options = await lantern.open('ui/options.html', { width: 900, height: 1200 });
  const failed = options.locator('section.card.failed[data-view="Settings"]');
  await failed.waitFor({ timeout: 30000 });
  assert.equal(await failed.getAttribute('role'), 'alert');
  assert.equal(await failed.getByRole('heading').textContent(), 'Chat settings could not be shown');
  assert.match(await failed.locator('p.error').innerText(), /^Lantern could not read its settings: .*version/i);
  // Nothing of the broken form is left to save over settings the user cannot see.
  assert.equal(await options.locator('section.settings').count(), 0);
  // The cards beside it are untouched.
  await options.locator('section[aria-labelledby="models-heading"][data-state="ready"]').waitFor({ timeout: 30000 });
  await options.locator('section[aria-labelledby="engine-heading"][data-state="ready"]').waitFor({ timeout: 60000 });
  await screenshot(options, 'options-settings-failed');

  // Still broken: Retry fails again, with the same reason.
  await failed.getByRole('button', { name: 'Retry' }).click();
  await failed.waitFor();
  assert.match(await failed.locator('p.error').innerText(), /could not read its settings/);

  // Repaired (the newer database removed): Retry builds a working form.
  await inWorker(() => new Promise((resolve, reject) => {
    const gone = indexedDB.deleteDatabase('lantern-chats');
    gone.onerror = () => reject(gone.error);
    gone.onsuccess = () => resolve();
  }));
  await failed.getByRole('button', { name: 'Retry' }).click();
  await options.locator('section.settings[data-state="ready"]').waitFor({ timeout: 30000 });
  assert.equal(await options.locator('section.card.failed').count(), 0);
  await options.getByLabel('Max tokens per answer').fill('256');
  await options.getByRole('button', { name: 'Save settings' }).click();
  await options.getByText('Settings saved.').waitFor();
  await options.close();
  assert.deepEqual(lantern.consoleErrors.filter((e) => /panic|unreachable|disposed/i.test(e.text)), []);
});
