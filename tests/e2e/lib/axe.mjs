// axe-core (pinned in package.json) run inside a page: its violations, of every impact.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let axeSource;

/** Runs axe on the page (injected through the debugger, which the page's CSP does not cover). */
export async function audit(page) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  // A run that checked nothing would pass vacuously.
  assert.ok(result.passes.length > 20, `axe checked only ${result.passes.length} rules`);
  return result.violations
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
