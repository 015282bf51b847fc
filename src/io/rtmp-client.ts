// A thin node:net adapter around ClientSession: one TCP connection to an RTMP server,
// for forwarders, edges and tests. Events: 'status', 'media', 'data', 'command',
// 'control', 'connected', 'closed' (with a reason string, once).
// (The one file of src/net/rtmp that touches sockets and timers: it is the adapter the
// README's sans-I/O codecs are meant to be driven by.)
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { SluiceError } from '../errors.ts';
import { ClientSession, type ClientSessionOptions } from '../net/rtmp/client-session.ts';
import type { ClientEvent, ClientStatusEvent } from '../net/rtmp/client-events.ts';
import type { AmfObject } from '../net/amf/amf-types.ts';

export interface RtmpClientOptions extends ClientSessionOptions {
  /** Bound on the TCP connect + handshake + connect reply, and on publish()/play() (default 10000). */
  timeoutMs?: number;
  /** Extra connect command properties. */
  connectExtra?: AmfObject;
  /** Sees every event from the very first byte, before connect() resolves. */
  onEvent?: (e: ClientEvent) => void;
}

export interface RtmpUrl {
  host: string;
  port: number;
  /** The app, with any query it carries (`live?vhost=x`). */
  app: string;
  /** The tcUrl sent in connect: the URL as given. */
  tcUrl: string;
}

/** `rtmp://host[:port]/app[?query]`: everything after the host is the app. */
export function parseRtmpUrl(url: string): RtmpUrl {
  const m = /^rtmp:\/\/(\[[^\]]+\]|[^/:?]+)(?::(\d+))?(?:\/(.*))?$/i.exec(url);
  if (!m) throw new SluiceError('RTMP_COMMAND', `not an rtmp:// URL: ${url}`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return { host, port: m[2] ? Number(m[2]) : 1935, app: m[3] ?? '', tcUrl: url };
}

export class RtmpClient extends EventEmitter {
  readonly session: ClientSession;
  readonly socket: net.Socket;
  readonly url: RtmpUrl;
  /** Why the connection ended, once it has. */
  closedReason: string | null = null;
  private readonly timeoutMs: number;
  private readonly onEvent: ((e: ClientEvent) => void) | undefined;

  private constructor(socket: net.Socket, session: ClientSession, url: RtmpUrl, opts: RtmpClientOptions) {
    super();
    this.onEvent = opts.onEvent;
    this.socket = socket;
    this.session = session;
    this.url = url;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Opens the TCP connection, runs the handshake and `connect`; resolves once connected. */
  static connect(url: string, opts: RtmpClientOptions = {}): Promise<RtmpClient> {
    const u = parseRtmpUrl(url);
    const session = new ClientSession(opts);
    const socket = net.connect(u.port, u.host);
    socket.setNoDelay(true);
    const client = new RtmpClient(socket, session, u, opts);
    socket.on('data', (d: Buffer) => client.onData(d));
    socket.on('error', (err) => client.finish(`socket error: ${err.message}`));
    socket.on('close', () => client.finish('connection closed by peer'));
    socket.once('connect', () => {
      client.write(session.start());
      client.write(session.connect(u.tcUrl, u.app, opts.connectExtra));
    });
    return client.waitFor(
      'connect',
      (e) => (e.type === 'connected' ? true : e.type === 'status' && e.name === '_error' ? e : null),
    ).then(
      () => client,
      (err: unknown) => {
        client.destroy();
        throw err;
      },
    );
  }

  /** FMLE-style publish; resolves on NetStream.Publish.Start, rejects on an error status or close. */
  async publish(name: string): Promise<ClientStatusEvent> {
    this.write(this.session.publish(name));
    return this.waitForStatus('publish', 'NetStream.Publish.Start');
  }

  /** Resolves on NetStream.Play.Start, rejects on an error status or close. */
  async play(name: string): Promise<ClientStatusEvent> {
    this.write(this.session.play(name));
    return this.waitForStatus('play', 'NetStream.Play.Start');
  }

  /** Returns false when the socket buffer is full (wait for 'drain' on `socket`). */
  sendMedia(type: number, timestamp: number, payload: Uint8Array): boolean {
    return this.write(this.session.sendMedia(type, timestamp, payload));
  }

  sendData(timestamp: number, name: string, ...values: unknown[]): boolean {
    return this.write(this.session.sendData(timestamp, name, ...values));
  }

  /** Sends the polite goodbye, ends the socket and waits for it to close. */
  async close(): Promise<void> {
    if (this.closedReason === null && !this.socket.destroyed) {
      this.write(this.session.close());
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 2000);
      await new Promise<void>((resolve) => (this.closedReason !== null ? resolve() : this.once('closed', () => resolve())));
      clearTimeout(t);
    }
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
    this.finish('destroyed');
  }

  private write(bytes: Uint8Array): boolean {
    if (bytes.length === 0 || this.socket.destroyed) return !this.socket.destroyed;
    return this.socket.write(bytes);
  }

  private onData(d: Buffer): void {
    let step: { send: Uint8Array; events: ClientEvent[] };
    try {
      step = this.session.push(d);
    } catch (err) {
      this.socket.destroy();
      this.finish(`protocol error: ${(err as Error).message}`);
      return;
    }
    this.write(step.send);
    for (const e of step.events) {
      this.onEvent?.(e);
      this.emit(e.type, e);
    }
  }

  private finish(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.session.close();
    this.emit('closed', reason);
  }

  private waitForStatus(what: string, code: string): Promise<ClientStatusEvent> {
    return this.waitFor(what, (e) => {
      if (e.type !== 'status' || e.name === 'onFCPublish' || e.name === 'onFCUnpublish') return null;
      if (e.code === code) return e;
      if (e.level === 'error') return new SluiceError('RTMP_COMMAND', `${what} refused: ${e.code} ${e.description}`);
      return null;
    }) as Promise<ClientStatusEvent>;
  }

  /**
   * Resolves with what `match` returns for the first event it accepts; a SluiceError it
   * returns, an `_error` status, a close or the timeout rejects.
   */
  private waitFor(what: string, match: (e: ClientEvent) => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const types = ['connected', 'status'] as const;
      const cleanup = (): void => {
        clearTimeout(timer);
        for (const t of types) this.off(t, onEvent);
        this.off('closed', onClosed);
      };
      const onEvent = (e: ClientEvent): void => {
        const r = match(e);
        if (r === null || r === undefined || r === false) return;
        cleanup();
        if (r instanceof Error) reject(r);
        else if (typeof r === 'object' && (r as ClientStatusEvent).name === '_error') {
          reject(new SluiceError('RTMP_COMMAND', `${what} refused: ${(r as ClientStatusEvent).code}`));
        } else resolve(r);
      };
      const onClosed = (reason: string): void => {
        cleanup();
        reject(new SluiceError('RTMP_COMMAND', `${what}: ${reason}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new SluiceError('RTMP_TIMEOUT', `${what} got no answer in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      if (this.closedReason !== null) {
        onClosed(this.closedReason);
        return;
      }
      for (const t of types) this.on(t, onEvent);
      this.on('closed', onClosed);
    });
  }
}
