// Dictation end to end: Chromium's fake microphone plays a committed speech clip (padded with
// silence), the Dictate button listens in the offscreen document, the voice detector ends the
// utterance, Whisper tiny.en (from IndexedDB) transcribes it in a worker, and the words land in
// the chat box. Also: the offer to download the speech model, the permission page (and its
// opening when no grant exists), and a microphone blocked for Lantern.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, screenshot } from './lib/lantern.mjs';
import { startMirror, mirrorCatalog } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';
import { padWithSilence } from './lib/wav.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SPEECH = join(here, '..', '..', 'models', 'tests', 'fixtures', 'speech');
const CLIP = 'clips/00-piper.wav';
const SENTENCE = JSON.parse(readFileSync(join(SPEECH, 'clips.json'), 'utf8')).find((c) => c.file === CLIP).text;

let lantern;
let mirror;
let scratch;
let panel;
before(async () => {
  assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
  scratch = await mkdtemp(join(tmpdir(), 'lantern-dictate-'));
  // Half a second before the sentence, two after: the detector hears it start and end.
  const wav = join(scratch, 'sentence.wav');
  padWithSilence(join(SPEECH, CLIP), wav, 0.5, 2.0);
  lantern = await launch({
    args: [
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
    ],
  });
  await lantern.closeWelcome();
  mirror = await startMirror();
  panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await installClient(panel);
  const set = await request(panel, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
  assert.equal(set.final.kind, 'return', JSON.stringify(set.final));
  // The panel looks for the speech models in the mirror's catalog from now on.
  await panel.reload();
  await installClient(panel);
});
after(async () => {
  if (lantern?.consoleErrors.length) console.log('# console errors:', JSON.stringify(lantern.consoleErrors, null, 1));
  await lantern?.close();
  await mirror?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const words = (text) => text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);
const messageBox = () => panel.getByRole('textbox', { name: 'Message' });
const status = () => panel.locator('.dictate-status');

test('without the speech model, Dictate says so and offers the download', async () => {
  await panel.getByRole('button', { name: 'Dictate', exact: true }).click();
  const problem = status().locator('[data-code="NotInstalled"]');
  await problem.waitFor({ timeout: 30000 });
  assert.match(await problem.innerText(), /Dictation needs the speech model Whisper tiny \(English\) on this device \(\d+ MB to download\)\./);
  await screenshot(panel, 'dictate-not-installed');
  await status().getByRole('button', { name: 'Download speech model' }).click();
  await status().getByText(/Downloading the speech model/).waitFor();
  await status().getByRole('button', { name: 'Download speech model' }).waitFor({ state: 'detached', timeout: 120000 });
  await panel.waitForFunction(() => document.querySelector('.dictate-status')?.textContent === '', null, { timeout: 120000 });
  const list = await request(panel, 'offscreen', { type: 'list_models' });
  const state = (id) => list.final.value.models.find((m) => m.entry.id === id).state.state;
  assert.equal(state('whisper-tiny.en'), 'installed');
  assert.equal(state('whisper-assets'), 'installed');
});

test('pressing Dictate and speaking a sentence puts its transcript in the chat box', async () => {
  await messageBox().fill('');
  const dictate = panel.getByRole('button', { name: 'Dictate', exact: true });
  await dictate.click();
  assert.equal(await dictate.getAttribute('aria-pressed'), 'true');
  await panel.waitForFunction(() => document.querySelector('textarea').value.trim().length > 0, null, { timeout: 120000 });
  const heard = await messageBox().inputValue();
  const expected = new Set(words(SENTENCE));
  const got = new Set(words(heard));
  const overlap = [...expected].filter((w) => got.has(w)).length / expected.size;
  console.log(`# heard ${JSON.stringify(heard)} for ${JSON.stringify(SENTENCE)}: ${(overlap * 100).toFixed(0)}% of the words`);
  assert.ok(overlap >= 0.7, `only ${(overlap * 100).toFixed(0)}% of the sentence's words: ${heard}`);
  assert.equal(await dictate.getAttribute('aria-pressed'), 'false', 'listening must stop by itself after the sentence');
  await screenshot(panel, 'dictate-transcript');
});

test('the engine uses Silero once it is downloaded, the energy detector before', async () => {
  const dictate = async () => {
    const r = await request(panel, 'offscreen', { type: 'start_dictation', model_id: 'whisper-tiny.en' });
    assert.equal(r.final.kind, 'return', JSON.stringify(r.final));
    const events = r.replies.filter((x) => x.kind === 'progress').map((x) => x.event);
    const order = events.map((e) => e.type).filter((t) => t !== 'step' && t !== 'transcript');
    assert.deepEqual(order, ['listening', 'speech_started', 'speech_ended']);
    assert.ok(events.some((e) => e.type === 'transcript' && e.partial === false && e.text === r.final.value.text));
    return r.final.value;
  };
  const energy = await dictate();
  assert.equal(energy.vad, 'energy');
  const installed = await request(panel, 'offscreen', { type: 'download_model', model_id: 'silero-vad-16k' });
  assert.equal(installed.final.kind, 'return', JSON.stringify(installed.final));
  const silero = await dictate();
  assert.equal(silero.vad, 'silero');
  for (const result of [energy, silero]) {
    const expected = new Set(words(SENTENCE));
    const got = new Set(words(result.text));
    const overlap = [...expected].filter((w) => got.has(w)).length / expected.size;
    assert.ok(overlap >= 0.7, `${result.vad}: ${result.text}`);
    // The utterance the detector cut holds the sentence (2.54 s) and not much of the silence.
    assert.ok(result.speech_seconds > 2.2 && result.speech_seconds < 3.8, `${result.vad} cut ${result.speech_seconds} s`);
    assert.ok(result.transcribe_ms > 0 && result.real_time_factor > 0);
  }
});

test('the voice settings choose the microphone and, for another language, a multilingual model', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1200 });
  await options.locator('section.settings[data-state="ready"]').waitFor();
  const save = async () => {
    await options.getByRole('button', { name: 'Save settings' }).click();
    await options.getByText('Settings saved.').waitFor();
  };
  // Granted earlier in this profile, so the browser lists its (fake) microphones by name.
  await options.waitForFunction(() => document.querySelectorAll('#set-mic option').length > 1, null, { timeout: 10000 });
  const mics = await options.$$eval('#set-mic option', (list) => list.map((o) => ({ id: o.value, name: o.textContent })));
  const chosen = mics.find((m) => m.id && m.id !== 'default');
  assert.ok(chosen, `a microphone besides the default: ${JSON.stringify(mics)}`);
  await options.getByLabel('Microphone').selectOption(chosen.id);
  await options.getByLabel('Speech input language').selectOption('en');
  await save();

  await messageBox().fill('');
  await panel.getByRole('button', { name: 'Dictate', exact: true }).click();
  await panel.waitForFunction(() => document.querySelector('textarea').value.trim().length > 0, null, { timeout: 120000 });
  const heard = new Set(words(await messageBox().inputValue()));
  const expected = [...new Set(words(SENTENCE))];
  assert.ok(expected.filter((w) => heard.has(w)).length / expected.length >= 0.7, `through ${chosen.name}: ${[...heard].join(' ')}`);

  // The chosen microphone was unplugged since: a named error, not another microphone.
  await options.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-chats');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('settings', 'readwrite');
      tx.objectStore('settings').put({ voice_language: 'en', microphone: 'a-microphone-that-was-unplugged' }, 'settings');
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await messageBox().fill('keep this');
  await panel.getByRole('button', { name: 'Dictate', exact: true }).click();
  const gone = status().locator('[data-code="MicrophoneNotFound"]');
  await gone.waitFor({ timeout: 30000 });
  assert.match(await gone.innerText(), /The microphone chosen in Lantern's settings is not connected/);
  assert.equal(await messageBox().inputValue(), 'keep this');

  // German needs a multilingual Whisper: Dictate offers that one, not the English-only default.
  await options.reload();
  await options.locator('section.settings[data-state="ready"]').waitFor();
  await options.getByLabel('Microphone').selectOption('');
  await options.getByLabel('Speech input language').selectOption('de');
  await save();
  await panel.getByRole('button', { name: 'Dictate', exact: true }).click();
  const offer = status().locator('[data-code="NotInstalled"]');
  await offer.waitFor({ timeout: 30000 });
  assert.match(await offer.innerText(), /Dictation needs the speech model Whisper base \(multilingual\)/);
  await status().getByRole('button', { name: 'Download speech model' }).waitFor();

  await options.getByLabel('Speech input language').selectOption('auto');
  await save();
  await options.close();
});

test('the permission page asks for the microphone once and says it is allowed', async () => {
  const page = await lantern.open('ui/microphone.html');
  await page.locator('section[data-state="allowed"]').waitFor({ timeout: 30000 });
  assert.match(await page.getByRole('status').innerText(), /Lantern may now use the microphone/);
  await page.close();
});

test('without a grant the permission page opens; a blocked microphone gets its own message; the box keeps its text', async () => {
  // A browser that does not answer permission prompts by itself, with the speech model installed.
  const strict = await launch({ args: ['--use-fake-device-for-media-stream'] });
  try {
    await strict.closeWelcome();
    const side = await strict.open('ui/sidepanel.html', { width: 420, height: 900 });
    await installClient(side);
    await request(side, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
    for (const id of ['whisper-tiny.en', 'whisper-assets']) {
      const r = await request(side, 'offscreen', { type: 'download_model', model_id: id });
      assert.equal(r.final.kind, 'return', JSON.stringify(r.final));
    }
    await side.reload();
    const box = side.getByRole('textbox', { name: 'Message' });
    const dictate = side.getByRole('button', { name: 'Dictate', exact: true });
    const problem = (code) => side.locator(`.dictate-status [data-code="${code}"]`);
    await box.fill('keep this');

    // Never asked: the engine cannot prompt, so the permission page opens in a tab.
    const opened = strict.context.waitForEvent('page', { predicate: (p) => p.url().endsWith('/ui/microphone.html') });
    await dictate.click();
    await problem('MicrophonePermissionNeeded').waitFor({ timeout: 30000 });
    assert.match(await problem('MicrophonePermissionNeeded').innerText(), /not been allowed to use the microphone yet/);
    await side.getByRole('link', { name: 'Allow the microphone' }).waitFor();
    await (await opened).close();

    // Blocked for Lantern's origin.
    await strict.browserCdp.send('Browser.setPermission', {
      permission: { name: 'microphone' },
      setting: 'denied',
      origin: strict.url('').replace(/\/$/, ''),
    });
    await dictate.click();
    await problem('MicrophoneDenied').waitFor({ timeout: 30000 });
    assert.match(await problem('MicrophoneDenied').innerText(), /Lantern is not allowed to use the microphone\. Allow it for Lantern in Chromium's settings/);
    assert.equal(await box.inputValue(), 'keep this');
    assert.equal(await dictate.getAttribute('aria-pressed'), 'false');
    await screenshot(side, 'dictate-denied');
  } finally {
    await strict.close();
  }
});
