// Puts a model from the local mirror into the extension's IndexedDB the way a user would (the
// mirror's catalog chosen, the model downloaded), then stops the mirror: what follows runs from
// IndexedDB alone.

import assert from 'node:assert/strict';
import { startMirror } from './mirror.mjs';
import { installClient, request } from './requests.mjs';

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
