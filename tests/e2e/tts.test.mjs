// Speech out end to end: the Piper voice and the phonemizer's dictionaries installed from the
// local mirror into IndexedDB, `speak` sent as the UI sends it; the speech-out worker makes each
// sentence and the offscreen document plays it through its AudioContext. What the document's
// playback graph scheduled (samples, their RMS, time played) comes back in `spoken`, and each
// sentence's start arrives as an event. Also: stop ends the speech at once, and a voice that is
// not installed is a specific error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './lib/lantern.mjs';
import { installFromMirror } from './lib/install.mjs';
import { mirrorCatalog } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';

const VOICE = 'piper-en_US-joe-medium';
const TEXT = 'Hello from Lantern. The meeting moved to March 4th at 10:30 am! Is that too early?';
// Long enough that stopping after its first sentence leaves most of it unplayed.
const LONG = [
  'This is the first sentence of a long answer.',
  'The second sentence says a little more about it.',
  'A third one follows, and then a fourth.',
  'The fourth sentence is here.',
  'And the last one closes the answer.',
].join(' ');

let lantern;
let panel;
before(async () => {
  assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
  lantern = await launch();
  await lantern.closeWelcome();
  await installFromMirror(lantern, 'g2p-en-us');
  await installFromMirror(lantern, VOICE);
  panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await installClient(panel);
});
after(async () => {
  if (lantern?.consoleErrors.length) console.log('# console errors:', JSON.stringify(lantern.consoleErrors, null, 1));
  await lantern?.close();
});

const sentenceEvents = (replies) =>
  replies.filter((r) => r.kind === 'progress' && r.event.type === 'sentence').map((r) => r.event);

test('speak plays every sentence through the document, audibly, as long as the text needs', async () => {
  const r = await request(panel, 'offscreen', { type: 'speak', model_id: VOICE, text: TEXT });
  assert.equal(r.final.kind, 'return', JSON.stringify(r.final));
  const spoken = r.final.value;
  console.log('# spoken', JSON.stringify(spoken));
  assert.equal(spoken.type, 'spoken');
  assert.equal(spoken.sentences, 3);
  assert.equal(spoken.started, 3);
  assert.equal(spoken.stopped, false);
  assert.ok(spoken.rms > 0.02, `speech is not silence (rms ${spoken.rms})`);
  const perChar = spoken.scheduled_seconds / TEXT.length;
  assert.ok(perChar > 0.04 && perChar < 0.2, `${spoken.scheduled_seconds} s for ${TEXT.length} chars`);
  // Played to the end: the whole scheduled audio went out. Sentences are scheduled back to
  // back; one made slower than the one before it plays (a loaded machine) leaves a gap, so
  // only a short one is allowed.
  assert.ok(spoken.played_seconds >= spoken.scheduled_seconds - 0.01, JSON.stringify(spoken));
  assert.ok(spoken.played_seconds < spoken.scheduled_seconds + 0.5, JSON.stringify(spoken));
  // The worker timed its own synthesis of what was scheduled (a real-time factor, not zero).
  assert.ok(spoken.synthesis_seconds > 0 && spoken.synthesis_seconds < 10 * spoken.scheduled_seconds, JSON.stringify(spoken));
  const events = sentenceEvents(r.replies);
  assert.deepEqual(events.map((e) => e.index), [0, 1, 2]);
  assert.deepEqual(
    events.map((e) => TEXT.slice(e.start, e.end)),
    ['Hello from Lantern.', 'The meeting moved to March 4th at 10:30 am!', 'Is that too early?'],
  );
});

test('stop_speaking ends the speech at once and no further sentence starts', async () => {
  await panel.evaluate(([voice, text]) => {
    window.speaking = window.lantern.request('offscreen', { type: 'speak', model_id: voice, text });
  }, [VOICE, LONG]);
  await panel.waitForFunction(
    () => window.speaking.replies.some((r) => r.kind === 'progress' && r.event.type === 'sentence'),
    null,
    { timeout: 120000 },
  );
  const stop = await request(panel, 'offscreen', { type: 'stop_speaking' });
  assert.equal(stop.final.kind, 'return', JSON.stringify(stop.final));
  const final = await panel.evaluate(() => window.speaking.done);
  assert.equal(final.kind, 'return', JSON.stringify(final));
  const spoken = final.value;
  console.log('# stopped', JSON.stringify(spoken));
  assert.equal(spoken.stopped, true);
  const events = await panel.evaluate(() => window.speaking.replies.filter((r) => r.kind === 'progress' && r.event.type === 'sentence').length);
  assert.ok(spoken.started < 5 && events === spoken.started, JSON.stringify({ spoken, events }));
  // The audio ended where it was stopped, well before the text's end: a first sentence is
  // under 4 s, the whole text over 10 s.
  assert.ok(spoken.played_seconds < 4, JSON.stringify(spoken));
});

test('speaking with a voice that is not downloaded says so', async () => {
  const r = await request(panel, 'offscreen', { type: 'speak', model_id: 'piper-en_US-nobody-medium', text: 'Hello.' });
  assert.equal(r.final.kind, 'throw');
  assert.equal(r.final.error.code, 'not_installed', JSON.stringify(r.final));
  const bad = await request(panel, 'offscreen', { type: 'speak', model_id: VOICE, text: 'Hello.', rate: 7 });
  assert.equal(bad.final.kind, 'throw');
  assert.match(bad.final.error.message, /speaking rate 7 is outside 0\.5 to 2/);
});
