// Lantern's content script: injected on demand into a tab, answers what the page is and what the
// user selected. A classic script with no wasm, so it runs under any page's CSP. It listens only
// to the extension (chrome.runtime), never to the page, so a page cannot drive it.
(() => {
  if (globalThis.__lanternContent) return; // injected again into the same page: one listener is enough
  globalThis.__lanternContent = true;

  const pageInfo = (tabId) => ({
    type: 'page_info',
    tab_id: typeof tabId === 'number' ? tabId : -1,
    title: document.title || '',
    url: location.href,
    selection: String(getSelection() ?? ''),
  });

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || message?.target !== 'content') return false;
    const id = typeof message.id === 'number' ? message.id : null;
    const body = message.body ?? {};
    if (body.type === 'page_info') {
      sendResponse({ kind: 'return', id, value: pageInfo(body.tab_id) });
    } else {
      sendResponse({
        kind: 'throw',
        id,
        error: { code: 'unknown_type', message: `the page script does not serve ${JSON.stringify(body.type)}` },
      });
    }
    return false;
  });
})();
