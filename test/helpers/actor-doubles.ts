// Test doubles for driving one actor without the runtime or a socket: an ActorContext
// that records what the actor tells, stops and schedules and routes its asks and spawns
// to the test; a Socket-like duplex that records writes; and WorkerServices over a small
// block pool, as a worker's root would make them.

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { validateConfig } from '../../src/config/index.ts';
import { createBlockPool, type ActorContext, type ActorRef } from '../../src/runtime/index.ts';
import { WorkerServices } from '../../src/actors/worker/worker-services.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

export interface FakeContextOptions {
  self: ActorRef;
  parent?: ActorRef | null;
  /** Answers an ask; throw to reject it. */
  ask?: (to: ActorRef, msg: any) => unknown;
  /** Makes the child of a spawn and answers its ref. */
  spawn?: (kind: string, args: any) => ActorRef;
}

export interface FakeContext {
  ctx: ActorContext;
  /** Messages told to other actors. */
  told: { to: ActorRef; msg: any }[];
  /** Messages told to self, waiting for deliver(). */
  mailbox: any[];
  /** Refs stopped (self included when the actor stopped itself). */
  stopped: ActorRef[];
  scheduled: { delayMs: number; msg: any; every: boolean }[];
  logs: LogLine[];
}

export function fakeContext(opts: FakeContextOptions): FakeContext {
  const fake: FakeContext = { ctx: null as unknown as ActorContext, told: [], mailbox: [], stopped: [], scheduled: [], logs: [] };
  const line = (level: LogLine['level']) => (fields: Record<string, unknown>, msg: string) => {
    fake.logs.push({ level, fields, msg });
  };
  const log = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), level: 'info' };
  const self = opts.self;
  const ctx = {
    self,
    parent: opts.parent ?? null,
    log,
    tell(to: ActorRef, msg: unknown) {
      if (to.worker === self.worker && to.id === self.id) fake.mailbox.push(msg);
      else fake.told.push({ to, msg });
    },
    async ask(to: ActorRef, msg: any) {
      if (!opts.ask) throw new Error(`unexpected ask of ${msg?.type}`);
      return await opts.ask(to, msg);
    },
    spawn(kind: string, args: unknown) {
      if (!opts.spawn) throw new Error(`unexpected spawn of ${kind}`);
      return opts.spawn(kind, args);
    },
    stop(ref?: ActorRef) {
      fake.stopped.push(ref ?? self);
    },
    schedule(delayMs: number, msg: unknown) {
      fake.scheduled.push({ delayMs, msg, every: false });
      return () => {};
    },
    every(intervalMs: number, msg: unknown) {
      fake.scheduled.push({ delayMs: intervalMs, msg, every: true });
      return () => {};
    },
  };
  fake.ctx = ctx as unknown as ActorContext;
  return fake;
}

/** True when `ref` is in the list. */
export function includesRef(refs: readonly ActorRef[], ref: ActorRef): boolean {
  return refs.some((r) => r.worker === ref.worker && r.id === ref.id);
}

/** A Socket as far as a session uses one: events in, writes recorded, no network. */
export class FakeSocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.9';
  readonly localAddress = '127.0.0.1';
  readonly writes: Buffer[] = [];
  bytesWritten = 0;
  paused = false;
  destroyed = false;

  write(data: Uint8Array): boolean {
    const b = Buffer.from(data);
    this.writes.push(b);
    this.bytesWritten += b.length;
    return true;
  }

  /** Everything written since the last call. */
  take(): Buffer {
    const all = Buffer.concat(this.writes);
    this.writes.length = 0;
    return all;
  }

  setNoDelay(): this {
    return this;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    return this;
  }

  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

/** WorkerServices with the default configuration (plus `config`) over a 4 MB pool. */
export function testServices(config: Record<string, unknown> = {}, hub: ActorRef = { worker: 1, id: 2 }): WorkerServices {
  const res = validateConfig({ workers: 1, ...config });
  if (!('config' in res)) throw new Error(JSON.stringify(res));
  const services = new WorkerServices({ config: res.config, pool: createBlockPool(64 * 1024, 4 * 1024 * 1024) });
  services.hub = hub;
  return services;
}
