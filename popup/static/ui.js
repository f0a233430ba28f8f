// Mounts Lantern's Sycamore app on whichever page loaded this (popup, side panel, options, welcome).
import init, { mount } from './ui_app.js';

/** Replaces nothing, hides nothing: says the app stopped and offers a reload. */
function showStopped(reason) {
  if (document.querySelector('.stopped')) return;
  const box = document.createElement('div');
  box.className = 'stopped';
  box.setAttribute('role', 'alert');
  const p = document.createElement('p');
  p.textContent = `Lantern stopped on this page (${reason}). Your saved chats are safe.`;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Reload';
  button.addEventListener('click', () => location.reload());
  box.append(p, button);
  document.body.append(box);
}

// A panic in the app aborts its wasm module (a trap: "unreachable"); every view would then stop
// answering. Catch that and say so instead of leaving a dead panel.
const isTrap = (error) => error instanceof WebAssembly.RuntimeError;
window.addEventListener('error', (e) => { if (isTrap(e.error)) showStopped(e.error.message); });
window.addEventListener('unhandledrejection', (e) => { if (isTrap(e.reason)) showStopped(e.reason.message); });

init({ module_or_path: new URL('./ui_app_bg.wasm', import.meta.url) })
  .then(() => mount(document.body.dataset.surface))
  .catch((err) => {
    // The app could not start: say so instead of leaving a blank panel.
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.className = 'error';
    p.textContent = `Lantern could not start: ${err}`;
    document.body.replaceChildren(p);
  });
