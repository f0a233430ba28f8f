// llama.cpp's own OpenAI-compatible server (PyPI xllamacpp, in the venv `cargo xtask test`
// makes under target/python-llama) serving a GGUF on a free loopback port, for the end-to-end
// tests and the LLM bench.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR } from './mirror.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.LANTERN_PYTHON_LLAMA;

/** Starts the server on `modelId`'s GGUF in the mirror (or the file `model`) under the name
 *  `alias`, with `context` positions, `threads` threads and, when given, an API key it
 *  requires; resolves once it listens. */
export async function startLlama(modelId, alias, { context = 2048, threads = 2, apiKey, model } = {}) {
  if (!PYTHON) throw new Error('LANTERN_PYTHON_LLAMA is not set: `cargo xtask test` installs PyPI xllamacpp into target/python-llama');
  const file = model ?? join(MODELS_DIR, modelId, 'model.gguf');
  const args = [join(here, 'llama_server.py'), file, alias, '--context', String(context), '--threads', String(threads)];
  if (apiKey) args.push('--api-key', apiKey);
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`llama server did not start:\n${log}`)), 120000);
    child.stdout.on('data', (d) => {
      out += d;
      const found = out.match(/LISTENING (\S+)/);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`llama server exited with ${code}:\n${log}`)); });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    url,
    alias,
    /** Ends it at once, as a crash would (no goodbye on open connections). */
    kill: async () => { if (child.exitCode === null) child.kill('SIGKILL'); await exited; },
    stop: async () => { if (child.exitCode === null) child.kill('SIGKILL'); await exited; },
  };
}
