// Saves chat settings through the options page, as a user would. Tests that assert what a
// model answers choose greedy decoding here: the chat samples at temperature 0.7 by default,
// and a sampled answer is not the same twice.

export async function saveChatSettings(lantern, { temperature, maxTokens }) {
  const options = await lantern.open('ui/options.html', { width: 900, height: 1200 });
  await options.locator('section.settings[data-state="ready"]').waitFor();
  await options.getByLabel('Temperature (0–2)').fill(String(temperature));
  if (maxTokens !== undefined) await options.getByLabel('Max tokens per answer').fill(String(maxTokens));
  await options.getByRole('button', { name: 'Save settings' }).click();
  await options.getByText('Settings saved.').waitFor();
  await options.close();
}
