// Helpers for the voice command's end-to-end tests: firing the command, a spoken question made by
// Lantern's own `lantern speak`, and a tap on the offscreen document's playback graph.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR } from './mirror.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = process.env.LANTERN_CLI ?? join(here, '..', '..', '..', 'target', 'debug', 'lantern');

/** Speaks `text` into a WAV file with the `lantern` CLI (Piper's Joe, from the model mirror). */
export function speakToWav(text, out) {
  const run = spawnSync(CLI, ['speak', '--text', text, '--voice', 'piper:joe', '--out', out], {
    env: { ...process.env, LANTERN_MODELS_DIR: MODELS_DIR },
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    throw new Error(`lantern speak failed (${run.error?.message ?? run.status}): ${run.stderr}\n(build it: cargo build --bin lantern)`);
  }
}

/**
 * Presses Alt+Shift+V in `page` as a keyboard does, through CDP's Input.dispatchKeyEvent (a
 * `rawKeyDown` with the Alt and Shift modifiers, then its `keyUp`). Chromium routes such an
 * event through the browser window's keyboard handling before the page sees it, where the
 * extension's command accelerator matches it: `chrome.commands.onCommand` fires with the real
 * active `Tab` and a user gesture, so `chrome.sidePanel.open` really opens the side panel. This
 * is the most faithful trigger found: Playwright's `keyboard.press('Alt+Shift+V')` sends
 * separate modifier key events with text and fired no command here; calling our listener from
 * inside the service worker would skip Chromium's routing and the gesture. Returns this machine's clock (ms) just before the key went down.
 */
export async function pressHotkey(page) {
  const cdp = await page.context().newCDPSession(page);
  const at = Date.now();
  for (const type of ['rawKeyDown', 'keyUp']) {
    await cdp.send('Input.dispatchKeyEvent', {
      type, modifiers: 1 | 8, key: 'V', code: 'KeyV', windowsVirtualKeyCode: 86, nativeVirtualKeyCode: 86,
    });
  }
  await cdp.detach();
  return at;
}

/** Polls the toolbar badge in the service worker until it reads `text`; its clock then. */
export async function badgeReads(lantern, text, timeoutMs = 10000) {
  const sw = await lantern.serviceWorker();
  return sw.evaluate(async ([want, timeout]) => {
    const until = Date.now() + timeout;
    while (Date.now() < until) {
      if ((await chrome.action.getBadgeText({})) === want) return Date.now();
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error(`the badge never read ${JSON.stringify(want)}`);
  }, [text, timeoutMs]);
}

/** Sends a CDP command to another target through the browser session (flatten off). */
async function inTarget(cdp, sessionId, method, params) {
  const id = Math.floor(Math.random() * 1e9);
  const answer = new Promise((resolve) => {
    const listen = (event) => {
      if (event.sessionId !== sessionId) return;
      const message = JSON.parse(event.message);
      if (message.id === id) { cdp.off('Target.receivedMessageFromTarget', listen); resolve(message); }
    };
    cdp.on('Target.receivedMessageFromTarget', listen);
  });
  await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
  const message = await answer;
  if (message.error) throw new Error(`${method}: ${JSON.stringify(message.error)}`);
  return message.result;
}

/**
 * Attaches to an extension context Playwright does not list (the real side panel, the offscreen
 * document) once it exists: `evaluate(expression)` runs there and returns its value.
 */
export async function attach(lantern, path, timeoutMs = 30000) {
  const cdp = lantern.browserCdp;
  const until = Date.now() + timeoutMs;
  let target;
  while (!target) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    target = targetInfos.find((t) => t.url.endsWith(path));
    if (!target) {
      if (Date.now() > until) throw new Error(`no ${path} appeared`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  return {
    async evaluate(expression) {
      const { result, exceptionDetails } = await inTarget(cdp, sessionId, 'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (exceptionDetails) throw new Error(`${path}: ${JSON.stringify(exceptionDetails)}`);
      return result.value;
    },
    /** Polls `expression` until it is truthy; its value. */
    async until(expression, timeout = 120000) {
      const end = Date.now() + timeout;
      for (;;) {
        const value = await this.evaluate(expression);
        if (value) return value;
        if (Date.now() > end) throw new Error(`${path}: timed out waiting for ${expression}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/**
 * Taps the offscreen document's playback graph: every AudioBufferSourceNode started from now on
 * is logged with its start time, length and RMS, and when it was stopped. `read()` returns the
 * log with how long each source actually played.
 */
export async function tapPlayback(lantern) {
  const doc = await attach(lantern, '/offscreen/offscreen.html');
  const evaluate = (expression) => doc.evaluate(expression);
  await evaluate(`(() => {
    if (globalThis.lanternTap) return;
    const log = globalThis.lanternTap = [];
    const { start, stop } = AudioBufferSourceNode.prototype;
    AudioBufferSourceNode.prototype.start = function (when = 0, ...rest) {
      const data = this.buffer.getChannelData(0);
      let squares = 0;
      for (const x of data) squares += x * x;
      this.lanternEntry = {
        startsAt: Math.max(when, this.context.currentTime),
        seconds: this.buffer.duration,
        rms: Math.sqrt(squares / Math.max(1, data.length)),
        stoppedAt: null,
        context: this.context,
      };
      log.push(this.lanternEntry);
      return start.call(this, when, ...rest);
    };
    AudioBufferSourceNode.prototype.stop = function (...args) {
      if (this.lanternEntry && this.lanternEntry.stoppedAt === null) this.lanternEntry.stoppedAt = this.context.currentTime;
      return stop.apply(this, args);
    };
  })()`);
  return {
    read: () => evaluate(`globalThis.lanternTap.map((e) => {
      const now = e.context.currentTime;
      const until = Math.min(e.startsAt + e.seconds, e.stoppedAt ?? now);
      return { seconds: e.seconds, rms: e.rms, played: Math.max(0, until - e.startsAt),
               stoppedEarly: e.stoppedAt !== null && e.stoppedAt < e.startsAt + e.seconds - 0.01 };
    })`),
    clear: () => evaluate('globalThis.lanternTap.length = 0'),
  };
}

/** Records, in the side panel, each state the voice command shows, with the panel's clock. */
export const RECORD_STATES = `(() => {
  if (window.voiceStates) return true;
  // Not mounted yet (the panel may still be loading): asked again.
  if (!document.querySelector('.voice-command')) return false;
  window.voiceStates = [];
  const note = () => {
    const state = document.querySelector('.voice-command')?.dataset.state;
    const last = window.voiceStates.at(-1);
    if (state && state !== last?.state) window.voiceStates.push({ state, at: Date.now() });
  };
  note();
  new MutationObserver(note).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  return true;
})()`;
