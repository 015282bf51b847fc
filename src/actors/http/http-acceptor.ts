// HttpAcceptor: the HTTP server of one worker (reusePort, like RTMP). It serves live
// HTTP-FLV from the worker's fan-out, HLS playlists and segments from `hls.path`, the
// shipped players page under `/players/`, and static files from `http_server.dir`. With
// `auth.play`, HTTP-FLV and HLS requests need a token and get 401 without a good one.
// The fmp4 / low_latency variants are answered from memory while live (hls-live-http.ts).

import http from 'node:http';
import { registerActor, type Actor, type ActorContext } from '../../runtime/index.ts';
import type { ListenAddress } from '../../config/types.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import { resolveVhost, type ResolvedVhost } from '../worker/vhosts.ts';
import { serveStatic } from '../../io/static-files.ts';
import { sendText } from '../../io/http-errors.ts';
import { CORS_HEADERS } from '../../io/cors.ts';
import { SERVER_HEADER_VALUE } from '../../net/http/server-header.ts';
import { httpServerOptions, applyHttpLimits } from '../../io/request-limits.ts';
import { FlvViewerSink } from '../stream/flv-viewer-sink.ts';
import { newClientId } from '../worker/server-identity.ts';
import { matchMount } from '../../net/http/mount.ts';
import { streamKey, isSafeName } from '../../net/rtmp/stream-url.ts';
import { DIRECTORY_REF } from '../../runtime/index.ts';
import { ClientHooks } from '../hooks/hook-client.ts';
import { listenOutcome, failuresOf, type ListenFailure } from '../worker/listen-outcome.ts';
import { authorize, visibleParam } from '../../auth/authorize.ts';
import { tokenOf, urlWithoutToken, TOKEN_PARAM } from '../../auth/token-query.ts';
import { matchHlsFile } from '../../net/hls/hls-file-match.ts';
import { servePlaylistWithQuery } from '../hls/hls-token-playlist.ts';
import { serveLiveHls, matchFmp4File } from '../hls/hls-live-http.ts';
import { servePlayersPage } from './players-page.ts';
import { clusterOn, remotePlayRefused } from '../relay/cluster-names.ts';
import { join } from 'node:path';

/** Where an HTTP listener listens: two equal ones listen the same way. */
export interface HttpListen {
  listen: ListenAddress[];
}

export interface HttpAcceptorArgs extends HttpListen {
  services: WorkerServices;
}

/** `acceptor/ready` answers the addresses that could not be listened on (none: all up). */
export type HttpAcceptorMsg = { type: 'acceptor/close' } | { type: 'acceptor/ready' };

export class HttpAcceptor implements Actor {
  private readonly servers: http.Server[] = [];
  private readonly outcomes: Promise<ListenFailure | null>[] = [];
  private readonly ctx: ActorContext;
  private readonly services: WorkerServices;

  constructor(args: HttpAcceptorArgs, ctx: ActorContext) {
    this.ctx = ctx;
    this.services = args.services;
    const connections = args.services.connections;
    for (const addr of args.listen) {
      const server = http.createServer(httpServerOptions(), (req, res) => {
        this.handle(req, res).catch((err: Error) => {
          ctx.log.warn({ url: urlWithoutToken(req.url ?? ''), err: err.message }, 'http request failed');
          if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
          else res.destroy();
        });
      });
      applyHttpLimits(server, undefined, (reason, socket) => {
        ctx.log.warn({ ip: socket.remoteAddress, reason }, 'http connection closed');
      });
      server.on('connection', (socket) => {
        if (!connections.tryOpen()) {
          ctx.log.warn({ ip: socket.remoteAddress }, 'connection refused: max_connections reached');
          socket.destroy();
          return;
        }
        socket.once('close', () => connections.closed());
      });
      server.on('error', (err) => ctx.log.error({ err: err.message, port: addr.port }, 'http listener failed'));
      this.outcomes.push(listenOutcome(server, addr));
      server.listen({ port: addr.port, host: addr.host, reusePort: true, backlog: 4096 });
      this.servers.push(server);
    }
  }

  receive(msg: HttpAcceptorMsg): unknown {
    switch (msg.type) {
      case 'acceptor/close':
        for (const s of this.servers) s.close();
        return undefined;
      case 'acceptor/ready':
        return failuresOf(this.outcomes);
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const config = this.services.config;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const vhost = resolveVhost(config, host);
    if (vhost && vhost.config.http_remux.enabled && url.pathname.endsWith('.flv') && (req.method === 'GET' || req.method === 'HEAD')) {
      const loc = matchMount(vhost.config.http_remux.mount, url.pathname);
      if (loc && !(await this.tokenAllows(req, res, vhost, loc, url))) return;
      if (loc && req.method === 'HEAD') {
        await this.headFlv(res, streamKey({ vhost: vhost.name, app: loc.app, stream: loc.stream }));
        return;
      }
      if (loc) {
        const search = visibleParam(vhost.config.auth, url.search);
        this.serveFlv(req, res, { vhost: vhost.name, app: loc.app, stream: loc.stream }, search, vhost.config, vhost);
        return;
      }
    }
    if (vhost && vhost.config.hls.enabled && /\.(m3u8|ts|m4s|mp4)$/.test(url.pathname)) {
      // A live playlist changes every fragment: players must not cache it.
      const playlist = url.pathname.endsWith('.m3u8');
      const hls = vhost.config.hls;
      const fmp4 = hls.variant !== 'mpegts';
      const where = fmp4 ? matchFmp4File(hls, url.pathname) : matchHlsFile(playlist ? hls.m3u8_file : hls.ts_file, url.pathname);
      // A name outside the templates belongs to no stream: only a token for any stream fits.
      if (!(await this.tokenAllows(req, res, vhost, where ?? { app: '', stream: '' }, url))) return;
      if (playlist && clusterOn(config)) await this.hlsOfCluster(vhost, url.pathname);
      const token = vhost.config.auth.enabled ? tokenOf(url.search) : null;
      // fmp4 / low_latency: live files and blocking reloads from memory (hls-live-http.ts).
      const query = token === null ? '' : `${TOKEN_PARAM}=${encodeURIComponent(token)}`;
      if (fmp4 && (await serveLiveHls(this.ctx, this.services.liveMirrors, req, res, vhost.name, hls, url, query))) return;
      if (playlist && token !== null && (req.method === 'GET' || req.method === 'HEAD')) {
        if (await servePlaylistWithQuery(req, res, hls.path, `${TOKEN_PARAM}=${encodeURIComponent(token)}`)) return;
      }
      const cacheControl = playlist ? 'no-cache' : undefined;
      if (await serveStatic(req, res, hls.path, { cacheControl })) return;
    }
    if (await servePlayersPage(req, res, url, config)) return;
    if (await serveStatic(req, res, config.http_server.dir)) return;
    sendText(res, 404, 'Not Found');
  }

  /** True when the vhost lets this play in; otherwise answers 401 and logs why. */
  private async tokenAllows(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    vhost: ResolvedVhost,
    where: { app: string; stream: string },
    url: URL,
  ): Promise<boolean> {
    if (req.method === 'OPTIONS') return true; // CORS preflights carry no token
    const verdict = await authorize(vhost.config.auth, 'play', where, url.search);
    if (verdict.ok) return true;
    this.ctx.log.info({ ip: req.socket.remoteAddress ?? '', path: url.pathname, reason: `token ${verdict.reason}` }, 'http play refused');
    sendText(res, 401, 'Unauthorized');
    return false;
  }

  /** A playlist of a stream that may live on another origin of the cluster (hls-pull.ts). */
  private async hlsOfCluster(vhost: ResolvedVhost, pathname: string): Promise<void> {
    const hls = vhost.config.hls;
    const loc = matchMount(hls.m3u8_file, pathname);
    if (!loc || !isSafeName(loc.app) || !isSafeName(loc.stream)) return;
    await this.services.hlsPulls.playlistAsked(this.ctx, {
      key: streamKey({ vhost: vhost.name, app: loc.app, stream: loc.stream }),
      file: join(hls.path, decodeURIComponent(pathname)),
      // The first playlist needs a whole fragment, plus the time to start the pull.
      waitMs: (hls.fragment + 5) * 1000,
      mwLatencyMs: vhost.config.mw_latency_ms,
      queueMs: vhost.config.queue_length * 1000,
    });
  }

  /** HEAD of a live stream: the headers a GET would get, no body; 404 when not live. */
  private async headFlv(res: http.ServerResponse, key: string): Promise<void> {
    const found = await this.ctx.ask<{ entry: unknown }>(DIRECTORY_REF, { type: 'dir/lookup', name: key });
    if (!found.entry) {
      sendText(res, 404, 'Not Found');
      return;
    }
    res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'video/x-flv', 'Cache-Control': 'no-cache', Server: SERVER_HEADER_VALUE });
    res.end();
  }

  private serveFlv(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    loc: { vhost: string; app: string; stream: string },
    search: string,
    vhost: { mw_latency_ms: number; queue_length: number },
    resolved: ResolvedVhost,
  ): void {
    const id = newClientId();
    const key = streamKey(loc);
    const startedAt = Date.now();
    const ip = req.socket.remoteAddress ?? '';
    // As in SRS, HTTP-FLV fires on_play and on_stop only (never on_connect or on_close), with
    // an RTMP-style tcUrl.
    const hooks = new ClientHooks(id, ip, this.ctx.log, this.services);
    hooks.useUrls(`rtmp://${loc.vhost}/${loc.app}`, '');
    let fanout: { worker: number; id: number } | null = null;
    let ended = false;
    const end = (reason: string | null) => {
      if (ended) return;
      ended = true;
      this.services.clients.unregister(id);
      hooks.roleEnded();
      if (reason) this.ctx.log.warn({ client: id, ip, reason }, 'http-flv viewer dropped');
      if (fanout) this.ctx.tell(fanout, { type: 'fanout/detach', id });
    };
    const sink = new FlvViewerSink(id, res, end, this.services.firstFrames);
    res.on('close', () => end(null));
    this.services.clients.register(id, {
      describe: () => ({
        id, ip, vhost: loc.vhost, app: loc.app, stream: loc.stream, param: search, tcUrl: `http://${req.headers.host ?? ''}/${loc.app}`,
        pageUrl: '', swfUrl: '', type: 'flv-play', publish: false, alive: (Date.now() - startedAt) / 1000,
        sendBytes: req.socket.bytesWritten, recvBytes: req.socket.bytesRead, streamKey: key,
      }),
      kick: () => res.destroy(),
    });
    const lookupId = () => this.ctx.ask<{ entry: { streamId?: string } | null }>(DIRECTORY_REF, { type: 'dir/lookup', name: key }).then((r) => r.entry?.streamId);
    hooks
      .play({ ...loc, param: search }, resolved, lookupId)
      .then(async (allowed) => {
        if (!allowed) res.destroy();
        if (!allowed || ended) return undefined;
        if (await remotePlayRefused(this.ctx, key, id, resolved.config.cluster.mode === 'remote', this.services.config)) {
          if (!res.headersSent) sendText(res, 503, 'Service Unavailable');
          return undefined;
        }
        return this.ctx.ask<{ worker: number; id: number }>(this.services.hub, {
          type: 'hub/attach', key, sink, mwLatencyMs: vhost.mw_latency_ms, queueMs: vhost.queue_length * 1000,
        });
      })
      .then((ref) => {
        if (!ref) return;
        fanout = ref;
        if (ended) this.ctx.tell(ref, { type: 'fanout/detach', id });
      })
      .catch((err: Error) => {
        this.ctx.log.warn({ err: err.message }, 'http-flv attach failed');
        res.destroy();
      });
  }

  stopped(): void {
    for (const s of this.servers) s.close();
  }
}

registerActor('http/acceptor', (args: HttpAcceptorArgs, ctx: ActorContext) => new HttpAcceptor(args, ctx));
