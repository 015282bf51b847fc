// The hooks of one client connection (an RTMP session or an HTTP-FLV viewer): which
// events are due, with which body, in which order. Calls of one client run one after
// the other (on_stop before on_close, on_unpublish before on_close) even when the
// client does not wait for them; a client waits only for the hooks that can refuse it.

import type { StreamLocation } from '../../net/rtmp/stream-url.ts';
import { streamUrl } from '../../net/rtmp/stream-url.ts';
import type { ResolvedVhost } from '../worker/vhosts.ts';
import { callHook, type HookEnvironment, type HookLog, type HookOutcome } from './hooks.ts';
import {
  connectBody, closeBody, publishBody, playBody, stopBody,
  type HookEventName, type HookSubject,
} from '../../net/hooks/hook-bodies.ts';

const ALLOWED: HookOutcome = { allowed: true, calls: [] };

export function hookUrls(vhost: ResolvedVhost | null, event: HookEventName): readonly string[] {
  const h = vhost?.config.http_hooks;
  return h && h.enabled ? h[event] : [];
}

export class ClientHooks {
  private readonly clientId: string;
  private readonly ip: string;
  private readonly log: HookLog;
  private readonly env: HookEnvironment;
  private tail: Promise<unknown> = Promise.resolve();
  private vhost: ResolvedVhost | null = null;
  private app = '';
  private tcUrl = '';
  private pageUrl = '';
  private pastConnect = false;
  private connectFired = false;
  private publishing: { subject: HookSubject; vhost: ResolvedVhost } | null = null;
  private playing: { subject: HookSubject; vhost: ResolvedVhost } | null = null;

  constructor(clientId: string, ip: string, log: HookLog, env: HookEnvironment) {
    this.clientId = clientId;
    this.ip = ip;
    this.log = log;
    this.env = env;
  }

  /** RTMP `connect` accepted: on_close becomes due at the end of the connection. */
  connected(vhost: ResolvedVhost, app: string, tcUrl: string, pageUrl: string): void {
    this.pastConnect = true;
    this.vhost = vhost;
    this.app = app;
    this.tcUrl = tcUrl;
    this.pageUrl = pageUrl;
  }

  /** For clients without an RTMP connect (HTTP-FLV): the tcUrl their bodies carry. */
  useUrls(tcUrl: string, pageUrl: string): void {
    this.tcUrl = tcUrl;
    this.pageUrl = pageUrl;
  }

  /** The client said publish or play: on_connect, once per connection. False: refuse. */
  async identified(loc: StreamLocation, vhost: ResolvedVhost): Promise<boolean> {
    this.vhost = vhost;
    this.app = loc.app;
    if (this.connectFired) return true;
    this.connectFired = true;
    const urls = hookUrls(vhost, 'on_connect');
    if (urls.length === 0) return true;
    return (await this.run('on_connect', urls, connectBody(this.env.hookIdentity, this.subject(loc)))).allowed;
  }

  /** on_publish, before the source exists. False: refuse. */
  async publish(loc: StreamLocation, vhost: ResolvedVhost, streamId: string): Promise<boolean> {
    const urls = hookUrls(vhost, 'on_publish');
    if (urls.length === 0) return true;
    return (await this.run('on_publish', urls, publishBody(this.env.hookIdentity, 'on_publish', this.subject(loc, streamId)))).allowed;
  }

  /** The publish really started: on_unpublish becomes due when it ends. */
  published(loc: StreamLocation, vhost: ResolvedVhost, streamId: string): void {
    if (hookUrls(vhost, 'on_unpublish').length === 0) return;
    this.publishing = { subject: this.subject(loc, streamId), vhost };
  }

  /** on_play; when it passes, on_stop becomes due. False: refuse. */
  async play(loc: StreamLocation, vhost: ResolvedVhost, lookupStreamId: () => Promise<string | undefined>): Promise<boolean> {
    const playUrls = hookUrls(vhost, 'on_play');
    const stopDue = hookUrls(vhost, 'on_stop').length > 0;
    if (playUrls.length === 0 && !stopDue) return true;
    const subject = this.subject(loc, await lookupStreamId().catch(() => undefined));
    const outcome = playUrls.length ? await this.run('on_play', playUrls, playBody(this.env.hookIdentity, subject)) : ALLOWED;
    if (outcome.allowed && stopDue) this.playing = { subject, vhost };
    return outcome.allowed;
  }

  /** A publish or play ended: on_unpublish / on_stop, not awaited. */
  roleEnded(): void {
    if (this.publishing) {
      const { subject, vhost } = this.publishing;
      this.publishing = null;
      void this.run('on_unpublish', hookUrls(vhost, 'on_unpublish'), publishBody(this.env.hookIdentity, 'on_unpublish', subject));
    }
    if (this.playing) {
      const { subject, vhost } = this.playing;
      this.playing = null;
      void this.run('on_stop', hookUrls(vhost, 'on_stop'), stopBody(this.env.hookIdentity, subject));
    }
  }

  /** The connection ended: what is still due, then on_close when it got past connect. */
  closed(sendBytes: number, recvBytes: number): void {
    this.roleEnded();
    if (!this.pastConnect) return;
    this.pastConnect = false;
    const urls = hookUrls(this.vhost, 'on_close');
    if (urls.length === 0) return;
    const subject = this.subject({ vhost: this.vhost!.name, app: this.app, stream: '', param: '' });
    void this.run('on_close', urls, closeBody(this.env.hookIdentity, subject, sendBytes, recvBytes));
  }

  /** Settles when every hook started so far has finished (tests, graceful stop). */
  idle(): Promise<unknown> {
    return this.tail;
  }

  private run(event: HookEventName, urls: readonly string[], body: object): Promise<HookOutcome> {
    const p = this.tail.then(() => callHook(event, urls, body, { log: this.log, counts: this.env.hookCounts }));
    this.tail = p.catch(() => {});
    return p;
  }

  private subject(loc: StreamLocation, streamId?: string): HookSubject {
    const s: HookSubject = {
      clientId: this.clientId, ip: this.ip, vhost: loc.vhost, app: loc.app, stream: loc.stream, param: loc.param,
      tcUrl: this.tcUrl, pageUrl: this.pageUrl, streamUrl: streamUrl(loc),
    };
    if (streamId) s.streamId = streamId;
    return s;
  }
}
