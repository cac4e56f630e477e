/** A minimal Chrome DevTools Protocol client (Node's global WebSocket) for workerd's inspector. */

export async function connectInspector(port, targetId = 'core:user:') {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = list.find((t) => t.id === targetId) ?? list[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`cannot connect to ${target.webSocketDebuggerUrl}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(typeof event.data === 'string' ? event.data : Buffer.from(event.data).toString('utf8'));
    const waiter = message.id !== undefined ? pending.get(message.id) : undefined;
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Samples the Worker's isolate while `work` runs; returns the V8 profile. */
export async function profileWhile(port, work, { intervalUs = 100 } = {}) {
  const inspector = await connectInspector(port);
  try {
    await inspector.send('Profiler.enable');
    await inspector.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await inspector.send('Profiler.start');
    await work();
    const { profile } = await inspector.send('Profiler.stop');
    await inspector.send('Profiler.disable');
    return profile;
  } finally {
    inspector.close();
  }
}
