// The main thread of a running server: it starts the actor system, puts a WorkerRoot
// on every worker, runs the HTTP API, and owns the process: the pid file, SIGHUP
// reload, and the graceful stop of SIGTERM/SIGINT. It does no media work itself.

import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ActorSystem, createLogger, createBlockPool, SHARED_DIRECTORY_REF, type ActorRef, type SharedDirectoryOptions } from './runtime/index.ts';
import { RedisDirectoryBackend } from './runtime/directory-redis.ts';
import { advertiseOf, clusterOn } from './actors/cluster-names.ts';
import { startClusterMember } from './api/cluster.ts';
import type { Logger } from 'pino';
import type { SluiceConfig } from './config/types.ts';
import type { StartOptions } from './cli.ts';
import { loadConfigFile } from './config/load.ts';
import { createConnectionCounter } from './actors/connection-limit.ts';
import type { WorkerRootArgs } from './actors/worker-root.ts';
import { startApiServer, type ApiServer } from './api/api-server.ts';
import { loadServerId, newServiceId, type ApiIdentity } from './api/identity.ts';

const REGISTER_MODULE = new URL('./actors/register.ts', import.meta.url).href;
const STOP_DEADLINE_MS = 10_000;

export interface RunningServer {
  readonly system: ActorSystem;
  readonly log: Logger;
  config: SluiceConfig;
  /** The HTTP API, when `http_api.enabled` and its port could be bound. */
  api?: ApiServer | null;
  /** The one actor running every ingest's ffmpeg (main thread). */
  ingesters?: ActorRef;
  /** Stops announcing this origin in the cluster directory. */
  stopClusterMember?: () => void;
  reload(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startServer(config: SluiceConfig, opts: StartOptions): Promise<RunningServer> {
  const log = createLogger({ level: config.log.level, file: config.log.file });
  const system = new ActorSystem({
    workers: config.workers,
    modules: [REGISTER_MODULE],
    logger: log,
    workerData: { logLevel: config.log.level, logFile: config.log.file },
    sharedDirectory: sharedDirectoryFor(config),
  });
  await system.start();
  const connections = createConnectionCounter();
  // Reserved at its full size (address space only: pages are mapped as blocks are used).
  const pool = createBlockPool(config.media.block_size, config.media.max_memory);
  const server: RunningServer = {
    system,
    log,
    config,
    reload: () => reload(server, opts),
    stop: () => stop(server),
  };
  const identity: ApiIdentity = {
    serverId: loadServerId(config.pid, (err) => log.warn({ err: err.message }, 'cannot save the server id')),
    serviceId: newServiceId(),
    pid: String(process.pid),
  };
  const rootArgs = (): WorkerRootArgs => ({
    config: server.config, connections, pool, identity: { serverId: identity.serverId, serviceId: identity.serviceId },
  });
  for (let w = 1; w <= system.workerCount; w++) {
    await system.spawn(w, 'server/worker-root', rootArgs(), { restart: 'permanent' });
  }
  // Ingest runs once per server, on the main thread, whatever the number of workers.
  server.ingesters = await system.spawn(0, 'server/ingesters', { config }, { name: 'ingesters' });
  // A restarted worker's root comes back with the config of its first start: bring it up to date.
  system.on('worker-restarted', (ev: { worker: number }) => {
    system.control(ev.worker, 'reload', server.config).catch(() => {});
  });
  if (config.http_api.enabled) {
    server.api = await startApiServer(config.http_api.listen, {
      system, identity, log, config: () => server.config, reload: () => server.reload(),
    }).catch((err: Error) => {
      log.error({ err: err.message, listen: config.http_api.listen }, 'cannot start the HTTP API');
      return null;
    });
  }
  if (clusterOn(config)) {
    server.stopClusterMember = startClusterMember(system, () => server.config);
    log.info({ redis: redactUrl(config.cluster.redis), advertise: advertiseOf(config), ttl: config.cluster.ttl }, 'cluster directory on');
    if (config.cluster.advertise === '' && !isLoopbackRedis(config.cluster.redis)) {
      // Every origin would advertise the same loopback address and take others' streams for its own.
      log.warn({ advertise: advertiseOf(config) }, 'cluster.advertise is not set: other machines cannot pull from this origin; set it to this host\'s address');
    }
  }
  writePid(config.pid, log);
  installSignals(server, opts);
  log.info(
    { rtmp: config.listen, http: config.http_server.enabled ? config.http_server.listen : null, workers: system.workerCount },
    'sluice started',
  );
  return server;
}

/** The shared directory's store: Redis with `cluster.redis` (SPEC 12), else in-process. */
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

async function reload(server: RunningServer, opts: StartOptions): Promise<boolean> {
  const res = loadConfigFile(opts.configPath, opts.overrides);
  if (!('config' in res) || !res.config) {
    for (const line of (res as { errors: string[] }).errors) server.log.error(line);
    server.log.error('reload refused: the configuration does not validate; the old one stays');
    return false;
  }
  if (JSON.stringify(res.config.cluster) !== JSON.stringify(server.config.cluster)) {
    server.log.warn('cluster: changes to the cluster directory take effect at the next start');
  }
  server.config = { ...res.config, cluster: server.config.cluster };
  server.log.level = res.config.log.level;
  await server.system.broadcast('reload', server.config);
  if (server.ingesters) server.system.tell(server.ingesters, { type: 'ingest/reconcile', config: server.config });
  server.log.info('configuration reloaded');
  return true;
}

async function stop(server: RunningServer): Promise<void> {
  const { system, log, config } = server;
  log.info('stopping: no new connections; closing streams');
  await server.api?.close();
  await Promise.allSettled(Array.from({ length: system.workerCount }, (_, i) => system.control(i + 1, 'stop-accepting')));
  // Other origins learn at once that our streams are gone, not a ttl later.
  server.stopClusterMember?.();
  await system.ask(SHARED_DIRECTORY_REF, { type: 'sdir/leave' }, 3000).catch(() => undefined);
  await system.shutdown(STOP_DEADLINE_MS - 1000);
  rmSync(config.pid, { force: true });
  log.info('stopped');
}

function writePid(path: string, log: Logger): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${process.pid}\n`);
  } catch (err) {
    log.warn({ pid: path, err: (err as Error).message }, 'cannot write the pid file');
  }
}

function installSignals(server: RunningServer, opts: StartOptions): void {
  let stopping = false;
  const onStop = (signal: string) => {
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
        server.log.error({ err: err.message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGHUP', () => {
    server.log.info({ config: opts.configPath }, 'SIGHUP: reloading the configuration');
    server.reload().catch((err: Error) => server.log.error({ err: err.message }, 'reload failed'));
  });
}
