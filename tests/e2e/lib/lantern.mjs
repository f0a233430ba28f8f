// Launches headless Chromium with Lantern's dist/ loaded, and gives tests handles on its parts.
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(here, '..', '..', 'artifacts');
const DIST = process.env.LANTERN_DIST ?? join(here, '..', '..', '..', 'dist');
const EXPECTED_ID = process.env.LANTERN_EXTENSION_ID;

/** Starts Chromium with a fresh profile (or `profile`, to test restarts) and Lantern loaded, its
 *  interface in `lang` (English unless asked, whatever this machine's locale: tests assert
 *  English names). On Linux Chromium takes its UI language from LANGUAGE/LANG and --lang, and
 *  needs that language's locales/<lang>.pak (Debian: chromium-l10n); without it, it shows en-US. */
export async function launch({ profile, args = [], lang = 'en-US' } = {}) {
  const userDataDir = profile ?? (await mkdtemp(join(tmpdir(), 'lantern-e2e-')));
  const posix = lang.replace('-', '_');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROME || '/usr/bin/chromium',
    headless: true,
    locale: lang,
    env: { ...process.env, LANGUAGE: posix, LANG: `${posix}.UTF-8`, LC_ALL: `${posix}.UTF-8` },
    args: [
      '--headless=new',
      `--disable-extensions-except=${DIST}`,
      `--load-extension=${DIST}`,
      // This machine has no internet: keep Chromium from trying.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      `--lang=${lang}`,
      ...args,
    ],
  });
  const consoleErrors = [];
  context.on('console', (message) => {
    if (message.type() === 'error') {
      consoleErrors.push({ where: message.worker()?.url() ?? message.page()?.url() ?? '?', text: message.text() });
    }
  });
  context.on('weberror', (error) => consoleErrors.push({ where: 'page', text: String(error.error()) }));
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(sw.url()).host;
  if (EXPECTED_ID && id !== EXPECTED_ID) throw new Error(`extension id ${id}, expected ${EXPECTED_ID} from the manifest key`);
  const browserCdp = await context.browser().newBrowserCDPSession();
  return {
    context,
    id,
    consoleErrors,
    browserCdp,
    url: (path) => `chrome-extension://${id}/${path}`,
    /** The running service worker (after a restart, the new one). */
    serviceWorker: () => context.serviceWorkers().find((w) => w.url().includes(id)) ?? context.waitForEvent('serviceworker'),
    async open(path, viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      await page.goto(`chrome-extension://${id}/${path}`);
      return page;
    },
    /** Waits for the welcome page opened at install to finish its engine check, then closes it,
     *  so it cannot create an offscreen document behind a test's back. */
    async closeWelcome() {
      const welcome = context.pages().find((p) => p.url().endsWith('/ui/welcome.html'))
        ?? (await context.waitForEvent('page', { predicate: (p) => p.url().endsWith('/ui/welcome.html') }));
      await welcome.locator('section[data-state="ready"], section[data-state="error"]').first().waitFor();
      await welcome.close();
    },
    async close() {
      await context.close();
      if (!profile) await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Sends one request from an extension page through chrome.runtime.sendMessage. */
export function sendFrom(page, message) {
  return page.evaluate((m) => chrome.runtime.sendMessage(m), message);
}

/** Stops every service worker, as Chromium does to an idle one. */
export async function stopServiceWorkers(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

/** Counts the offscreen documents Chromium creates from now on (targets it reports). */
export async function countOffscreenCreations(lantern) {
  const created = new Set();
  // A new document's target is announced before it navigates (empty URL): its URL arrives with
  // targetInfoChanged.
  const note = ({ targetInfo }) => {
    if (targetInfo.url.endsWith('/offscreen/offscreen.html')) created.add(targetInfo.targetId);
  };
  const before = new Set((await lantern.browserCdp.send('Target.getTargets')).targetInfos.map((t) => t.targetId));
  lantern.browserCdp.on('Target.targetCreated', (e) => { if (!before.has(e.targetInfo.targetId)) note(e); });
  lantern.browserCdp.on('Target.targetInfoChanged', (e) => { if (!before.has(e.targetInfo.targetId)) note(e); });
  await lantern.browserCdp.send('Target.setDiscoverTargets', { discover: true });
  return () => created.size;
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
