// `cargo xtask bench llm`, native llama.cpp runner: node-llama-cpp's prebuilt CPU build (no GPU
// layers, no flash attention), the same GGUF and the exact prompt token ids our CLI made, greedy,
// at the thread count asked. Each run starts from an empty sequence: prefill is the time to the
// first token, decode the rate of the tokens after it (one forward pass each), as our runners
// count them. Usage: node run.mjs CONFIG.json  (xtask writes CONFIG).
import { readFileSync, writeFileSync } from 'node:fs';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { model: modelPath, prompt_ids: promptIds, max_tokens: maxTokens, reps, threads } = config;
if (!promptIds?.length) throw new Error('no prompt ids in the config');

// build: 'never' — the prebuilt binary or nothing: compiling llama.cpp here would measure
// another build than the one named.
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: threads, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0, useMmap: true });
const context = await model.createContext({
  contextSize: 2048,
  batchSize: 512,
  sequences: 1,
  threads: { ideal: threads, min: threads },
  flashAttention: false,
});

async function generate(count) {
  const sequence = context.getSequence();
  const started = performance.now();
  let first = started;
  let n = 0;
  for await (const _token of sequence.evaluate(promptIds, { temperature: 0 })) {
    n += 1;
    if (n === 1) first = performance.now();
    if (n >= count) break;
  }
  const ended = performance.now();
  sequence.dispose();
  return {
    prompt_tokens: promptIds.length,
    prefill_tokens: promptIds.length,
    generated_tokens: n,
    prefill_tokens_per_s: promptIds.length / ((first - started) / 1000),
    decode_tokens_per_s: n > 1 ? (n - 1) / ((ended - first) / 1000) : 0,
  };
}

await generate(1); // warm-up: page the weights in
const runs = [];
for (let rep = 0; rep < reps; rep++) runs.push(await generate(maxTokens));
const used = context.currentThreads;
writeFileSync(config.out, JSON.stringify({
  runs,
  threads: used,
  build: `${llama.buildType} llama.cpp ${llama.llamaCppRelease.release}, ${llama.gpu || 'cpu'}`,
}, null, 1));
await context.dispose();
await model.dispose();
await llama.dispose();
