// The main thread of a running server: it starts the actor system, puts a WorkerRoot
// on every worker, runs the HTTP API, and owns the process: the pid file (locked),
// its ports (held by no other process), and, when asked (the CLI does), SIGHUP reload
// and the graceful stop of SIGTERM/SIGINT. It does no media work itself. A start that
// cannot have all of that (pid file locked by another server, a port taken, a listener
// that fails) is refused with one error; the CLI then exits 1. Embedders call
// startServer(config) through the package's front door (index.ts).

import { ActorSystem, createLogger, createBlockPool, poolFor, onOwnerThreadLost, SHARED_DIRECTORY_REF, type ActorRef, type BlockPoolHandle, type SharedDirectoryOptions } from './runtime/index.ts';
import { RedisDirectoryBackend } from './runtime/directory-redis.ts';
import { advertiseOf, clusterOn } from './actors/relay/cluster-names.ts';
import { startClusterMember } from './api/cluster.ts';
import type { Logger } from 'pino';
import type { ConfigOverrides, SluiceConfig } from './config/types.ts';
import { loadConfigFile } from './config/load.ts';
import { createConnectionCounter } from './actors/worker/connection-limit.ts';
import type { WorkerRootArgs } from './actors/worker/worker-root.ts';
import { releaseDeadThreadHolds } from './actors/stream/dead-thread-holds.ts';
import { startApiServer, type ApiServer } from './api/api-server.ts';
import { loadServerId, newServiceId, type ApiIdentity } from './api/identity.ts';
import { createBandcheckClock } from './actors/rtmp/bandcheck-clock.ts';
import { listenErrorText, type ListenFailure } from './actors/worker/listen-outcome.ts';
import { SluiceError } from './errors.ts';
import { lockPidFile, type PidLock } from './process/pid-lock.ts';
import { assertPortsFree, assertPortsOwned, listenPlan, watchPorts } from './process/port-guard.ts';
import { keepRefusedListeners } from './process/listen-reload.ts';
import { formatHostPort } from './config/formats.ts';
import { openApiExposure } from './api/api-auth.ts';
import { startFileWorkPool, type FileWorkPool } from './actors/files/file-work-pool.ts';
import { YOUNG_GENERATION_MB } from './process/node-flags.ts';

// `.ts` when run from the sources, `.js` from the compiled package (dist/): the module that
// registers the actors in every thread has the same extension as this one.
const OWN_EXTENSION = import.meta.url.slice(import.meta.url.lastIndexOf('.'));
const REGISTER_MODULE = new URL(`./actors/worker/register${OWN_EXTENSION}`, import.meta.url).href;
const STOP_DEADLINE_MS = 10_000;
// Longer than a worker's own 10 s wait for its listeners at start, so a listener that never
// comes up is reported by name rather than as a worker that did not answer.
const CONTROL_TIMEOUT_MS = 15_000;

export interface ServerOptions {
  /** The config file that reload() reads again; without it, reload() takes a config. */
  configPath?: string;
  /** Applied again at every reload of configPath (the CLI's --workers, --log-level). */
  overrides?: ConfigOverrides;
  /**
   * Take over the process's signals as the CLI does: SIGTERM/SIGINT stop gracefully and
   * exit, SIGHUP reloads. Off by default: an embedder's process keeps its own signals.
   */
  handleSignals?: boolean;
}

export interface RunningServer {
  readonly system: ActorSystem;
  readonly log: Logger;
  config: SluiceConfig;
  /** The HTTP API, when `http_api.enabled`. */
  api?: ApiServer | null;
  /** The pid file's lock, held until the server stops. */
  readonly pidLock: PidLock;
  /** Stops watching for other processes on our ports. */
  stopWatch?: () => void;
  /** The one actor running every ingest's ffmpeg (main thread). */
  ingesters?: ActorRef;
  /** Stops announcing this origin in the cluster directory. */
  stopClusterMember?: () => void;
  /** The threads that write HLS and DVR files for every worker. */
  fileWork?: FileWorkPool;
  /**
   * Applies `next` (a config from loadConfigFile/validateConfig), or reads the config file
   * again; false when that file does not validate (the old config stays).
   */
  reload(next?: SluiceConfig): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startServer(config: SluiceConfig, opts: ServerOptions = {}): Promise<RunningServer> {
  const log = createLogger({ level: config.log.level, file: config.log.file });
  // The pid lock first: a second server with the same pid file names the first one.
  const pidLock = await lockPidFile(config.pid);
  const started = opts.handleSignals ? installSignals(log, opts) : () => {};
  let system: ActorSystem | null = null;
  let api: ApiServer | null = null;
  let fileWork: FileWorkPool | null = null;
  try {
    const plan = listenPlan(config);
    await assertPortsFree(plan);
    system = new ActorSystem({
      workers: config.workers,
      modules: [REGISTER_MODULE],
      logger: log,
      workerData: { logLevel: config.log.level, logFile: config.log.file },
      sharedDirectory: sharedDirectoryFor(config),
      // Media lives in the block pool; what a worker allocates in JavaScript is short-lived
      // (views, write requests, messages). V8 grows a busy thread's young generation to 64 MB,
      // which then stays resident whatever the load: 8 MB keeps RSS following the streams
      // (measured with 200 streams x 2 players: 435 -> 311 MB) for a few more scavenges.
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      controlTimeoutMs: CONTROL_TIMEOUT_MS,
    });
    await system.start();
    onOwnerThreadLost(releaseDeadThreadHolds(log));
    // Reserved at its full size (address space only: pages are mapped as blocks are used),
    // with a row of the pin ledger for the main thread and each worker.
    const pool = createBlockPool(config.media.block_size, config.media.max_memory, system.workerCount + 1);
    fileWork = startFileWorkPool(log, pool);
    const server = await startWorkers(system, log, config, opts, pidLock, pool);
    server.fileWork = fileWork;
    if (config.http_api.enabled) {
      api = await startApiServer(config.http_api.listen, {
        system, identity: server.identity, log, config: () => server.config, reload: () => server.reload(), pool: server.pool,
      }).catch((err: NodeJS.ErrnoException & { address?: string; port?: number }) => {
        const where = err.port !== undefined ? { host: err.address ?? config.http_api.listen[0]!.host, port: err.port } : config.http_api.listen[0]!;
        throw new SluiceError('START_LISTEN', `listen ${formatHostPort(where)}: ${listenErrorText(err)}`, { cause: err });
      });
      server.api = api;
      warnIfApiOpen(config, log);
    }
    // A server started in the same instant passed assertPortsFree too: the kernel now
    // shows whether anyone but us listens on our ports.
    await assertPortsOwned(plan);
    const pidError = pidLock.writePid();
    if (pidError) log.warn({ pid: config.pid, err: pidError.message }, 'cannot write the pid file');
    if (!pidLock.locked) log.warn({ pid: config.pid }, 'the pid file cannot be locked on this platform');
    // A reload does not rebind the API: watch the API addresses it started with.
    const apiPlan = plan.filter((a) => a.key === 'http_api.listen');
    server.stopWatch = watchPorts(() => [...listenPlan(server.config).filter((a) => a.key !== 'http_api.listen'), ...apiPlan], log);
    log.info(
      { rtmp: config.listen, http: config.http_server.enabled ? config.http_server.listen : null, workers: system.workerCount },
      'sluice started',
    );
    started(server);
    return server;
  } catch (err) {
    // The CLI prints the one line that says why on stderr; a log file should say it too.
    if (config.log.file) log.error({ err: (err as Error).message }, 'cannot start');
    await api?.close().catch(() => {});
    await system?.shutdown(2000).catch(() => {});
    await fileWork?.stop(1000);
    pidLock.release();
    throw err;
  }
}

async function startWorkers(
  system: ActorSystem, log: Logger, config: SluiceConfig, opts: ServerOptions, pidLock: PidLock, pool: BlockPoolHandle,
): Promise<RunningServer & { identity: ApiIdentity; pool: BlockPoolHandle }> {
  const connections = createConnectionCounter();
  const bandcheck = createBandcheckClock();
  // Emitted before the replacement thread is made: the row is clear when it starts pinning.
  system.on('worker-died', (ev: { worker: number }) => {
    try {
      const pins = poolFor(pool).releaseThreadPins(ev.worker);
      if (pins > 0) log.info({ worker: ev.worker, pins }, 'a worker died: its pins on media blocks given back');
    } catch (err) {
      // a ledger out of step with the pool must not stop the worker's restart
      log.error({ worker: ev.worker, err: (err as Error).message }, 'giving back a dead worker\'s pins failed');
    }
  });
  const identity: ApiIdentity = {
    serverId: loadServerId(config.pid, (err) => log.warn({ err: err.message }, 'cannot save the server id')),
    serviceId: newServiceId(),
    pid: String(process.pid),
  };
  const server: RunningServer & { identity: ApiIdentity; pool: BlockPoolHandle } = {
    system,
    log,
    config,
    identity,
    pool,
    pidLock,
    reload: (next) => reload(server, opts, next),
    stop: () => stop(server),
  };
  const rootArgs = (): WorkerRootArgs => ({
    config: server.config, connections, pool, bandcheck, identity: { serverId: identity.serverId, serviceId: identity.serviceId },
  });
  for (let w = 1; w <= system.workerCount; w++) {
    await system.spawn(w, 'server/worker-root', rootArgs(), { restart: 'permanent' });
  }
  // Every listener of every worker must be up: a server with a piece missing does not start.
  const failures = ((await system.broadcast('listening')) as ListenFailure[][]).flat();
  if (failures[0]) throw new SluiceError('START_LISTEN', `listen ${failures[0].listen}: ${failures[0].reason}`);
  // Ingest runs once per server, on the main thread, whatever the number of workers.
  server.ingesters = await system.spawn(0, 'server/ingesters', { config }, { name: 'ingesters' });
  // A restarted worker's root comes back with the config of its first start: bring it up to date.
  system.on('worker-restarted', (ev: { worker: number }) => {
    system.control(ev.worker, 'reload', server.config).catch(() => {});
  });
  if (clusterOn(config)) {
    server.stopClusterMember = startClusterMember(system, () => server.config);
    log.info({ redis: redactUrl(config.cluster.redis), advertise: advertiseOf(config), ttl: config.cluster.ttl }, 'cluster directory on');
    if (config.cluster.advertise === '' && !isLoopbackRedis(config.cluster.redis)) {
      // Every origin would advertise the same loopback address and take others' streams for its own.
      log.warn({ advertise: advertiseOf(config) }, 'cluster.advertise is not set: other machines cannot pull from this origin; set it to this host\'s address');
    }
  }
  return server;
}

/** The shared directory's store: Redis with `cluster.redis`, else in-process. */
function sharedDirectoryFor(config: SluiceConfig): SharedDirectoryOptions {
  const c = config.cluster;
  if (!clusterOn(config)) return { ttlMs: c.ttl * 1000 };
  return {
    backend: new RedisDirectoryBackend({ url: c.redis, keyPrefix: c.key_prefix, namesInfix: 'stream:', membersInfix: 'origin:' }),
    ttlMs: c.ttl * 1000,
    member: advertiseOf(config),
  };
}

function isLoopbackRedis(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  } catch {
    return false;
  }
}

/** A Redis URL for the log, without its password. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

async function reload(server: RunningServer, opts: ServerOptions, given?: SluiceConfig): Promise<boolean> {
  if (given === undefined && opts.configPath === undefined) {
    throw new SluiceError('CONF_READ', 'reload(): no config given and the server was started without a config file');
  }
  const res = given !== undefined ? { config: given } : loadConfigFile(opts.configPath!, opts.overrides);
  if (!('config' in res) || !res.config) {
    for (const line of (res as { errors: string[] }).errors) server.log.error(line);
    server.log.error('reload refused: the configuration does not validate; the old one stays');
    return false;
  }
  if (JSON.stringify(res.config.cluster) !== JSON.stringify(server.config.cluster)) {
    server.log.warn('cluster: changes to the cluster directory take effect at the next start');
  }
  const next = await keepRefusedListeners(server.config, { ...res.config, cluster: server.config.cluster }, server.log);
  server.config = next;
  server.log.level = next.log.level;
  await server.system.broadcast('reload', next);
  if (server.ingesters) server.system.tell(server.ingesters, { type: 'ingest/reconcile', config: next });
  server.log.info('configuration reloaded');
  return true;
}

async function stop(server: RunningServer): Promise<void> {
  const { system, log } = server;
  log.info('stopping: no new connections; closing streams');
  server.stopWatch?.();
  await server.api?.close();
  await Promise.allSettled(Array.from({ length: system.workerCount }, (_, i) => system.control(i + 1, 'stop-accepting')));
  // Other origins learn at once that our streams are gone, not a ttl later.
  server.stopClusterMember?.();
  await system.ask(SHARED_DIRECTORY_REF, { type: 'sdir/leave' }, 3000).catch(() => undefined);
  await system.shutdown(STOP_DEADLINE_MS - 3000);
  // The streams' last segments, playlists and recordings' metadata, queued as they stopped.
  await server.fileWork?.stop(2000);
  server.pidLock.release();
  log.info('stopped');
}

/** An API without a token that other machines can reach gets one warning. */
function warnIfApiOpen(config: SluiceConfig, log: Logger): void {
  const listen = openApiExposure(config.http_api);
  if (!listen) return;
  log.warn({ listen }, 'the HTTP API has no token and listens beyond loopback: anyone who can reach it may kick clients and reload; set http_api.auth.token');
}

/**
 * Installs the signal handlers at the very start and returns the function that hands
 * them the started server. A signal that arrives while the server starts (its ports
 * already accept, so a script may well send one) waits for it: SIGHUP's default would
 * kill the process, and a reload or stop of a half-built server would miss parts. If
 * the start fails, the process exits 1 anyway.
 */
function installSignals(log: Logger, opts: ServerOptions): (server: RunningServer) => void {
  let server: RunningServer | null = null;
  let stopping = false;
  let pendingStop: string | null = null;
  let pendingReload = false;
  const onStop = (signal: string) => {
    if (!server) {
      if (pendingStop) process.exit(1);
      pendingStop = signal;
      log.info({ signal }, 'stop requested while starting: stopping once started');
      return;
    }
    if (stopping) {
      server.log.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    server.log.info({ signal }, 'graceful stop');
    const deadline = setTimeout(() => process.exit(1), STOP_DEADLINE_MS);
    deadline.unref();
    server.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  const onReload = () => {
    if (!server) {
      pendingReload = true;
      return;
    }
    server.log.info({ config: opts.configPath }, 'SIGHUP: reloading the configuration');
    server.reload().catch((err: Error) => log.error({ err: err.message }, 'reload failed'));
  };
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGHUP', onReload);
  return (started) => {
    server = started;
    if (pendingStop) onStop(pendingStop);
    else if (pendingReload) onReload();
  };
}
