// Where a reply's time goes, measured in the LLM worker: a chat request with `profile: true`
// (what `cargo xtask bench llm` sends) returns each op of the model's graph with its calls and
// milliseconds for the prefill and for the decoding; the ops cover most of the wall time and
// every layer is counted; a request without it carries no profile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithModel } from './lib/install.mjs';
import { installClient, request } from './lib/requests.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
/** SmolLM2-135M's layers (its GGUF's llama.block_count). */
const LAYERS = 30;
const greedy = { temperature: 0, top_k: 0, top_p: 1, min_p: 0, repeat_penalty: 1, max_tokens: 12, ignore_eos: true };
const messages = [{ role: 'user', content: 'Name three rivers in Europe and one fact about each.' }];
let lantern;
let page;
before(async () => {
  lantern = await launchWithModel(SMOL);
  page = await lantern.open('ui/options.html');
  await installClient(page);
});
after(async () => { await lantern?.close(); });

const ask = async (extra) => {
  const { final } = await request(page, 'offscreen', { type: 'chat', model_id: SMOL, messages, sampling: greedy, fresh_context: true, ...extra });
  assert.equal(final.kind, 'return', JSON.stringify(final));
  return final.value;
};

test('a profiled reply times every op of the graph in the worker', async () => {
  const reply = await ask({ profile: true });
  const { prefill, decode } = reply.profile;
  console.log(`# prefill ${prefill.total_ms.toFixed(1)} ms: ${prefill.ops.map((o) => `${o.op} ${o.ms.toFixed(1)}`).join(', ')}`);
  console.log(`# decode ${decode.total_ms.toFixed(1)} ms: ${decode.ops.map((o) => `${o.op} ${o.ms.toFixed(1)}`).join(', ')}`);
  const chunks = prefill.ops.find((o) => o.op === 'output')?.calls ?? 0;
  assert.ok(chunks >= 1, 'the prefill ran the model');
  for (const [phase, step, passes] of [['prefill', prefill, chunks], ['decode', decode, reply.generated_tokens - 1]]) {
    const byOp = Object.fromEntries(step.ops.map((o) => [o.op, o]));
    for (const op of ['attn_qkv', 'attention', 'attn_output', 'ffn_gate_up', 'ffn_act', 'ffn_down', 'output']) {
      assert.ok(byOp[op], `${phase} lacks ${op}: ${step.ops.map((o) => o.op).join(', ')}`);
    }
    // One call per layer per forward pass (one pass per prefill chunk, one per decoded token).
    assert.equal(byOp.ffn_down.calls, LAYERS * passes, `${phase} ffn_down calls`);
    assert.equal(byOp.output.calls, passes, `${phase} output calls`);
    // Most expensive first, and the spans do not add up to more than the wall time around them.
    const ms = step.ops.map((o) => o.ms);
    assert.deepEqual(ms, [...ms].sort((a, b) => b - a), `${phase} ops are not sorted`);
    const timed = ms.reduce((a, b) => a + b, 0);
    assert.ok(timed > 0 && timed <= step.total_ms * 1.01, `${phase}: ops ${timed} ms of ${step.total_ms} ms`);
    // The graph is the work: what lies outside it (yielding, streaming) is a small part.
    assert.ok(timed >= 0.8 * step.total_ms, `${phase}: only ${timed} of ${step.total_ms} ms in the graph`);
    // The matmuls dominate a small model's time, in either phase.
    const matmuls = ['attn_qkv', 'attn_output', 'ffn_gate_up', 'ffn_down', 'output'].reduce((a, op) => a + byOp[op].ms, 0);
    assert.ok(matmuls >= 0.5 * timed, `${phase}: matmuls ${matmuls} of ${timed} ms`);
  }
  assert.ok(decode.ops.some((o) => o.op === 'sample'), 'decoding samples');
});

test('a reply not asked to profile carries no profile', async () => {
  const reply = await ask({});
  assert.equal(reply.profile, undefined);
  assert.ok(reply.generated_tokens > 0);
});
