// The offscreen document's shim. It listens to messages (never to onConnect: see protocol's
// UI_PORT), takes the background's handoffs, and leaves every other message to the background.
import init, { Host } from './engine.js';

const ready = init({ module_or_path: new URL('./engine_bg.wasm', import.meta.url) })
  .then(() => new Host());

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (message?.type !== 'engine_handoff') return false;
  ready.then((host) => sendResponse(host.accept(message, sender))).catch((err) => {
    sendResponse({
      kind: 'throw',
      id: typeof message?.envelope?.id === 'number' ? message.envelope.id : null,
      error: { code: 'engine_stopped', message: `Lantern's engine stopped: ${err}` },
    });
  });
  return true;
});
