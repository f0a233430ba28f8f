// Requests from an extension page over a UI port, the way Lantern's UI sends them: replies are
// collected in the page, and a port closed by a killed service worker is reopened and the
// request sent again (downloads join the running job, so that is safe).

/** Installs `window.lantern.request(target, body)` in an extension page. */
export async function installClient(page) {
  await page.evaluate(() => {
    let next = 1000;
    window.lantern = {
      request(target, body) {
        const id = next++;
        const record = { id, replies: [], reconnects: 0, done: null };
        record.done = new Promise((resolve) => {
          const open = () => {
            const port = chrome.runtime.connect({ name: 'lantern-ui' });
            port.onMessage.addListener((reply) => {
              record.replies.push(reply);
              if (reply.kind === 'return' || reply.kind === 'throw') { port.disconnect(); resolve(reply); }
            });
            port.onDisconnect.addListener(() => { record.reconnects++; open(); });
            port.postMessage({ id, target, body });
          };
          open();
        });
        window.lantern.last = record;
        return record;
      },
    };
  });
}

/** Sends a request and waits for its final reply; returns {final, replies, reconnects}. */
export async function request(page, target, body) {
  return page.evaluate(async ([t, b]) => {
    const record = window.lantern.request(t, b);
    const final = await record.done;
    return { final, replies: record.replies, reconnects: record.reconnects };
  }, [target, body]);
}
