// HTTP hooks as SRS calls them: POST a JSON body to each configured URL in
// order, judge each answer, count the calls by result for /metrics. Runs on the
// worker of the session that fires it; a session awaits only its own hook, so a slow
// hook server delays that client and nobody else's media.

import http from 'node:http';
import https from 'node:https';
import { SERVER_NAME } from '../worker/server-identity.ts';
import { DENYING_EVENTS, type HookEventName, type HookIdentity } from '../../net/hooks/hook-bodies.ts';
import { judgeHookResponse } from '../../net/hooks/hook-judge.ts';
import type { SluiceConfig } from '../../config/types.ts';

export const HOOK_TIMEOUT_MS = 5000;
const MAX_ANSWER_BYTES = 64 * 1024;

export type HookResult = 'ok' | 'denied' | 'error' | 'timeout';

export interface HookCall {
  url: string;
  result: HookResult;
  status: number;
  detail: string;
  ms: number;
}

export interface HookOutcome {
  /** False when a URL of a denying event failed (the caller refuses the client). */
  allowed: boolean;
  calls: HookCall[];
}

export interface HookLog {
  warn(obj: object, msg: string): void;
}

export interface HookOptions {
  timeoutMs?: number;
  log?: HookLog;
  /** Where each call is counted (none: not counted). */
  counts?: HookCounts;
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

// ---- counters ----

export interface HookCount {
  event: HookEventName;
  result: HookResult;
  count: number;
}

/** One worker's hook calls by event and result, for /metrics. */
export class HookCounts {
  private readonly counts = new Map<string, number>();

  add(event: HookEventName, result: HookResult): void {
    const k = `${event}|${result}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  list(): HookCount[] {
    return [...this.counts].map(([k, count]) => {
      const [event, result] = k.split('|') as [HookEventName, HookResult];
      return { event, result, count };
    });
  }
}

/**
 * What hook callers need from their worker: the configuration in force (read when a
 * hook fires, so a reload applies at once), the server and service ids the main thread
 * decided, and the counters. The worker's WorkerServices is one.
 */
export interface HookEnvironment {
  readonly config: SluiceConfig;
  readonly hookIdentity: HookIdentity;
  readonly hookCounts: HookCounts;
}

// ---- calls ----

/**
 * Calls every URL of one event in order. For on_connect/on_publish/on_play the first
 * failure stops the loop and denies; for the others each failure is logged and the
 * next URL still gets its call.
 */
export async function callHook(event: HookEventName, urls: readonly string[], body: object, opts: HookOptions = {}): Promise<HookOutcome> {
  const json = JSON.stringify(body);
  const denying = DENYING_EVENTS.has(event);
  const calls: HookCall[] = [];
  for (const url of urls) {
    const call = await postHook(url, json, opts.timeoutMs ?? HOOK_TIMEOUT_MS);
    calls.push(call);
    opts.counts?.add(event, call.result);
    if (call.result === 'ok') continue;
    opts.log?.warn({ hook: event, url, result: call.result, status: call.status, detail: call.detail }, denying ? 'hook denied the client' : 'hook failed');
    if (denying) return { allowed: false, calls };
  }
  return { allowed: true, calls };
}

/** One POST, bounded in time from the connect to the last byte of the answer. */
export function postHook(url: string, json: string, timeoutMs: number, retried = false): Promise<HookCall> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (result: HookResult, status: number, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url, result, status, detail, ms: Date.now() - started });
    };
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`unsupported scheme ${target.protocol}`);
    } catch (err) {
      done('error', 0, `bad URL: ${(err as Error).message}`);
      return;
    }
    const payload = Buffer.from(json, 'utf8');
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': String(payload.length),
        'User-Agent': SERVER_NAME,
        Connection: 'Keep-Alive',
      },
    });
    timer = setTimeout(() => {
      done('timeout', 0, `no answer within ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive socket the hook server closed just as we reused it (servers close
      // idle ones after a few seconds): the request never reached it, so send it again
      // once on a fresh connection.
      if (req.reusedSocket && !retried && !settled && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) {
        settled = true;
        clearTimeout(timer);
        const left = Math.max(1, timeoutMs - (Date.now() - started));
        resolve(postHook(url, json, left, true).then((c) => ({ ...c, ms: Date.now() - started })));
        return;
      }
      done('error', 0, err.message);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          done('denied', res.statusCode ?? 0, 'answer too large');
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (err) => done('error', res.statusCode ?? 0, err.message));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const verdict = judgeHookResponse(status, Buffer.concat(chunks).toString('utf8'));
        if (verdict.ok) done('ok', status, '');
        else done('denied', status, verdict.reason);
      });
    });
    req.end(payload);
  });
}
