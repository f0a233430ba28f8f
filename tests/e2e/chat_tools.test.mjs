// Tool calls in the extension chat, with the real Qwen2.5-Coder-0.5B (a model that calls tools)
// downloaded into IndexedDB: with the calculator offered, the model's call is parsed and run by
// the LLM worker and the result goes back to the model, which answers with it (greedy, through
// the request API); the chat view shows a call and its result in the conversation; a request
// that offers no tools gets no tool calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './lib/lantern.mjs';
import { installAsChatDefault } from './lib/install.mjs';
import { installClient, request } from './lib/requests.mjs';
import { saveChatSettings } from './lib/settings.mjs';

const QWEN = 'qwen2.5-coder-0.5b-instruct-q5_0';
const QUESTION = 'What is 4817 multiplied by 23?';
let lantern;
let installed;
let panel;

before(async () => {
  lantern = await launch();
  await lantern.closeWelcome();
  // Qwen as the chat model, so the chat view picks it.
  installed = await installAsChatDefault(lantern, QWEN);
  await saveChatSettings(lantern, { temperature: 0 });
  panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
});
after(async () => {
  await lantern?.close();
  await installed?.close();
});

const chat = () => panel.locator('section[aria-labelledby="chat-heading"]');

test('the model calls the calculator, the worker runs it, and the answer uses the result', async () => {
  // Greedy, so the run is the same every time (the chat view samples at temperature 0.7).
  const page = await lantern.open('ui/options.html');
  await installClient(page);
  const { final, replies } = await request(page, 'offscreen', {
    type: 'chat',
    model_id: QWEN,
    messages: [
      { role: 'system', content: 'You are a helpful assistant. Use the calculator tool for arithmetic.' },
      { role: 'user', content: QUESTION },
    ],
    sampling: { temperature: 0, max_tokens: 96 },
    tools: ['calculator'],
  });
  await page.close();
  assert.equal(final.kind, 'return', JSON.stringify(final));
  const events = replies.filter((r) => r.kind === 'progress').map((r) => r.event);
  const calls = events.filter((e) => e.type === 'tool_call');
  const results = events.filter((e) => e.type === 'tool_result');
  console.log(`# calls: ${JSON.stringify(calls)}\n# results: ${JSON.stringify(results)}\n# answer: ${final.value.text}`);
  assert.equal(calls[0]?.name, 'calculator', JSON.stringify(events.filter((e) => e.type !== 'token')));
  assert.match(JSON.parse(calls[0].arguments).expression.replace(/\s/g, ''), /^4817\*23$|^23\*4817$/);
  assert.deepEqual(results[0], { type: 'tool_result', name: 'calculator', content: '{"result":110791}', ok: true });
  // At most four rounds of calls, however the model goes on (it tends to echo results as calls).
  assert.ok(calls.length <= 8, `${calls.length} calls`);
  assert.match(final.value.text.replace(/[, ]/g, ''), /110791/);
});

test('the chat shows a tool call and its result in the conversation', async () => {
  await panel.getByLabel('Let the model use the calculator').check();
  await panel.getByRole('textbox', { name: 'Message' }).fill(QUESTION);
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await chat().locator('xpath=self::*[@data-state="generating"]').waitFor();
  await chat().locator('xpath=self::*[@data-state="idle"]').waitFor({ timeout: 120000 });
  const error = await panel.locator('.error').count();
  assert.equal(error, 0, error ? await panel.locator('.error').innerText() : '');
  // Greedy (saved in the settings before), so the model calls the calculator every time.
  assert.ok(await panel.locator('.message.tool').count() > 0, 'the reply made no tool call');
  const tool = panel.locator('.message.tool').first();
  const call = await tool.locator('.tool-call').innerText();
  const result = await tool.locator('.tool-result').innerText();
  console.log(`# ${call} ${result}`);
  assert.match(call, /calculator\(/);
  assert.match(result, /result|error/);
  const order = await panel.locator('.messages > *').evaluateAll((nodes) => nodes.map((n) => n.className));
  const at = order.indexOf('message tool');
  assert.ok(order[at - 1] === 'message user' && order.at(-1) === 'message assistant', order.join(', '));
  await screenshot(panel, 'chat-tool-call');
});

test('tools are opt-in: a request that offers none gets no tool calls', async () => {
  const page = await lantern.open('ui/options.html');
  await installClient(page);
  const { final, replies } = await request(page, 'offscreen', {
    type: 'chat',
    model_id: QWEN,
    messages: [{ role: 'user', content: QUESTION }],
    sampling: { temperature: 0, max_tokens: 24 },
  });
  assert.equal(final.kind, 'return', JSON.stringify(final));
  const types = replies.filter((r) => r.kind === 'progress').map((r) => r.event.type);
  assert.ok(types.includes('token'), types.join(','));
  assert.ok(!types.includes('tool_call') && !types.includes('tool_result'), types.join(','));
  await page.close();
});
