// One question asked in a fresh side panel, for the end-to-end tests that need a real answer
// (and the model loaded by chatting, as a user loads it).

/** Asks `question` in a new side panel and waits for the whole answer; closes the panel. */
export async function askInSidePanel(lantern, question) {
  const panel = await lantern.open('ui/sidepanel.html', { width: 420, height: 900 });
  await panel.locator('.model-status[data-state="ready"]').waitFor({ timeout: 30000 });
  const answers = panel.locator('.message.assistant:not(.streaming)');
  const before = await answers.count();
  await panel.getByRole('textbox', { name: 'Message' }).fill(question);
  await panel.getByRole('textbox', { name: 'Message' }).press('Enter');
  await panel.waitForFunction((n) => document.querySelectorAll('.message.assistant:not(.streaming)').length > n
    && !document.querySelector('.message.streaming'), before, { timeout: 120000 });
  const answer = await answers.last().innerText();
  await panel.close();
  return answer;
}
