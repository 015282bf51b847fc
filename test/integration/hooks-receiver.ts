// A hook server for tests, on 127.0.0.1: records every POST (path and parsed body) and
// answers what `answer` says for it ('hang' never answers).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookHit {
  path: string;
  at: number;
  body: Record<string, unknown>;
  raw: string;
}

export type Answer = string | 'hang';

export interface HookReceiver {
  readonly url: string;
  readonly hits: HookHit[];
  actions(): string[];
  close(): Promise<void>;
}

export async function startHookReceiver(answer: (hit: HookHit) => Answer = () => '0'): Promise<HookReceiver> {
  const hits: HookHit[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // recorded as is
      }
      const hit = { path: req.url ?? '', at: Date.now(), body, raw };
      hits.push(hit);
      const a = answer(hit);
      if (a === 'hang') return;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(a);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    actions: () => hits.map((h) => String(h.body.action)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
