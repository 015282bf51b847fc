// Tells garbage from leaks: through the server's inspector (started with --inspect on a
// free port) it attaches to every worker thread, forces a full GC on each thread, and
// counts the SharedArrayBuffers each thread still reaches. RSS that comes back after
// this was garbage V8 had not collected; RSS that stays is held by live objects. A thread
// that cannot answer (an idle piscina thread of the file-work pool waits in Atomics.wait,
// where the inspector cannot run) is reported as such and the others are still probed.

export interface ThreadProbe {
  sharedArrayBuffers: number;
  sharedBytes: number;
  heapUsedMB: number;
  /** The V8 heap's resident bytes by space (new, old, code...), in MB, before the GC. */
  residentBeforeGcMB?: Record<string, number>;
  /** Set when the thread did not answer the inspector (nothing above was measured). */
  unreachable?: string;
}

interface Cdp {
  call(method: string, params?: object): Promise<{ result?: any; error?: { message: string } }>;
}

const ANSWER_WITHIN_MS = 5000;

export async function gcAllThreads(inspectPort: number): Promise<Record<string, ThreadProbe>> {
  const list = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(list[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let nextId = 0;
  const waiting = new Map<string, (m: any) => void>();
  const workers: { sessionId: string; title: string }[] = [];
  ws.onmessage = (ev) => {
    const m = JSON.parse(String(ev.data));
    if (m.method === 'NodeWorker.attachedToWorker') {
      workers.push({ sessionId: m.params.sessionId, title: `worker ${m.params.workerInfo.workerId}` });
    } else if (m.method === 'NodeWorker.receivedMessageFromWorker') {
      const inner = JSON.parse(m.params.message);
      waiting.get(`${m.params.sessionId}:${inner.id}`)?.(inner);
    } else if (m.id !== undefined) {
      waiting.get(`main:${m.id}`)?.(m);
    }
  };
  const session = (sessionId: string | null): Cdp => ({
    call(method, params = {}) {
      return new Promise((resolve, reject) => {
        const id = ++nextId;
        const key = `${sessionId ?? 'main'}:${id}`;
        const t = setTimeout(() => {
          waiting.delete(key);
          reject(new Error(`${method}: no answer`));
        }, ANSWER_WITHIN_MS);
        waiting.set(key, (m) => {
          clearTimeout(t);
          waiting.delete(key);
          resolve(m);
        });
        const message = JSON.stringify({ id, method, params });
        if (sessionId === null) ws.send(message);
        else ws.send(JSON.stringify({ id: ++nextId, method: 'NodeWorker.sendMessageToWorker', params: { sessionId, message } }));
      });
    },
  });
  try {
    const main = session(null);
    await main.call('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await new Promise((r) => setTimeout(r, 1000));
    const out: Record<string, ThreadProbe> = { main: await probe(main) };
    for (const w of workers) {
      out[w.title] = await probe(session(w.sessionId)).catch((err: Error) => ({ sharedArrayBuffers: -1, sharedBytes: -1, heapUsedMB: -1, unreachable: err.message }));
    }
    await main.call('NodeWorker.disable');
    return out;
  } finally {
    ws.close();
  }
}

async function probe(s: Cdp): Promise<ThreadProbe> {
  const spaces = await s.call('Runtime.evaluate', {
    expression: "Object.fromEntries(require('node:v8').getHeapSpaceStatistics().map((x) => [x.space_name.replace('_space', ''), Math.round(x.physical_space_size / 104857.6) / 10]))",
    includeCommandLineAPI: true,
    returnByValue: true,
  });
  await s.call('HeapProfiler.enable');
  await s.call('HeapProfiler.collectGarbage');
  const proto = await s.call('Runtime.evaluate', { expression: 'SharedArrayBuffer.prototype' });
  const found = await s.call('Runtime.queryObjects', { prototypeObjectId: proto.result.result.objectId });
  const sum = await s.call('Runtime.callFunctionOn', {
    objectId: found.result.objects.objectId,
    functionDeclaration: 'function () { return [this.length, this.reduce((a, b) => a + b.byteLength, 0)]; }',
    returnByValue: true,
  });
  const heap = await s.call('Runtime.getHeapUsage');
  await s.call('HeapProfiler.disable');
  const [n, bytes] = (sum.result?.result?.value as [number, number] | undefined) ?? [-1, -1];
  const residentBeforeGcMB = spaces.result?.result?.value as Record<string, number> | undefined;
  return { sharedArrayBuffers: n, sharedBytes: bytes, heapUsedMB: Math.round((heap.result?.usedSize ?? 0) / 1048576), ...(residentBeforeGcMB ? { residentBeforeGcMB } : {}) };
}
