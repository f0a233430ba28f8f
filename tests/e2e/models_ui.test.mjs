// The model manager on the options page: download with a progress bar, delete, import a file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, screenshot } from './lib/lantern.mjs';
import { startMirror, mirrorCatalog } from './lib/mirror.mjs';
import { installClient, request } from './lib/requests.mjs';

const SMOL = 'smollm2-135m-instruct-q4_1';
let lantern;
let mirror;
let scratch;
before(async () => {
  assert.ok(mirrorCatalog(), 'the model mirror is missing: run `cargo xtask fetch-models` first');
  lantern = await launch();
  await lantern.closeWelcome();
  mirror = await startMirror();
  scratch = await mkdtemp(join(tmpdir(), 'lantern-import-'));
});
after(async () => {
  await lantern?.close();
  await mirror?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function options() {
  const page = await lantern.open('ui/options.html', { width: 900, height: 1000 });
  await page.getByText('Where models come from').click();
  await page.getByRole('textbox', { name: 'Catalog URL' }).fill(mirror.catalogUrl);
  await page.getByRole('button', { name: 'Use this catalog' }).click();
  await page.locator(`li[data-model="${SMOL}"]`).waitFor();
  return page;
}

test('download from the model list shows progress, then Installed; delete returns it to Download', async () => {
  const page = await options();
  const row = page.locator(`li[data-model="${SMOL}"]`);
  assert.match(await row.innerText(), /SmolLM2/);
  assert.match(await row.innerText(), /98 MB/);
  // A local download is quick: watch for the progress bar from before the click.
  await page.evaluate((id) => {
    window.sawProgress = false;
    const card = document.querySelector('section[aria-labelledby="models-heading"]');
    new MutationObserver(() => {
      if (card.querySelector(`li[data-model="${id}"] progress`)) window.sawProgress = true;
    }).observe(card, { childList: true, subtree: true, attributes: true });
  }, SMOL);
  await row.getByRole('button', { name: 'Download' }).click();
  await row.getByText('Installed').waitFor({ timeout: 60000 });
  assert.equal(await page.evaluate(() => window.sawProgress), true, 'no progress bar was shown');
  await screenshot(page, 'options-installed');
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('button', { name: 'Download' }).waitFor();
  await page.close();
});

test('a GGUF file picked from disk is imported and loads; a fake one is refused with a clear error', async () => {
  const page = await options();
  // A minimal valid GGUF: magic, version 3, no tensors, no metadata.
  const header = Buffer.alloc(24);
  header.write('GGUF', 0, 'latin1');
  header.writeUInt32LE(3, 4);
  const good = join(scratch, 'my-model.gguf');
  await writeFile(good, Buffer.concat([header, Buffer.alloc(5 * 1024 * 1024, 7)]));
  await page.locator('input[accept=".gguf"]').setInputFiles(good);
  const row = page.locator('li[data-model^="import-my-model-gguf-"]');
  await row.waitFor({ timeout: 30000 });
  assert.match(await row.innerText(), /Installed/);
  const id = await row.getAttribute('data-model');
  await installClient(page);
  // A GGUF with no tensors is stored, but the engine refuses it with a clear error.
  const loaded = (await request(page, 'offscreen', { type: 'load_model', model_id: id, task: 'llm' })).final;
  assert.equal(loaded.kind, 'throw', JSON.stringify(loaded));
  assert.equal(loaded.error.code, 'unsupported_format', loaded.error.message);
  // Stored whole: the engine read its header, and the list has the picked file's size.
  const listed = (await request(page, 'offscreen', { type: 'list_models' })).final;
  const imported = listed.value.models.find((m) => m.entry.id === id);
  assert.deepEqual(imported.entry.files.map((f) => [f.name, f.size]), [['my-model.gguf', 24 + 5 * 1024 * 1024]]);

  const fake = join(scratch, 'not-a-model.gguf');
  await writeFile(fake, 'this is text, not weights');
  await page.locator('input[accept=".gguf"]').setInputFiles(fake);
  const alert = page.locator('section[aria-labelledby="models-heading"] p[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /not a valid gguf file/);
  assert.equal(await alert.getAttribute('data-code'), 'UnsupportedFormat');
  assert.equal(await page.locator('li[data-model^="import-not-a-model"]').count(), 0);
  await page.close();
});

test('a safetensors folder picked from disk is imported with all its files', async () => {
  const page = await options();
  const folder = join(scratch, 'tiny-bert');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(folder, '1_Pooling'), { recursive: true });
  const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  await writeFile(join(folder, 'model.safetensors'), Buffer.concat([length, header]));
  await writeFile(join(folder, 'config.json'), '{"model_type": "bert"}');
  await writeFile(join(folder, 'tokenizer.json'), '{}');
  await writeFile(join(folder, '1_Pooling', 'config.json'), '{"pooling_mode_mean_tokens": true}');
  await page.locator('input[webkitdirectory]').setInputFiles(folder);
  const row = page.locator('li[data-model^="import-model-safetensors-"]');
  await row.waitFor({ timeout: 30000 });
  assert.match(await row.innerText(), /embed/);
  assert.match(await row.innerText(), /Installed/);
  await installClient(page);
  const id = await row.getAttribute('data-model');
  const listed = (await request(page, 'offscreen', { type: 'list_models' })).final;
  const stored = listed.value.models.find((m) => m.entry.id === id);
  assert.equal(stored.entry.files.length, 4, JSON.stringify(stored.entry.files));
  // The embeddings engine reads it and says why it cannot run it (its config is no BERT's).
  const asEmbedder = (await request(page, 'offscreen', { type: 'load_model', model_id: id, task: 'embed' })).final;
  assert.equal(asEmbedder.kind, 'throw', JSON.stringify(asEmbedder));
  assert.equal(asEmbedder.error.code, 'unsupported_format', JSON.stringify(asEmbedder));
  assert.match(asEmbedder.error.message, /config\.json is not a BERT config/);
  await page.close();
});
