// An engine worker's shim: queues messages until the wasm and the worker's thread pool are
// ready, then hands each to Rust.
import init, { WorkerEngine } from './engine.js';

const ready = init({ module_or_path: new URL('./engine_bg.wasm', import.meta.url) })
  .then(() => WorkerEngine.start());

self.onmessage = (event) => {
  ready.then((engine) => engine.handle(event.data)).catch((err) => {
    // A trap (a Rust panic) poisons the instance: report it so the document replaces this worker.
    self.postMessage({
      kind: 'throw',
      id: typeof event.data?.id === 'number' ? event.data.id : null,
      error: { code: 'engine_stopped', message: `the engine stopped: ${err}` },
    });
  });
};
