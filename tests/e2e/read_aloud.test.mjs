// Speech of answers, end to end with real weights from the local mirror: "Read aloud" on a chat
// answer (the audio the document's playback graph scheduled: audible, as long as the text
// needs; the highlighted sentence moving with the sentence events), pause and resume (the audio
// clock stops), an answer spoken while it streams (`speak` on the chat request: the first
// sentence plays before the answer has finished), a Kokoro voice speaking in the browser, and a
// damaged voice file: a specific error in the chat, the answer and the conversation kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithModel, installFromMirror } from './lib/install.mjs';
import { installClient, request } from './lib/requests.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
const PIPER = 'piper-en_US-joe-medium';
const KOKORO = 'kokoro-82m-v1.0-int8';

let lantern;
let panel;
before(async () => {
  lantern = await launchWithModel(SMOL, { chatSettings: { temperature: 0, maxTokens: 72 } });
  await installFromMirror(lantern, 'g2p-en-us');
  await installFromMirror(lantern, PIPER);
  await installFromMirror(lantern, KOKORO);
  await chooseVoice(PIPER);
  panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await installClient(panel);
  await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
});
after(async () => {
  if (lantern?.consoleErrors.length) console.log('# console errors:', JSON.stringify(lantern.consoleErrors, null, 1));
  await lantern?.close();
});

/** Chooses the voice on the options page's speech card, as a user would. */
async function chooseVoice(voice) {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  await options.locator('section.speech[data-state="ready"]').waitFor();
  await options.locator('#set-voice').selectOption(voice);
  await options.getByRole('button', { name: 'Save speech settings' }).click();
  await options.locator('section.speech').getByText('Settings saved.').waitFor();
  await options.close();
}

/** Asks `question` in the panel and waits for the whole answer; returns its article. */
async function ask(question) {
  const answers = panel.locator('.message.assistant:not(.streaming)');
  const before = await answers.count();
  await panel.getByRole('textbox', { name: 'Message' }).fill(question);
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await panel.waitForFunction((n) => document.querySelectorAll('.message.assistant:not(.streaming)').length > n
    && !document.querySelector('.message.streaming'), before, { timeout: 180000 });
  return answers.last();
}

/** Clicks Read aloud on `answer` and, until the reading ends, samples the highlighted text.
 *  Returns the marks seen (in order, each once), the wall time and what was played. */
async function readAloud(answer, { during } = {}) {
  const started = Date.now();
  await answer.getByRole('button', { name: 'Read aloud: this answer' }).click();
  const marks = [];
  await answer.locator('mark.spoken-sentence').first().waitFor({ timeout: 120000 });
  // While it reads, the answer is shown as its text (the offsets point into that).
  const text = await answer.locator('.reading').textContent();
  if (during) await during();
  for (;;) {
    const now = await answer.evaluate((a) => ({
      mark: a.querySelector('mark.spoken-sentence')?.textContent ?? null,
      played: a.querySelector('button.read-aloud')?.dataset.played ?? null,
    }));
    if (now.mark && marks.at(-1) !== now.mark) marks.push(now.mark);
    if (now.played) {
      const [sentences, startedCount, playedSeconds, rms] = now.played.split(' ').map(Number);
      return { text, marks, wall: (Date.now() - started) / 1000, sentences, started: startedCount, playedSeconds, rms };
    }
    assert.ok(Date.now() - started < 240000, 'the reading never ended');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('Read aloud speaks an answer audibly, as long as its text, and the highlight moves', async () => {
  const answer = await ask('Name three planets of the solar system and say one thing about each.');
  const read = await readAloud(answer);
  const { text } = read;
  console.log('# read aloud', JSON.stringify({ chars: text.length, ...read, text: undefined }));
  assert.ok(read.rms > 0.02, `the audio is not silence (rms ${read.rms})`);
  const perChar = read.playedSeconds / text.length;
  assert.ok(perChar > 0.03 && perChar < 0.2, `${read.playedSeconds} s of audio for ${text.length} chars`);
  assert.equal(read.started, read.sentences, 'every sentence began to play');
  assert.ok(read.sentences >= 2, `a multi-sentence answer (${read.sentences})`);
  assert.ok(read.marks.length >= 2, `the highlight moved: ${JSON.stringify(read.marks)}`);
  // Each highlighted piece is a piece of the answer, in order.
  let at = 0;
  for (const mark of read.marks) {
    const found = text.indexOf(mark, at);
    assert.ok(found >= 0, `${JSON.stringify(mark)} is in the answer after char ${at}`);
    at = found + mark.length;
  }
  // Done: the answer is Markdown again, with nothing marked.
  assert.equal(await answer.locator('mark.spoken-sentence').count(), 0);
  assert.equal(await answer.locator('.markdown').count(), 1);
});

test('Pause stops the audio clock and Resume goes on from there', async () => {
  const answer = panel.locator('.message.assistant:not(.streaming)').last();
  const PAUSE_MS = 2500;
  let held;
  const read = await readAloud(answer, {
    during: async () => {
      await answer.getByRole('button', { name: 'Pause' }).click();
      await answer.getByText('Reading paused').waitFor();
      const first = await answer.locator('mark.spoken-sentence').textContent();
      await new Promise((r) => setTimeout(r, PAUSE_MS));
      held = first === (await answer.locator('mark.spoken-sentence').textContent());
      await answer.getByRole('button', { name: 'Resume' }).click();
      await answer.getByText('Reading aloud…').waitFor();
    },
  });
  console.log('# paused reading', JSON.stringify({ ...read, text: undefined }));
  assert.ok(held, 'the highlight stayed on its sentence while paused');
  assert.equal(read.started, read.sentences, 'it went on to the end after Resume');
  // The pause is added to the time it took, and none of the audio was skipped.
  assert.ok(read.wall >= read.playedSeconds + PAUSE_MS / 1000 - 0.5, JSON.stringify(read));
});

test('with speak set, the first sentence plays before the answer has finished streaming', async () => {
  const result = await panel.evaluate(async ([model, voice]) => {
    const record = window.lantern.request('offscreen', {
      type: 'chat',
      model_id: model,
      messages: [{ role: 'user', content: 'Write a long story about a lighthouse keeper and a storm.' }],
      sampling: { temperature: 0, top_p: 1, top_k: 1, min_p: 0, repeat_penalty: 1.1, max_tokens: 96, seed: 1, ignore_eos: true },
      fresh_context: true,
      speak: { model_id: voice, rate: 1.0 },
    });
    const times = [];
    const seen = new Set();
    const started = Date.now();
    while (!(await Promise.race([record.done.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]))) {
      for (const reply of record.replies) {
        if (!seen.has(reply)) { seen.add(reply); times.push([Date.now() - started, reply]); }
      }
    }
    for (const reply of record.replies) if (!seen.has(reply)) times.push([Date.now() - started, reply]);
    return times;
  }, [SMOL, PIPER]);
  const final = result.at(-1)[1];
  assert.equal(final.kind, 'return', JSON.stringify(final));
  const reply = final.value;
  const tokens = result.filter(([, r]) => r.kind === 'progress' && r.event.type === 'token');
  const sentences = result.filter(([, r]) => r.kind === 'progress' && r.event.type === 'sentence');
  const lastToken = tokens.at(-1)[0];
  const firstSentence = sentences[0]?.[0];
  console.log('# streamed speech', JSON.stringify({
    tokens: tokens.length, first_sentence_ms: firstSentence, last_token_ms: lastToken,
    reply_ms: result.at(-1)[0], spoken: reply.spoken,
  }));
  assert.ok(firstSentence !== undefined, 'a sentence began to play');
  assert.ok(firstSentence < lastToken, `the first sentence played at ${firstSentence} ms, the answer ended at ${lastToken} ms`);
  assert.ok(reply.spoken, 'the reply says what was spoken');
  assert.equal(reply.spoken.stopped, false);
  assert.ok(reply.spoken.rms > 0.02, JSON.stringify(reply.spoken));
  assert.equal(reply.spoken.started, reply.spoken.sentences, JSON.stringify(reply.spoken));
  // The events point into the answer's text, in order, at its sentences.
  const spans = sentences.map(([, r]) => r.event);
  assert.deepEqual(spans.map((e) => e.index), spans.map((_, i) => i));
  for (const e of spans) {
    const piece = [...reply.text].slice(e.start, e.end).join('');
    assert.ok(/\w/.test(piece) && piece === piece.trim(), JSON.stringify({ e, piece }));
  }
  // The reply waited for the audio: it came after the last token by at least the last sentence.
  assert.ok(result.at(-1)[0] > lastToken, 'the reply came after the speech, not with the last token');
});

test('stop_speaking silences a spoken answer and lets it finish; stop_chat ends both', async () => {
  const ask = (maxTokens) => panel.evaluate(([model, voice, max]) => {
    window.spokenChat = window.lantern.request('offscreen', {
      type: 'chat',
      model_id: model,
      messages: [{ role: 'user', content: 'Tell me a long story about a fox in a forest.' }],
      sampling: { temperature: 0, top_p: 1, top_k: 1, min_p: 0, repeat_penalty: 1.1, max_tokens: max, seed: 1, ignore_eos: true },
      fresh_context: true,
      speak: { model_id: voice },
    });
  }, [SMOL, PIPER, maxTokens]);
  const firstSentence = () => panel.waitForFunction(
    () => window.spokenChat.replies.some((r) => r.kind === 'progress' && r.event.type === 'sentence'),
    null, { timeout: 120000 });

  await ask(120);
  await firstSentence();
  const stop = await request(panel, 'offscreen', { type: 'stop_speaking' });
  assert.equal(stop.final.kind, 'return', JSON.stringify(stop.final));
  const silenced = await panel.evaluate(() => window.spokenChat.done);
  assert.equal(silenced.kind, 'return', JSON.stringify(silenced));
  console.log('# speech stopped', JSON.stringify({ finish: silenced.value.finish, tokens: silenced.value.generated_tokens, spoken: silenced.value.spoken }));
  assert.equal(silenced.value.spoken.stopped, true);
  assert.ok(silenced.value.spoken.started < silenced.value.spoken.sentences, JSON.stringify(silenced.value.spoken));
  // The answer itself was written to its end.
  assert.equal(silenced.value.finish, 'length');
  assert.equal(silenced.value.generated_tokens, 120);

  await ask(400);
  await firstSentence();
  // Stop names the answer, on its own port, as the chat's Stop does.
  const stopChat = await panel.evaluate(() => window.spokenChat.stop());
  assert.equal(stopChat.kind, 'return', JSON.stringify(stopChat));
  const both = await panel.evaluate(() => window.spokenChat.done);
  assert.equal(both.kind, 'return', JSON.stringify(both));
  console.log('# chat stopped', JSON.stringify({ finish: both.value.finish, tokens: both.value.generated_tokens, spoken: both.value.spoken }));
  assert.equal(both.value.finish, 'cancelled');
  assert.ok(both.value.generated_tokens < 400);
  assert.equal(both.value.spoken.stopped, true);
});

test('a Kokoro voice speaks in the browser, and each voice is timed on this machine', async () => {
  const text = 'Kokoro speaks in the browser now. It reads a second sentence too.';
  const r = await request(panel, 'offscreen', { type: 'speak', model_id: `${KOKORO}:af_heart`, text });
  assert.equal(r.final.kind, 'return', JSON.stringify(r.final));
  const spoken = r.final.value;
  console.log('# kokoro spoken', JSON.stringify(spoken));
  assert.equal(spoken.sentences, 2);
  assert.equal(spoken.started, 2);
  assert.ok(spoken.rms > 0.02, JSON.stringify(spoken));
  const perChar = spoken.scheduled_seconds / text.length;
  assert.ok(perChar > 0.03 && perChar < 0.2, JSON.stringify(spoken));
  const events = r.replies.filter((x) => x.kind === 'progress' && x.event.type === 'sentence').map((x) => x.event);
  assert.deepEqual(events.map((e) => text.slice(e.start, e.end)),
    ['Kokoro speaks in the browser now.', 'It reads a second sentence too.']);
  const unknown = await request(panel, 'offscreen', { type: 'speak', model_id: `${KOKORO}:zz_nobody`, text });
  assert.equal(unknown.final.kind, 'throw');
  assert.match(unknown.final.error.message, /has no voice "zz_nobody": its voices are af_bella, af_heart/);
  for (const voice of [`${KOKORO}:af_heart`, PIPER]) {
    const m = await request(panel, 'offscreen', { type: 'measure_voice_speed', model_id: voice });
    assert.equal(m.final.kind, 'return', JSON.stringify(m.final));
    console.log('# voice speed', JSON.stringify(m.final.value));
    assert.ok(m.final.value.real_time_factor > 0 && m.final.value.audio_seconds > 1, JSON.stringify(m.final.value));
  }
});

test('a damaged voice file is a specific error in the chat, and nothing else is lost', async () => {
  await chooseVoice(`${KOKORO}:af_bella`);
  // Flip a byte of the voice's stored pack, behind Lantern's back.
  await panel.evaluate((model) => new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-models');
    open.onsuccess = () => {
      const tx = open.result.transaction('chunks', 'readwrite');
      const store = tx.objectStore('chunks');
      const key = [model, 'voices/af_bella.bin', 0];
      const get = store.get(key);
      get.onsuccess = () => { const bytes = get.result; bytes[1000] ^= 0xff; store.put(bytes, key); };
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), KOKORO);
  // The speech-out worker holds Kokoro from the test before: unloading makes it read the cache.
  const unloaded = await request(panel, 'offscreen', { type: 'unload_model', model_id: KOKORO });
  assert.equal(unloaded.final.kind, 'return', JSON.stringify(unloaded.final));
  // The open panel follows the saved settings (the voice chosen on the options page).
  const answer = panel.locator('.message.assistant').first();
  const before = await answer.locator('.markdown').innerText();
  const messagesBefore = await panel.locator('.message').count();
  await answer.getByRole('button', { name: 'Read aloud: this answer' }).click();
  const error = panel.locator('.error-box[role="alert"]');
  await error.waitFor({ timeout: 120000 });
  const text = await error.innerText();
  console.log('# damaged voice', JSON.stringify(text));
  assert.equal(await error.getAttribute('data-code'), 'HashMismatch');
  assert.match(text, /kokoro-82m-v1\.0-int8 was damaged \(voices\/af_bella\.bin no longer matches its checksum\)/);
  // The answer is still there as it was, and so is the rest of the conversation.
  assert.equal(await answer.locator('.markdown').innerText(), before);
  assert.equal(await panel.locator('.message').count(), messagesBefore);
  await answer.getByRole('button', { name: 'Read aloud: this answer' }).waitFor();
  // Another voice still speaks (its first sentence is enough; Stop ends the rest).
  await chooseVoice(PIPER);
  const again = await readAloud(answer, {
    during: () => answer.getByRole('button', { name: 'Stop reading' }).click(),
  });
  assert.ok(again.rms > 0.02, JSON.stringify(again));
});

test('"Speak answers aloud" on the options page speaks the next answer as it streams', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  await options.locator('section.speech[data-state="ready"]').waitFor();
  await options.getByLabel('Speak answers aloud').check();
  await options.getByRole('button', { name: 'Save speech settings' }).click();
  await options.locator('section.speech').getByText('Settings saved.').waitFor();
  await options.close();
  await ask('What colour is the sky on a clear day?');
  // The answer's figures say how many of its sentences were heard (from the reply's `spoken`).
  const stats = await panel.locator('.stats').innerText();
  console.log('# spoken answer stats', JSON.stringify(stats));
  const heard = stats.match(/(\d+) sentences? read aloud/);
  assert.ok(heard && Number(heard[1]) >= 1, stats);
});
