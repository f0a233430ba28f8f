// Lantern's content script: injected on demand into a tab, answers what the page is, what the
// user selected, and a snapshot of the page for the extractor. A classic script with no wasm, so
// it runs under any page's CSP. It listens only to the extension (chrome.runtime), never to the
// page, so a page cannot drive it.
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

  // The page as it renders (the `content` crate's snapshot contract): every element the browser
  // does not render is marked `data-lantern-hidden` for the length of one serialisation, so the
  // extractor (which sees only markup) can drop what CSS hides. The marks are removed at once.
  const MARK = 'data-lantern-hidden';
  const pageSnapshot = () => {
    const marked = [];
    const root = document.body ?? document.documentElement;
    for (const el of root ? root.querySelectorAll('*') : []) {
      if (el.closest(`[${MARK}]`)) continue; // inside a hidden element already: dropped with it
      const hidden = typeof el.checkVisibility === 'function'
        ? !el.checkVisibility({ visibilityProperty: true })
        : getComputedStyle(el).display === 'none';
      if (hidden) { el.setAttribute(MARK, ''); marked.push(el); }
    }
    let html;
    try {
      html = document.documentElement ? document.documentElement.outerHTML : '';
    } finally {
      for (const el of marked) el.removeAttribute(MARK);
    }
    return {
      type: 'page_snapshot',
      url: location.href,
      title: document.title || '',
      html,
      selection: String(getSelection() ?? ''),
      content_type: document.contentType || '',
    };
  };

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || message?.target !== 'content') return false;
    const id = typeof message.id === 'number' ? message.id : null;
    const body = message.body ?? {};
    if (body.type === 'page_info') {
      sendResponse({ kind: 'return', id, value: pageInfo(body.tab_id) });
    } else if (body.type === 'page_snapshot') {
      sendResponse({ kind: 'return', id, value: pageSnapshot() });
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
