// The offscreen document's shim: listens for the background's ports at once, hands each message
// to the wasm host when it is ready.
import init, { Host } from './engine.js';

const ready = init({ module_or_path: new URL('./engine_bg.wasm', import.meta.url) })
  .then(() => new Host());

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== 'lantern-offscreen') return;
  port.onMessage.addListener((message) => {
    ready.then((host) => host.on_port_message(port, message)).catch((err) => {
      try {
        port.postMessage({
          kind: 'throw',
          id: typeof message?.id === 'number' ? message.id : null,
          error: { code: 'engine_stopped', message: `Lantern's engine stopped: ${err}` },
        });
      } catch { /* the background is gone */ }
    });
  });
  port.onDisconnect.addListener(() => { ready.then((host) => host.on_port_closed(port)); });
});
