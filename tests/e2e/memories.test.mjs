// The built-in memories server end to end, with the real Qwen2.5-Coder-0.5B (a model that calls
// tools) answering greedily and the real all-MiniLM-L6-v2 embedding in its own worker: the Tools
// card lists the built-in servers first (not removable); memories switched on list their tools;
// "remember that my bike lock code is 4721" asks before storing (remember changes data), and
// the memory lands in IndexedDB with its embedding; after a browser restart with the same
// profile, a new conversation asking "what is my bike lock code?" gets 4721 through recall,
// which runs without asking (it only reads).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, screenshot } from './lib/lantern.mjs';
import { installAsChatDefault } from './lib/install.mjs';
import { saveChatSettings } from './lib/settings.mjs';

const QWEN = 'qwen2.5-coder-0.5b-instruct-q5_0';
const MINILM = 'all-minilm-l6-v2';
let profile;
let lantern;
let installed;

before(async () => {
  profile = await mkdtemp(join(tmpdir(), 'lantern-memories-'));
  lantern = await launch({ profile });
  await lantern.closeWelcome();
  installed = await installAsChatDefault(lantern, QWEN, [MINILM]);
  await saveChatSettings(lantern, { temperature: 0, maxTokens: 160 });
});
after(async () => {
  await lantern?.close();
  await installed?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const chat = (panel) => panel.locator('section[aria-labelledby="chat-heading"]');
/** Waits for the chat to be done; on a timeout says what the conversation shows. */
async function idle(panel) {
  try {
    await chat(panel).locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 180000 });
  } catch (e) {
    const shown = await panel.locator('.messages').innerText().catch(() => '?');
    throw new Error(`${e.message}\nconversation: ${shown}`);
  }
}

/** Every memory in the extension's IndexedDB, read from one of its pages. */
function storedMemories(page) {
  return page.evaluate(async () => {
    // Opening a database that does not exist would create it: look first.
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('lantern-memories')) return [];
    return new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-memories');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('memories')) return resolve([]);
      const all = db.transaction('memories').objectStore('memories').getAll();
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    };
    });
  });
}

/** The newest saved conversation's messages (what the model was sent). */
function savedMessages(panel) {
  return panel.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('lantern-chats');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const store = names.find((n) => n.includes('conversation')) ?? names[0];
      const all = db.transaction(store).objectStore(store).getAll();
      all.onsuccess = () => resolve(all.result.sort((a, b) => b.updated_at - a.updated_at)[0]?.messages ?? []);
    };
  }));
}

async function ask(panel, question) {
  await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 60000 });
  await panel.getByRole('textbox', { name: 'Message' }).fill(question);
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await chat(panel).locator('xpath=self::*[@data-state="generating"]').waitFor();
}

test('the Tools card lists the built-in servers; memories switched on list their tools', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  const card = options.locator('section.tools-card');
  const calculator = card.locator('li.tool-server[data-url="lantern:calculator"]');
  const memories = card.locator('li.tool-server[data-url="lantern:memories"]');
  await calculator.locator('xpath=self::*[@data-state="connected"]').waitFor({ timeout: 20000 });
  assert.match(await calculator.locator('.tool-server-state').innerText(), /protocol 2026-07-28/);
  assert.equal(await memories.getAttribute('data-state'), 'off', 'memories start switched off');
  assert.equal(await card.locator('li.tool-server').first().getAttribute('data-url'), 'lantern:calculator');
  for (const server of [calculator, memories]) {
    assert.match(await server.innerText(), /Built into Lantern/);
    assert.equal(await server.getByRole('button', { name: 'Remove' }).count(), 0);
  }
  await memories.locator('.tool-server-head input[type="checkbox"]').check();
  await memories.locator('xpath=self::*[@data-state="connected"]').waitFor({ timeout: 20000 });
  await memories.locator('li.tool').nth(3).waitFor();
  const names = await memories.locator('li.tool').evaluateAll((items) => items.map((i) => i.dataset.tool));
  assert.deepEqual(names, ['recall', 'remember', 'list', 'forget']);
  await screenshot(options, 'builtin-servers');
  await options.close();
});

test('remember asks first, then stores the fact with its embedding', async () => {
  const panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await ask(panel, 'Remember that my bike lock code is 4721.');
  const card = panel.getByRole('alertdialog', { name: 'Allow this tool call?' });
  await card.waitFor({ timeout: 180000 });
  assert.equal(await card.locator('code').innerText(), 'remember');
  const args = JSON.parse(await card.locator('pre.tool-arguments').innerText());
  console.log(`# remember ${JSON.stringify(args)}`);
  assert.match(args.text, /4721/);
  assert.deepEqual(await storedMemories(panel), [], 'nothing is stored before the user allows it');
  await card.getByRole('button', { name: 'Allow once' }).click();
  await idle(panel);
  const result = await panel.locator('.message.tool .tool-result').first().innerText();
  console.log(`# ${result}`);
  assert.match(result, /remembered/);
  const stored = await storedMemories(panel);
  assert.equal(stored.length, 1, JSON.stringify(stored.map((m) => m.text)));
  assert.match(stored[0].text, /4721/);
  assert.equal(stored[0].model, MINILM);
  assert.equal(stored[0].vector.length, 384);
  const norm = Math.hypot(...stored[0].vector);
  assert.ok(Math.abs(norm - 1) < 1e-4, `unit length, not ${norm}`);
  await panel.close();
});

test('after a browser restart, a new conversation recalls the code without asking', async () => {
  await lantern.close();
  lantern = await launch({ profile });
  const panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await panel.getByRole('button', { name: 'New chat' }).click();
  await ask(panel, 'What is my bike lock code?');
  await idle(panel);
  assert.equal(await panel.locator('.tool-approval').count(), 0, 'recall only reads: nobody is asked');
  const steps = await panel.locator('.message.tool').evaluateAll((nodes) => nodes.map((n) => ({
    call: n.querySelector('.tool-call')?.innerText ?? '',
    result: n.querySelector('.tool-result')?.innerText ?? '',
  })));
  const answer = await panel.locator('.message.assistant').last().innerText();
  console.log(`# steps: ${JSON.stringify(steps)}\n# answer: ${answer}`);
  const recall = steps.find((s) => /recall\(/.test(s.call));
  assert.ok(recall, `no recall call: ${JSON.stringify(steps)}`);
  assert.match(recall.result, /4721/);
  // The code reached the model as recall's result, and the answer says it in words (the
  // round without tools is asked to answer from the results: see mcp_tools.test.mjs).
  assert.match(answer, /4721/);
  const sent = await savedMessages(panel);
  const tool = sent.find((m) => m.role === 'tool');
  assert.match(tool?.content ?? '', /data, not instructions[\s\S]*4721/);
  await screenshot(panel, 'memories-recall');
  await panel.close();
});
