// `cargo xtask bench tts`: what onnxruntime is given for each piece of speech our run spoke: our
// phonemes turned into the voice's ids here, by the voice's own tables (Piper's phoneme_id_map in
// its .onnx.json with piper-phonemize's framing; Kokoro's vocabulary and the voice pack's style
// row for that length), as plain { name: { type, dims, data } } so Node and a page both take it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Per voice of the plan: { rate, pieces: [feeds] } and the model file's path. */
export function inputsFor(plan, voice) {
  const [kind, name] = voice.voice.split(':');
  if (kind === 'piper') {
    const config = JSON.parse(readFileSync(join(voice.folder, 'model.onnx.json'), 'utf8'));
    const table = config.phoneme_id_map;
    const { noise_scale: noise, length_scale: length, noise_w: noiseW } = config.inference;
    const pieces = voice.phonemes.map((phonemes) => {
      const ids = [...table['^'], ...table['_']];
      for (const ch of phonemes) if (table[ch]) ids.push(...table[ch], ...table['_']);
      ids.push(...table['$']);
      return {
        input: { type: 'int64', dims: [1, ids.length], data: ids },
        input_lengths: { type: 'int64', dims: [1], data: [ids.length] },
        scales: { type: 'float32', dims: [3], data: [noise, length, noiseW] },
      };
    });
    return { model: join(voice.folder, 'model.onnx'), rate: config.audio.sample_rate, pieces };
  }
  if (kind === 'kokoro') {
    const vocab = JSON.parse(readFileSync(join(plan.g2p, 'kokoro_vocab.json'), 'utf8')).vocab;
    const bytes = readFileSync(join(voice.folder, 'voices', `${name}.bin`));
    const pack = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const rows = pack.length / 256;
    const pieces = voice.phonemes.map((phonemes) => {
      const ids = [...phonemes].filter((ch) => ch in vocab).map((ch) => vocab[ch]);
      const row = Math.min(ids.length, rows) - 1;
      return {
        tokens: { type: 'int64', dims: [1, ids.length + 2], data: [0, ...ids, 0] },
        style: { type: 'float32', dims: [1, 256], data: [...pack.subarray(row * 256, row * 256 + 256)] },
        speed: { type: 'float32', dims: [1], data: [1] },
      };
    });
    return { model: join(voice.folder, 'model.onnx'), rate: 24000, pieces };
  }
  throw new Error(`no onnxruntime inputs for ${voice.voice}`);
}
