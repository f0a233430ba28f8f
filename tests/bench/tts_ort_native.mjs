// `cargo xtask bench tts`, onnxruntime natively: npm onnxruntime-node (its CPU build) on the same
// ONNX file and our phonemes, at each thread count of the plan. Prints JSON { voice: { threads:
// measure } }.
// Usage: node tests/bench/tts_ort_native.mjs target/bench/tts/plan.json
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inputsFor } from './tts_inputs.mjs';
import { tensors, timePieces } from './tts_timing.mjs';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ort = createRequire(join(plan.ort, 'x.js'))('onnxruntime-node');

const results = {};
for (const voice of plan.voices) {
  const { model, rate, pieces } = inputsFor(plan, voice);
  results[voice.voice] = {};
  for (const threads of plan.threads) {
    process.stderr.write(`bench tts: onnxruntime-node, ${voice.voice}, ${threads} thread(s)\n`);
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
    });
    const [output] = session.outputNames;
    results[voice.voice][threads] = await timePieces(pieces, rate, plan.runs, async (feeds) => {
      const out = await session.run(tensors(ort, feeds));
      return out[output].data.length;
    });
    await session.release();
  }
}
process.stdout.write(JSON.stringify(results));
