// The built-in files server end to end, with the real Qwen2.5-Coder-0.5B (a model that calls
// tools) answering greedily and the browser's real origin-private file system: the Tools card
// lists the files server with its switch and its folder; a file dropped on the folder and one
// picked are stored as they are and listed with their sizes, one too big or with a name taken
// is refused with the reason and nothing stored is lost, Remove removes; a question about a
// dropped file's contents is answered from it through the server's read-only tools (which run
// without asking); and a write asks first, nothing written before Allow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './lib/lantern.mjs';
import { installAsChatDefault } from './lib/install.mjs';
import { saveChatSettings } from './lib/settings.mjs';

const QWEN = 'qwen2.5-coder-0.5b-instruct-q5_0';
const NOTES = 'Notes about the house\nThe plumber comes on Tuesday.\nThe garage door code is 8812.\nWater the plants on Sunday.\n';
let lantern;
let installed;

before(async () => {
  lantern = await launch();
  await lantern.closeWelcome();
  installed = await installAsChatDefault(lantern, QWEN);
  await saveChatSettings(lantern, { temperature: 0, maxTokens: 160 });
});
after(async () => {
  await lantern?.close();
  await installed?.close();
});

/** A stored file's text, read from the origin-private file system as the server keeps it;
 *  null when there is none. */
function storedText(page, path) {
  return page.evaluate(async (path) => {
    try {
      let folder = await (await navigator.storage.getDirectory()).getDirectoryHandle('lantern-files');
      const names = path.split('/');
      const name = names.pop();
      for (const part of names) folder = await folder.getDirectoryHandle(part);
      return await (await (await folder.getFileHandle(name)).getFile()).text();
    } catch (error) {
      if (error.name === 'NotFoundError') return null;
      throw error;
    }
  }, path);
}

const chat = (panel) => panel.locator('section[aria-labelledby="chat-heading"]');
async function idle(panel) {
  try {
    await chat(panel).locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 180000 });
  } catch (e) {
    const shown = await panel.locator('.messages').innerText().catch(() => '?');
    throw new Error(`${e.message}\nconversation: ${shown}`);
  }
}

async function ask(panel, question) {
  await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 60000 });
  await panel.getByRole('textbox', { name: 'Message' }).fill(question);
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await chat(panel).locator('xpath=self::*[@data-state="generating"]').waitFor();
}

test('the Tools card stores dropped and picked files, lists them, refuses bad ones with a reason, removes', async () => {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1400 });
  const server = options.locator('li.tool-server[data-url="lantern:files"]');
  assert.equal(await server.getAttribute('data-state'), 'off', 'files start switched off');
  assert.match(await server.innerText(), /Built into Lantern/);
  await server.locator('.tool-server-head input[type="checkbox"]').check();
  await server.locator('xpath=self::*[@data-state="connected"]').waitFor({ timeout: 20000 });
  await server.locator('li.tool').nth(4).waitFor();
  const names = await server.locator('li.tool').evaluateAll((items) => items.map((i) => i.dataset.tool));
  assert.deepEqual(names, ['search_files', 'read_file', 'list_files', 'write_file', 'delete_file']);
  // The folder is below the servers. Dropped: a drop event carrying a file, as the browser
  // dispatches one.
  const folder = options.getByRole('group', { name: 'Your files (the files server\'s folder)' });
  const drop = folder.locator('.file-drop');
  const dataTransfer = await options.evaluateHandle((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'house-notes.txt', { type: 'text/plain' }));
    return data;
  }, NOTES);
  await drop.dispatchEvent('dragover', { dataTransfer });
  await drop.dispatchEvent('drop', { dataTransfer });
  const notes = folder.locator('li.stored-file[data-path="house-notes.txt"]');
  await notes.waitFor({ timeout: 20000 });
  assert.match(await notes.innerText(), /110 byte/);
  assert.equal(await storedText(options, 'house-notes.txt'), NOTES);
  // Picked: one good file, one too big, one whose name is taken; the good one is stored.
  const input = folder.getByLabel('Choose files…');
  await input.setInputFiles([
    { name: 'todo.md', mimeType: 'text/markdown', buffer: Buffer.from('- call Anna\n') },
    { name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(12 * 1024 * 1024) },
    { name: 'house-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('overwritten?') },
  ]);
  await folder.locator('li.stored-file[data-path="todo.md"]').waitFor({ timeout: 20000 });
  await options.waitForFunction(() => document.querySelectorAll('.files-panel [role="alert"]').length === 2);
  const problems = await folder.locator('[role="alert"]').allInnerTexts();
  console.log(`# ${problems.join('\n# ')}`);
  assert.match(problems[0], /“huge\.bin” was not added: it is 13 MB, and a file may be at most 10 MB/);
  assert.match(problems[1], /“house-notes\.txt” was not added: a file of that name is stored already/);
  assert.equal(await storedText(options, 'house-notes.txt'), NOTES, 'the stored file is kept');
  assert.equal(await storedText(options, 'huge.bin'), null);
  await screenshot(options, 'files-card');
  await folder.getByRole('button', { name: 'Remove todo.md' }).click();
  await folder.locator('li.stored-file[data-path="todo.md"]').waitFor({ state: 'detached' });
  assert.equal(await storedText(options, 'todo.md'), null);
  await options.close();
});

test('a question about a dropped file is answered from it, without asking', async () => {
  const panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await ask(panel, 'What is the garage door code in my notes? Look in my files.');
  await idle(panel);
  assert.equal(await panel.locator('.tool-approval').count(), 0, 'the read-only tools run without asking');
  const steps = await panel.locator('.message.tool').evaluateAll((nodes) => nodes.map((n) => ({
    call: n.querySelector('.tool-call')?.innerText ?? '',
    result: n.querySelector('.tool-result')?.innerText ?? '',
  })));
  const answer = await panel.locator('.message.assistant').last().innerText();
  console.log(`# steps: ${JSON.stringify(steps)}\n# answer: ${answer}`);
  const found = steps.find((s) => /(search_files|read_file)\(/.test(s.call) && /8812/.test(s.result));
  assert.ok(found, `no call read the code from the file: ${JSON.stringify(steps)}`);
  assert.match(answer, /8812/);
  await screenshot(panel, 'files-answer');
  await panel.close();
});

test('a write asks first, and nothing is written before Allow', async () => {
  const panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await ask(panel, 'Write a new file named shopping.txt with the text: eggs, milk, bread');
  const card = panel.getByRole('alertdialog', { name: 'Allow this tool call?' });
  await card.waitFor({ timeout: 180000 });
  assert.equal(await card.locator('code').innerText(), 'write_file');
  const args = JSON.parse(await card.locator('pre.tool-arguments').innerText());
  console.log(`# write_file ${JSON.stringify(args)}`);
  assert.equal(args.path.replace(/^\//, ''), 'shopping.txt');
  assert.equal(await storedText(panel, 'shopping.txt'), null, 'nothing is written before the user allows it');
  await card.getByRole('button', { name: 'Allow once' }).click();
  await idle(panel);
  const result = await panel.locator('.message.tool .tool-result').first().innerText();
  console.log(`# ${result}`);
  assert.match(result, /created/);
  assert.match(await storedText(panel, 'shopping.txt'), /milk/);
  await panel.close();
});
