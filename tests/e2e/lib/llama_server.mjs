// llama.cpp's own OpenAI-compatible server (PyPI xllamacpp, in the venv `cargo xtask test`
// makes under target/python-llama) serving a GGUF of the mirror on a free loopback port.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR } from './mirror.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.LANTERN_PYTHON_LLAMA;

/** Starts the server on `modelId`'s GGUF under the name `alias`; resolves once it listens. */
export async function startLlama(modelId, alias, context = 2048) {
  if (!PYTHON) throw new Error('LANTERN_PYTHON_LLAMA is not set: `cargo xtask test` installs PyPI xllamacpp into target/python-llama');
  const model = join(MODELS_DIR, modelId, 'model.gguf');
  const child = spawn(PYTHON, [join(here, 'llama_server.py'), model, alias, String(context)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
