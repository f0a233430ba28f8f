// `cargo xtask bench tts`: how onnxruntime's side is timed, the same in Node and in the bench
// page (which imports this file from the bench's server, so it imports nothing itself).

/** Times `run(feeds)` over every piece, best of `runs` after one warm-up: the real-time factor
 *  and the time to the first piece's audio. `run` resolves to the output's sample count. */
export async function timePieces(pieces, rate, runs, run) {
  for (const feeds of pieces.slice(0, 1)) await run(feeds);
  let best = null;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    let first = null;
    let samples = 0;
    for (const feeds of pieces) {
      samples += await run(feeds);
      first ??= performance.now() - t0;
    }
    const seconds = (performance.now() - t0) / 1000;
    const measure = {
      real_time_factor: seconds / (samples / rate),
      first_audio_seconds: first / 1000,
      audio_seconds: samples / rate,
    };
    if (!best || measure.real_time_factor < best.real_time_factor) best = measure;
  }
  return best;
}

/** A piece's plain feeds as tensors of the given onnxruntime (node or web: the same API). */
export function tensors(ort, feeds) {
  return Object.fromEntries(Object.entries(feeds).map(([name, { type, dims, data }]) => [
    name,
    new ort.Tensor(type, type === 'int64' ? BigInt64Array.from(data.map(BigInt)) : Float32Array.from(data), dims),
  ]));
}
