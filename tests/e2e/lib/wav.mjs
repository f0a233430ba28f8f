// Small WAV helpers for tests that feed audio to Chromium's fake microphone.
import { readFileSync, writeFileSync } from 'node:fs';

/** Reads a 16-bit PCM WAV: {rate, channels, samples (Int16Array, interleaved)}. */
export function readWav(path) {
  const bytes = readFileSync(path);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path} is not a WAV file`);
  }
  let format = null;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      format = {
        encoding: bytes.readUInt16LE(body),
        channels: bytes.readUInt16LE(body + 2),
        rate: bytes.readUInt32LE(body + 4),
        bits: bytes.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format || format.encoding !== 1 || format.bits !== 16) throw new Error(`${path}: only 16-bit PCM is read here`);
      const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset + body, bytes.byteOffset + body + size));
      return { rate: format.rate, channels: format.channels, samples };
    }
    at = body + size + (size % 2);
  }
  throw new Error(`${path} has no data chunk`);
}

/** Writes 16-bit PCM mono or interleaved samples as a WAV file. */
export function writeWav(path, { rate, channels, samples }) {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.byteLength, 40);
  writeFileSync(path, Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]));
}

/** A copy of `input` with `before` and `after` seconds of silence around it, written to `output`. */
export function padWithSilence(input, output, before, after) {
  const wav = readWav(input);
  const frames = (seconds) => Math.round(seconds * wav.rate) * wav.channels;
  const samples = new Int16Array(frames(before) + wav.samples.length + frames(after));
  samples.set(wav.samples, frames(before));
  writeWav(output, { ...wav, samples });
  return wav.samples.length / wav.channels / wav.rate + before + after;
}
