// Lantern's service worker shim. Every listener is registered synchronously at top level, so the
// event that woke the worker is never missed; each waits for the wasm router, then calls it.
import init, { Background } from './background.js';

const ready = init({ module_or_path: new URL('./background_bg.wasm', import.meta.url) })
  .then(() => new Background());

// A panic or a failed start must still answer: the UI shows "engine stopped", never hangs.
const stopped = (message, err) => ({
  kind: 'throw',
  id: typeof message?.id === 'number' ? message.id : null,
  error: { code: 'engine_stopped', message: `Lantern's background stopped: ${err}` },
});

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  ready.then((bg) => bg.on_message(message, sender))
    .then(sendResponse, (err) => sendResponse(stopped(message, err)));
  return true;
});

chrome.runtime.onConnect.addListener((port) => {
  if (port.name.startsWith('lantern-engine:')) {
    ready.then((bg) => bg.on_engine_port(port));
    return;
  }
  if (port.name !== 'lantern-ui') { port.disconnect(); return; }
  // Attached now, not after init: a message posted before the wasm is ready must not be lost.
  port.onMessage.addListener((message) => {
    ready.then((bg) => bg.on_port_message(port, message))
      .catch((err) => { try { port.postMessage(stopped(message, err)); } catch { /* UI gone */ } });
  });
  port.onDisconnect.addListener(() => { ready.then((bg) => bg.on_port_closed(port)); });
});

chrome.runtime.onMessageExternal.addListener((message, sender, sendResponse) => {
  ready.then((bg) => sendResponse(bg.on_external(message)));
  return true;
});

chrome.runtime.onConnectExternal.addListener((port) => {
  port.onMessage.addListener((message) => {
    ready.then((bg) => { try { port.postMessage(bg.on_external(message)); } catch { /* gone */ } });
  });
});

// Install and update set up the context menu (titled in the browser's language) and greet a new
// user; each browser start titles the menu again, so a changed browser language shows. Named and
// reachable as `globalThis.lanternInstalled` so end-to-end tests can read the titles it creates.
const lanternInstalled = ({ reason }) =>
  ready.then((bg) => bg.on_installed(reason)).catch((err) => console.error('Lantern install:', err));
globalThis.lanternInstalled = lanternInstalled;
chrome.runtime.onInstalled.addListener(lanternInstalled);
chrome.runtime.onStartup.addListener(() => lanternInstalled({ reason: 'startup' }));

// A context-menu click (Summarize page / selection, Explain selection, Read text in image). Named and reachable as
// `globalThis.lanternMenuClicked` so end-to-end tests can call the very listener Chromium calls.
const lanternMenuClicked = (info, tab) => {
  // sidePanel.open needs the click's user gesture, which does not survive an await: first, here.
  if (tab?.windowId !== undefined) {
    chrome.sidePanel.open({ windowId: tab.windowId }).catch((err) => console.warn('Lantern side panel:', err));
  }
  return ready.then((bg) => bg.on_menu_click(info, tab)).catch((err) => console.error('Lantern menu:', err));
};
globalThis.lanternMenuClicked = lanternMenuClicked;
chrome.contextMenus.onClicked.addListener(lanternMenuClicked);

// A keyboard command (the end-to-end tests press the keys themselves: see tests/e2e/lib/voice.mjs).
chrome.commands.onCommand.addListener((command, tab) => {
  // sidePanel.open must run inside the user's gesture, which does not survive an await, so this
  // one call happens here rather than in Rust. Voice commands also start in the side panel.
  if ((command === 'open-side-panel' || command === 'voice-command') && tab?.windowId !== undefined) {
    chrome.sidePanel.open({ windowId: tab.windowId }).catch((err) => console.error('Lantern side panel:', err));
  }
  if (command !== 'voice-command') return;
  ready.then((bg) => bg.on_voice_command(tab)).catch((err) => console.error('Lantern voice command:', err));
});
