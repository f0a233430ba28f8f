// Puts a model from the local mirror into the extension's IndexedDB the way a user would (the
// mirror's catalog chosen, the model downloaded), then stops the mirror: what follows runs from
// IndexedDB alone.

import assert from 'node:assert/strict';
import { launch } from './lantern.mjs';
import { startMirror, mirrorCatalog } from './mirror.mjs';
import { installClient, request } from './requests.mjs';
import { saveChatSettings } from './settings.mjs';
import { serve } from './web_server.mjs';

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

/** Installs `chatModel` and `others` from the local mirror, through a copy of its catalog that
 *  makes `chatModel` the default chat model (so the chat view picks it). The mirror stays up;
 *  returns `{ close }` for the tests' end. */
export async function installAsChatDefault(lantern, chatModel, others = []) {
  const catalog = mirrorCatalog();
  for (const id of [chatModel, ...others]) {
    assert.ok(catalog?.models.some((m) => m.id === id), `the mirror lacks ${id}: run \`cargo xtask fetch-models --all\``);
  }
  const mirror = await startMirror();
  const chosenFirst = {
    ...catalog,
    base_url: `${mirror.origin}/`,
    models: catalog.models.map((m) => (m.task === 'llm' ? { ...m, default: m.id === chatModel } : m)),
  };
  const catalogServer = await serve({ '/catalog.json': JSON.stringify(chosenFirst) });
  const close = async () => {
    await mirror.stop();
    await catalogServer.close();
  };
  try {
    const setup = await lantern.open('ui/options.html');
    await installClient(setup);
    const chosen = await request(setup, 'offscreen', { type: 'set_catalog_url', url: `${catalogServer.origin}/catalog.json` });
    assert.equal(chosen.final.kind, 'return', JSON.stringify(chosen.final));
    for (const id of [chatModel, ...others]) {
      const installed = (await request(setup, 'offscreen', { type: 'download_model', model_id: id })).final;
      assert.equal(installed.kind, 'return', JSON.stringify(installed));
    }
    await setup.close();
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
