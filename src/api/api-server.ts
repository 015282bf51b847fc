// The HTTP API, in SRS's shapes: a node:http server on the main thread. Every answer is read
// from the workers over the control plane at request time; nothing here holds media.
import http from 'node:http';
import { poolFor, type BlockPoolHandle } from '../runtime/index.ts';
import type { Logger } from 'pino';
import type { ActorSystem } from '../runtime/index.ts';
import type { ListenAddress, SluiceConfig } from '../config/types.ts';
import { baseHeaders } from '../io/http-errors.ts';
import { answerOptions } from '../io/cors.ts';
import { httpServerOptions, applyHttpLimits } from '../io/request-limits.ts';
import { SERVER_VERSION } from '../actors/worker/server-identity.ts';
import { matchRoute, type RouteName } from './router.ts';
import { failure, ok, type ApiReply } from './api-errors.ts';
import type { ApiIdentity } from './identity.ts';
import { gatherSnapshot, gatherWorkers, kickEverywhere, openConnections } from './gather.ts';
import { ApiRates, ApiShapes } from './shapes.ts';
import { CpuSampler, summaryData } from './process-stats.ts';
import { serveConsole } from './console-files.ts';
import { listenerPorts } from '../config/listener-ports.ts';
import { ServerMetrics } from './metrics.ts';
import { bearerMatches, needsToken } from './api-auth.ts';
import { clusterView } from './cluster.ts';

const SAMPLE_INTERVAL_MS = 5000;
const JSONP_CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$/;
// A browser on another origin may send Authorization only when the preflight names it:
// the `*` of SRS's CORS headers does not cover it (Fetch standard).
const PREFLIGHT_HEADERS = { Connection: 'close', 'Access-Control-Allow-Headers': '*, Authorization' };

export interface ApiDeps {
  system: ActorSystem;
  config(): SluiceConfig;
  identity: ApiIdentity;
  log: Logger;
  /** POST/GET /api/v1/raw?rpc=reload: the same reload as SIGHUP. */
  reload?(): Promise<boolean>;
  /** The media block pool, for its figures. */
  pool: BlockPoolHandle;
}

export interface ApiServer {
  readonly ports: number[];
  close(): Promise<void>;
}

export async function startApiServer(listen: readonly ListenAddress[], deps: ApiDeps): Promise<ApiServer> {
  const api = new ApiHandler(deps);
  const servers: http.Server[] = [];
  const ports: number[] = [];
  try {
    for (const addr of listen) {
      const server = http.createServer(httpServerOptions(), (req, res) => api.handle(req, res));
      applyHttpLimits(server, undefined, (reason, socket) => deps.log.warn({ ip: socket.remoteAddress, reason }, 'api connection closed'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: addr.port, host: addr.host }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => deps.log.error({ err: err.message }, 'api listener failed'));
      servers.push(server);
      ports.push((server.address() as { port: number }).port);
    }
  } catch (err) {
    for (const s of servers) s.close();
    api.stop();
    throw err;
  }
  return {
    ports,
    async close() {
      api.stop();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      })));
    },
  };
}

class ApiHandler {
  private readonly deps: ApiDeps;
  private readonly shapes: ApiShapes;
  private readonly cpu = new CpuSampler();
  private readonly metricsRegistry = new ServerMetrics();
  private readonly startedAt = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(deps: ApiDeps) {
    this.deps = deps;
    this.shapes = new ApiShapes(deps.identity.serverId, new ApiRates());
    // Samples feed the CPU figure and the 30 s rates even when nobody asks for a while.
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    this.cpu.sample();
    gatherSnapshot(this.deps.system).then(
      (snap) => {
        this.shapes.streams(snap);
        this.shapes.clients(snap);
      },
      () => {},
    );
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = matchRoute(req.method ?? 'GET', url.pathname);
    if (route.kind === 'options') return answerOptions(res, PREFLIGHT_HEADERS);
    if (route.kind === 'console') {
      serveConsole(req, res, url).catch((err: Error) => this.crashed(res, err));
      return;
    }
    const callback = url.searchParams.get('callback');
    const auth = this.deps.config().http_api.auth;
    if (needsToken(url.pathname, auth) && !bearerMatches(req.headers.authorization, auth.token)) {
      return this.reply(res, failure('UNAUTHORIZED'), null, { 'WWW-Authenticate': 'Bearer realm="sluice"' });
    }
    if (callback !== null && !JSONP_CALLBACK.test(callback)) return this.reply(res, failure('BAD_REQUEST'), null);
    if (route.kind === 'not-found') return this.reply(res, failure('NOT_FOUND'), callback);
    if (route.kind === 'bad-method') return this.reply(res, failure('METHOD_NOT_ALLOWED'), callback, { Allow: route.allowed.join(', ') });
    if (route.name === 'metrics') {
      this.metrics(res).catch((err: Error) => this.crashed(res, err));
      return;
    }
    this.answer(route.name, route.id, url).then(
      (reply) => this.reply(res, reply, callback),
      (err: Error) => this.crashed(res, err),
    );
  }

  private crashed(res: http.ServerResponse, err: Error): void {
    this.deps.log.warn({ err: err.message }, 'api request failed');
    this.reply(res, failure('INTERNAL'), null);
  }

  private async answer(name: Exclude<RouteName, 'metrics'>, id: string, url: URL): Promise<ApiReply> {
    const { system } = this.deps;
    switch (name) {
      case 'index':
        return ok({ urls: { versions: '/api/v1/versions', summaries: '/api/v1/summaries', vhosts: '/api/v1/vhosts/', streams: '/api/v1/streams/', clients: '/api/v1/clients/', cluster: '/api/v1/cluster', metrics: '/metrics' } });
      case 'versions': {
        const [major, minor, revision] = SERVER_VERSION.split('.').map((n) => Number.parseInt(n, 10) || 0);
        return ok({ data: { major, minor, revision, version: SERVER_VERSION } });
      }
      case 'summaries': {
        const [conns, workers] = await Promise.all([openConnections(system), gatherWorkers(system)]);
        const recvBytes = workers.reduce((n, w) => n + (w.counters?.receivedBytes ?? 0), 0);
        const sendBytes = workers.reduce((n, w) => n + (w.counters?.sentBytes ?? 0), 0);
        const ports = listenerPorts(this.deps.config());
        return ok({ data: summaryData({ version: SERVER_VERSION, startedAt: this.startedAt, cpu: this.cpu.latest, connections: conns, recvBytes, sendBytes, workers, ports, pool: poolFor(this.deps.pool).stats() }) });
      }
      case 'vhosts':
      case 'vhost': {
        const snap = await gatherSnapshot(system);
        const all = this.shapes.vhosts(this.deps.config(), snap);
        if (name === 'vhost') {
          const one = all.find((v) => v.id === id || v.name === id);
          return one ? ok({ vhost: one }) : failure('VHOST_NOT_FOUND');
        }
        return ok({ vhosts: all });
      }
      case 'streams':
      case 'stream': {
        const page = paging(url);
        if (!page) return failure('BAD_REQUEST');
        const snap = await gatherSnapshot(system);
        const all = this.shapes.streams(snap);
        if (name === 'stream') {
          const one = all.find((s) => s.id === id);
          return one ? ok({ stream: one }) : failure('STREAM_NOT_FOUND');
        }
        return ok({ streams: all.slice(page.start, page.start + page.count) });
      }
      case 'clients':
      case 'client': {
        const page = paging(url);
        if (!page) return failure('BAD_REQUEST');
        const snap = await gatherSnapshot(system);
        const all = this.shapes.clients(snap);
        if (name === 'client') {
          const one = all.find((c) => c.id === id);
          return one ? ok({ client: one }) : failure('CLIENT_NOT_FOUND');
        }
        return ok({ clients: all.slice(page.start, page.start + page.count) });
      }
      case 'kick':
        return (await kickEverywhere(system, id)) ? ok() : failure('CLIENT_NOT_FOUND');
      case 'cluster':
        return ok({ data: await clusterView(system, this.deps.config()) });
      case 'raw': {
        if (url.searchParams.get('rpc') !== 'reload' || !this.deps.reload) return failure('BAD_REQUEST');
        return (await this.deps.reload()) ? ok() : failure('RELOAD_FAILED');
      }
      default: {
        const never: never = name;
        return never;
      }
    }
  }

  private async metrics(res: http.ServerResponse): Promise<void> {
    const { system } = this.deps;
    const [snapshot, workers, conns] = await Promise.all([gatherSnapshot(system), gatherWorkers(system), openConnections(system)]);
    const text = await this.metricsRegistry.render({ version: SERVER_VERSION, startedAt: this.startedAt, snapshot, workers, openConnections: conns, pool: poolFor(this.deps.pool).stats() });
    this.send(res, 200, this.metricsRegistry.contentType, text);
  }

  private reply(res: http.ServerResponse, reply: ApiReply, callback: string | null, extra?: http.OutgoingHttpHeaders): void {
    const { serverId, serviceId, pid } = this.deps.identity;
    const body = { code: reply.body.code, server: serverId, service: serviceId, pid, ...reply.body };
    const json = JSON.stringify(body);
    if (callback) this.send(res, reply.status, 'text/javascript', `${callback}(${json})`, extra);
    else this.send(res, reply.status, 'application/json', json, extra);
  }

  private send(res: http.ServerResponse, status: number, type: string, text: string, extra?: http.OutgoingHttpHeaders): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const payload = Buffer.from(text, 'utf8');
    // SRS closes after each API answer; dashboards poll with fresh connections anyway.
    res.writeHead(status, { ...baseHeaders(), 'Content-Type': type, 'Content-Length': String(payload.length), Connection: 'close', ...extra });
    res.end(payload);
  }
}

/** start/count as SRS reads them: count is at least 10. Null when malformed. */
export function paging(url: URL): { start: number; count: number } | null {
  const s = url.searchParams.get('start');
  const c = url.searchParams.get('count');
  if ((s !== null && !/^\d{1,9}$/.test(s)) || (c !== null && !/^\d{1,9}$/.test(c))) return null;
  return { start: s === null ? 0 : Number(s), count: Math.max(10, c === null ? 10 : Number(c)) };
}
