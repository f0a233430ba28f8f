// The local model mirror (`cargo xtask serve-models`) as a child process, with its request log.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..', '..');
export const MODELS_DIR = process.env.LANTERN_MODELS_DIR ?? join(ROOT, 'target', 'models');
const XTASK = process.env.LANTERN_XTASK ?? join(ROOT, 'target', 'debug', 'xtask');

/** Whether `cargo xtask fetch-models` has filled the mirror. */
export function mirrorCatalog() {
  const path = join(MODELS_DIR, 'catalog.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

/** Starts a mirror server on an ephemeral port; `args` adds failure options. */
export async function startMirror(args = []) {
  const child = spawn(XTASK, ['serve-models', '--port', '0', '--dir', MODELS_DIR, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log = [];
  const lines = createInterface({ input: child.stdout });
  const origin = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve-models exited with ${code}`)));
    child.once('error', (err) => reject(new Error(`serve-models did not start: ${err.message}`)));
    lines.on('line', (line) => {
      const started = line.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (started) resolve(started[1]);
      else log.push(parseLine(line));
    });
  });
  return {
    origin,
    catalogUrl: `${origin}/catalog.json`,
    log,
    /** Requests for paths ending with `suffix`. */
    requestsFor: (suffix) => log.filter((r) => r.path?.endsWith(suffix)),
    async stop() {
      if (child.exitCode === null) {
        child.kill();
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

// `GET /a/b range=bytes=0- 206 12345 note` -> {method, path, range, status, sent}
function parseLine(line) {
  const [method, path, range, status, sent] = line.split(' ');
  return {
    line,
    method,
    path,
    range: range?.replace(/^range=/, ''),
    status: Number(status),
    sent: Number(sent),
  };
}
