// HttpAcceptor: the HTTP server of one worker (reusePort, like RTMP). It serves live
// HTTP-FLV from the worker's fan-out, HLS playlists and segments from `hls.path`, and
// static files from `http_server.dir`.

import http from 'node:http';
import { registerActor, type Actor, type ActorContext } from '../runtime/index.ts';
import type { ListenAddress } from '../config/types.ts';
import { localConfig, localHub } from './local-services.ts';
import { resolveVhost, type ResolvedVhost } from './vhosts.ts';
import { tryOpenConnection, connectionClosed } from './connection-limit.ts';
import { serveStatic } from '../net/http/static-files.ts';
import { sendText } from '../net/http/http-errors.ts';
import { CORS_HEADERS } from '../net/http/cors.ts';
import { SERVER_HEADER_VALUE } from '../net/http/server-header.ts';
import { httpServerOptions, applyHttpLimits } from '../net/http/request-limits.ts';
import { FlvViewerSink } from './flv-viewer-sink.ts';
import { newClientId } from './server-identity.ts';
import { registerClient, unregisterClient } from './client-registry.ts';
import { matchMount } from './mount.ts';
import { streamKey, isSafeName } from '../net/rtmp/stream-url.ts';
import { DIRECTORY_REF } from '../runtime/index.ts';
import { ClientHooks } from './hook-client.ts';
import { clusterOn, remotePlayRefused } from './cluster-names.ts';
import { hlsPlaylistAsked } from './hls-pull.ts';
import { join } from 'node:path';

export interface HttpAcceptorArgs {
  listen: ListenAddress[];
}

export type HttpAcceptorMsg = { type: 'acceptor/close' };

export class HttpAcceptor implements Actor {
  private readonly servers: http.Server[] = [];
  private readonly ctx: ActorContext;

  constructor(args: HttpAcceptorArgs, ctx: ActorContext) {
    this.ctx = ctx;
    for (const addr of args.listen) {
      const server = http.createServer(httpServerOptions(), (req, res) => {
        this.handle(req, res).catch((err: Error) => {
          ctx.log.warn({ url: req.url, err: err.message }, 'http request failed');
          if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
          else res.destroy();
        });
      });
      applyHttpLimits(server, undefined, (reason, socket) => {
        ctx.log.warn({ ip: socket.remoteAddress, reason }, 'http connection closed');
      });
      server.on('connection', (socket) => {
        if (!tryOpenConnection()) {
          ctx.log.warn({ ip: socket.remoteAddress }, 'connection refused: max_connections reached');
          socket.destroy();
          return;
        }
        socket.once('close', connectionClosed);
      });
      server.on('error', (err) => ctx.log.error({ err: err.message, port: addr.port }, 'http listener failed'));
      server.listen({ port: addr.port, host: addr.host, reusePort: true, backlog: 4096 });
      this.servers.push(server);
    }
  }

  receive(msg: HttpAcceptorMsg): unknown {
    switch (msg.type) {
      case 'acceptor/close':
        for (const s of this.servers) s.close();
        return undefined;
      default: {
        const never: never = msg.type;
        return never;
      }
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const config = localConfig();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const vhost = resolveVhost(config, host);
    if (vhost && vhost.config.http_remux.enabled && url.pathname.endsWith('.flv') && (req.method === 'GET' || req.method === 'HEAD')) {
      const loc = matchMount(vhost.config.http_remux.mount, url.pathname);
      if (loc && req.method === 'HEAD') {
        await this.headFlv(res, streamKey({ vhost: vhost.name, app: loc.app, stream: loc.stream }));
        return;
      }
      if (loc) {
        this.serveFlv(req, res, { vhost: vhost.name, app: loc.app, stream: loc.stream }, url.search, vhost.config, vhost);
        return;
      }
    }
    if (vhost && vhost.config.hls.enabled && url.pathname.endsWith('.m3u8') && clusterOn(config)) await this.hlsOfCluster(vhost, url.pathname);
    if (vhost && vhost.config.hls.enabled && /\.(m3u8|ts)$/.test(url.pathname)) {
      // A live playlist changes every fragment: players must not cache it.
      const cacheControl = url.pathname.endsWith('.m3u8') ? 'no-cache' : undefined;
      if (await serveStatic(req, res, vhost.config.hls.path, { cacheControl })) return;
    }
    if (await serveStatic(req, res, config.http_server.dir)) return;
    sendText(res, 404, 'Not Found');
  }

  /** A playlist of a stream that may live on another origin of the cluster (hls-pull.ts). */
  private async hlsOfCluster(vhost: ResolvedVhost, pathname: string): Promise<void> {
    const hls = vhost.config.hls;
    const loc = matchMount(hls.m3u8_file, pathname);
    if (!loc || !isSafeName(loc.app) || !isSafeName(loc.stream)) return;
    await hlsPlaylistAsked(this.ctx, {
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
    // HTTP-FLV fires on_play and on_stop only, with an RTMP-style tcUrl (INTEROP.md D.3).
    const hooks = new ClientHooks(id, ip, this.ctx.log);
    hooks.useUrls(`rtmp://${loc.vhost}/${loc.app}`, '');
    let fanout: { worker: number; id: number } | null = null;
    let ended = false;
    const end = (reason: string | null) => {
      if (ended) return;
      ended = true;
      unregisterClient(id);
      hooks.roleEnded();
      if (reason) this.ctx.log.warn({ client: id, ip, reason }, 'http-flv viewer dropped');
      if (fanout) this.ctx.tell(fanout, { type: 'fanout/detach', id });
    };
    const sink = new FlvViewerSink(id, res, end);
    res.on('close', () => end(null));
    registerClient(id, {
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
        if (await remotePlayRefused(this.ctx, key, id, resolved.config.cluster.mode === 'remote')) {
          if (!res.headersSent) sendText(res, 503, 'Service Unavailable');
          return undefined;
        }
        return this.ctx.ask<{ worker: number; id: number }>(localHub(), {
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
