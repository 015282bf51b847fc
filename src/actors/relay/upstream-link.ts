// One RTMP connection to another server that comes back when it drops: what a Forwarder
// (publish) and an Edge (play) share. The link connects, starts the publish or play,
// notices a drop, closes what is left, rotates to the next host and schedules the next
// attempt after a backoff; once stopped it never tries again. The actor keeps what it
// does with the connection (send its ring, relay to a source) and its own log lines.
//
// Every attempt carries a generation. A connection that answers after the link moved on
// (it dropped, or the actor stopped) is closed at once and its reports are ignored, so a
// slow connect can never bring an abandoned attempt back to life.

import { RtmpClient } from '../../io/rtmp-client.ts';
import type { ClientEvent } from '../../net/rtmp/client-events.ts';
import type { ActorContext } from '../../runtime/index.ts';

/** Retry delays 1 s, 2 s, 4 s ... capped at 10 s; reset after a success. */
export class Backoff {
  private attempt = 0;
  private readonly firstMs: number;
  private readonly maxMs: number;

  constructor(firstMs = 1000, maxMs = 10_000) {
    this.firstMs = firstMs;
    this.maxMs = maxMs;
  }

  next(): number {
    const ms = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    return ms;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A failed attempt or a dropped connection, as the link saw it. */
export interface LinkDrop {
  reason: string;
  /** The connection had started its publish/play (a drop, not a failed attempt). */
  wasUp: boolean;
  /** Attempts failed since the last one that started, this one included. */
  failuresInRow: number;
  /** When the next attempt comes (the owner's `retry` message). */
  retryMs: number;
}

export interface UpstreamLinkOptions {
  mode: 'publish' | 'play';
  /** The owner's message tags: `{ type: up, gen, client }`, `{ type: down, gen, reason }`, `{ type: retry }`. */
  messages: { up: string; down: string; retry: string };
  /** host[:port] entries tried in turn, the next one after each failure; empty when the owner finds hosts itself. */
  hosts?: readonly string[];
  timeoutMs: number;
  backoff?: Backoff;
  /** The wait before the next attempt; the backoff's next delay when absent. */
  retryDelay?: (drop: Omit<LinkDrop, 'retryMs'>, backoff: Backoff) => number;
}

/** What the link needs of its actor: reports come back as the actor's own messages. */
export type LinkContext = Pick<ActorContext, 'self' | 'tell' | 'schedule'>;

export class UpstreamLink {
  private readonly ctx: LinkContext;
  private readonly opts: UpstreamLinkOptions;
  private readonly hosts: readonly string[];
  private readonly backoff: Backoff;
  private current: RtmpClient | null = null;
  /** A connection whose publish/play is not answered yet (closed if the link moves on). */
  private connecting: RtmpClient | null = null;
  private gen = 0;
  private hostIndex = 0;
  private failuresInRow = 0;
  private cancelRetry: (() => void) | null = null;
  private done = false;

  constructor(ctx: LinkContext, opts: UpstreamLinkOptions) {
    this.ctx = ctx;
    this.opts = opts;
    this.hosts = opts.hosts ?? [];
    this.backoff = opts.backoff ?? new Backoff();
  }

  /** The started connection, or null between attempts. */
  get client(): RtmpClient | null {
    return this.current;
  }

  /** The host the next attempt should use; undefined without a host list. */
  get host(): string | undefined {
    return this.hosts[this.hostIndex % this.hosts.length];
  }

  get isStopped(): boolean {
    return this.done;
  }

  /** Events of the current attempt are stamped with this; older ones are stale. */
  isCurrent(gen: number): boolean {
    return gen === this.gen && !this.done;
  }

  /**
   * Starts an attempt: connect to `tcUrl`, then publish or play `stream`. Does nothing
   * once stopped or while a connection is up. `onEvent` gets the attempt's generation.
   */
  open(tcUrl: string, stream: string, onEvent?: (event: ClientEvent, gen: number) => void): void {
    if (this.done || this.current) return;
    this.cancelRetry = null;
    const gen = ++this.gen;
    const { ctx, opts } = this;
    const self = ctx.self;
    const { up, down } = opts.messages;
    let client: RtmpClient | null = null;
    RtmpClient.connect(tcUrl, { timeoutMs: opts.timeoutMs, onEvent: onEvent && ((e: ClientEvent) => onEvent(e, gen)) })
      .then((c) => {
        client = c;
        if (this.done) return c.destroy();
        this.connecting = c;
        c.once('closed', (reason: string) => ctx.tell(self, { type: down, gen, reason }));
        const started = opts.mode === 'publish' ? c.publish(stream) : c.play(stream);
        return started.then(() => ctx.tell(self, { type: up, gen, client: c }));
      })
      .catch((err: unknown) => {
        (client as RtmpClient | null)?.destroy();
        ctx.tell(self, { type: down, gen, reason: (err as Error).message });
      });
  }

  /** The owner's `up` message: true when it is the current attempt's, now `client`. */
  up(gen: number, client: RtmpClient): boolean {
    if (this.connecting === client) this.connecting = null;
    if (!this.isCurrent(gen)) {
      client.destroy();
      return false;
    }
    this.current = client;
    this.failuresInRow = 0;
    this.backoff.reset();
    return true;
  }

  /**
   * The owner's `down` message: closes what is left of the attempt, moves to the next
   * host and schedules the retry. Null for a stale report (nothing happens).
   */
  down(gen: number, reason: string): LinkDrop | null {
    if (!this.isCurrent(gen)) return null;
    this.gen++; // later reports of this attempt are stale
    this.connecting?.destroy();
    this.connecting = null;
    const wasUp = this.current !== null;
    this.closeClient();
    this.failuresInRow++;
    if (this.hosts.length > 0) this.hostIndex = (this.hostIndex + 1) % this.hosts.length;
    const seen = { reason, wasUp, failuresInRow: this.failuresInRow };
    const retryMs = this.opts.retryDelay ? this.opts.retryDelay(seen, this.backoff) : this.backoff.next();
    this.retryIn(retryMs);
    return { ...seen, retryMs };
  }

  /** Drops the current attempt from the owner's side (a send failed). */
  fail(reason: string): LinkDrop | null {
    return this.down(this.gen, reason);
  }

  /** Leaves the connection without counting a failure; the owner says when to try again. */
  abandon(retryMs: number): void {
    this.gen++; // the closing connection's report is stale
    this.closeClient();
    this.retryIn(retryMs);
  }

  /** Asks for another attempt after `ms` (the owner's `retry` message). */
  retryIn(ms: number): void {
    if (this.done) return;
    this.cancelRetry = this.ctx.schedule(ms, { type: this.opts.messages.retry });
  }

  /** For good: closes any connection and never tries again. */
  stop(): void {
    this.done = true;
    this.gen++;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.connecting?.destroy();
    this.connecting = null;
    this.closeClient();
  }

  private closeClient(): void {
    const c = this.current;
    this.current = null;
    if (c) void c.close();
  }
}
