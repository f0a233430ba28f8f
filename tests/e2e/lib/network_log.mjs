// Every network request of every context in the browser, through the DevTools protocol: the
// service worker, the offscreen document, the Web Workers it starts (and the workers those
// start), extension pages and web pages. Each top-level context is attached as it appears and
// asked to attach its workers paused until their Network domain is on (so a worker's first
// request is seen too), and theirs the same way. Sessions are nested without flattening, so one
// browser-level CDP session reaches them all (Playwright owns the flattened ones).

/** Starts logging; `{ requests, contexts, stop() }`. Each request is
 *  `{ url, method, context: { type, url } }`; `contexts` lists every context attached, with
 *  `network` telling whether its requests could be watched. */
export async function recordNetwork(lantern) {
  const cdp = lantern.browserCdp;
  const requests = [];
  const contexts = [];
  const waiting = new Map();
  let nextId = 1;
  // A context's address as last announced: it may change (a document created blank, then
  // navigated) before its context record exists, so records take it up when logging stops.
  const addresses = new Map();

  // A session is a path of session ids from the browser session down.
  const sendRaw = (path, message) => {
    let wrapped = message;
    for (let i = path.length - 1; i >= 1; i--) {
      wrapped = { id: nextId++, method: 'Target.sendMessageToTarget', params: { sessionId: path[i], message: JSON.stringify(wrapped) } };
    }
    return cdp.send('Target.sendMessageToTarget', { sessionId: path[0], message: JSON.stringify(wrapped) }).catch(() => {});
  };
  const send = (path, method, params = {}) => new Promise((resolve) => {
    const id = nextId++;
    // A context that goes away never answers: do not wait on it for ever.
    const timer = setTimeout(() => { waiting.delete(id); resolve({ error: 'no answer' }); }, 10000);
    waiting.set(id, (message) => { clearTimeout(timer); resolve(message); });
    sendRaw(path, { id, method, params });
  });

  const attachedIds = new Set();
  const attached = async (path, info) => {
    attachedIds.add(info.targetId);
    const context = { targetId: info.targetId, type: info.type, url: info.url, network: false };
    contexts.push(context);
    // Whether this context's requests are seen at all: a check that passes because a context
    // was never watched would prove nothing.
    context.network = !(await send(path, 'Network.enable')).error;
    await send(path, 'Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
    await send(path, 'Runtime.runIfWaitingForDebugger');
    return context;
  };
  const byPath = new Map();
  const onMessage = (path, message) => {
    if (message.id !== undefined && waiting.has(message.id)) {
      const done = waiting.get(message.id);
      waiting.delete(message.id);
      done(message);
      return;
    }
    const params = message.params ?? {};
    switch (message.method) {
      case 'Target.receivedMessageFromTarget':
        onMessage([...path, params.sessionId], JSON.parse(params.message));
        break;
      case 'Target.attachedToTarget': {
        const child = [...path, params.sessionId];
        byPath.set(child.join('/'), attached(child, params.targetInfo));
        break;
      }
      case 'Target.targetInfoChanged':
        addresses.set(params.targetInfo.targetId, params.targetInfo.url);
        break;
      case 'Network.requestWillBeSent':
      case 'Network.webSocketCreated': {
        const context = byPath.get(path.join('/'));
        const url = params.request?.url ?? params.url;
        const record = { url, method: params.request?.method ?? 'WEBSOCKET', context: { type: '?', url: '?' } };
        requests.push(record);
        if (context) context.then((c) => { record.context = c; });
        break;
      }
      default:
        break;
    }
  };
  const fromBrowser = (event) => onMessage([event.sessionId], JSON.parse(event.message));
  // The browser session can only discover top-level contexts (auto-attach there is flattened
  // only): each is attached as it is created, and auto-attaches its own workers, paused.
  const attachTop = async (info) => {
    // Dedicated workers are attached (paused) through the context that starts them.
    if (attachedIds.has(info.targetId) || ['browser', 'tab', 'worker'].includes(info.type)) return;
    attachedIds.add(info.targetId);
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: info.targetId, flatten: false }).catch(() => ({}));
    if (sessionId) byPath.set(sessionId, attached([sessionId], info));
  };
  const created = (event) => {
    addresses.set(event.targetInfo.targetId, event.targetInfo.url);
    attachTop(event.targetInfo);
  };
  const changed = (event) => { addresses.set(event.targetInfo.targetId, event.targetInfo.url); };
  cdp.on('Target.receivedMessageFromTarget', fromBrowser);
  cdp.on('Target.targetCreated', created);
  cdp.on('Target.targetInfoChanged', changed);
  await cdp.send('Target.setDiscoverTargets', { discover: true });
  const { targetInfos } = await cdp.send('Target.getTargets');
  await Promise.all(targetInfos.map(attachTop));
  return {
    requests,
    contexts,
    async stop() {
      await Promise.all(byPath.values());
      const { targetInfos: now } = await cdp.send('Target.getTargets');
      for (const info of now) addresses.set(info.targetId, info.url);
      for (const context of contexts) context.url = addresses.get(context.targetId) || context.url;
      cdp.off('Target.receivedMessageFromTarget', fromBrowser);
      cdp.off('Target.targetCreated', created);
      cdp.off('Target.targetInfoChanged', changed);
    },
  };
}

/** `url`'s origin, or its scheme for addresses that are not on the network (data:, blob:,
 *  chrome-extension:...). */
export function originOf(url) {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' || parsed.protocol === 'ws:' || parsed.protocol === 'wss:'
    ? parsed.origin
    : parsed.protocol;
}
