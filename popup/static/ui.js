// Mounts Lantern's Sycamore app on whichever page loaded this (popup, side panel, options, welcome).
import init, { mount } from './ui_app.js';

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
