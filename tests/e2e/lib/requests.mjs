// Requests from an extension page over a UI port, the way Lantern's UI sends them: replies are
// collected in the page, and a port closed by a killed service worker is reopened and the
// request sent again (downloads join the running job, so that is safe). Each request has its
// own port; `record.stop()` sends `stop_chat` naming it on that port (as the UI's Stop does),
// `record.close()` closes the port (as a closed page would).

/** Installs `window.lantern.request(target, body)` in an extension page. */
export async function installClient(page) {
  await page.evaluate(() => {
    let next = 1000;
    window.lantern = {
      request(target, body) {
        const id = next++;
        const record = { id, replies: [], reconnects: 0, done: null, port: null };
        // Answers to the messages sent beside the request on its port (its stop), by id.
        const beside = new Map();
        const final = (reply) => reply.kind === 'return' || reply.kind === 'throw';
        record.done = new Promise((resolve) => {
          const open = () => {
            const port = chrome.runtime.connect({ name: 'lantern-ui' });
            record.port = port;
            port.onMessage.addListener((reply) => {
              if (beside.has(reply.id)) {
                if (final(reply)) { beside.get(reply.id)(reply); beside.delete(reply.id); }
                return;
              }
              record.replies.push(reply);
              if (final(reply)) { port.disconnect(); resolve(reply); }
            });
            port.onDisconnect.addListener(() => { record.reconnects++; open(); });
            port.postMessage({ id, target, body });
          };
          open();
        });
        record.stop = () => new Promise((resolve) => {
          const stopId = next++;
          beside.set(stopId, resolve);
          record.port.postMessage({ id: stopId, target: 'background', body: { type: 'stop_chat', id } });
        });
        // The port's own side closing fires no onDisconnect here, so it is not reopened.
        record.close = () => record.port.disconnect();
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
