// Puts a model from the local mirror into the extension's IndexedDB the way a user would (the
// mirror's catalog chosen, the model downloaded), then stops the mirror: what follows runs from
// IndexedDB alone.

import assert from 'node:assert/strict';
import { launch } from './lantern.mjs';
import { startMirror, mirrorCatalog } from './mirror.mjs';
import { installClient, request } from './requests.mjs';
import { saveChatSettings } from './settings.mjs';

/** The common start of a test that uses a model: a fresh Lantern (`launchOptions` as `launch`
 *  takes them) with its welcome page closed, `modelId` installed from the local mirror, and,
 *  when given, `chatSettings` saved. */
export async function launchWithModel(modelId, { launchOptions, chatSettings } = {}) {
  assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
  const lantern = await launch(launchOptions);
  await lantern.closeWelcome();
  await installFromMirror(lantern, modelId);
  if (chatSettings) await saveChatSettings(lantern, chatSettings);
  return lantern;
}

export async function installFromMirror(lantern, modelId) {
  const mirror = await startMirror();
  try {
    const setup = await lantern.open('ui/options.html');
    await installClient(setup);
    const chosen = await request(setup, 'offscreen', { type: 'set_catalog_url', url: mirror.catalogUrl });
    assert.equal(chosen.final.kind, 'return', JSON.stringify(chosen.final));
    const installed = (await request(setup, 'offscreen', { type: 'download_model', model_id: modelId })).final;
    assert.equal(installed.kind, 'return', JSON.stringify(installed));
    await setup.close();
  } finally {
    await mirror.stop();
  }
}
