// WorkerRoot: the first actor of every worker, spawned by the main thread with a
// permanent restart policy (so a restarted worker comes back serving). It installs the
// configuration, then starts the worker's MediaHub and listeners as its children.

import { registerActor, registerControl, type Actor, type ActorContext, type ActorRef, type BlockPoolHandle } from '../runtime/index.ts';
import type { SluiceConfig } from '../config/types.ts';
import { setLocalConfig, setLocalPool, localSources } from './local-services.ts';
import { useConnectionCounter, setConnectionLimit, openConnections } from './connection-limit.ts';
import { listClients, kickClient } from './client-registry.ts';
import { setStatsContext } from './stats-controls.ts';
import { setHookIdentity } from './hooks.ts';
import type { HookIdentity } from './hook-bodies.ts';

export interface WorkerRootArgs {
  config: SluiceConfig;
  connections: SharedArrayBuffer;
  /** The process-wide pool of media blocks. */
  pool: BlockPoolHandle;
  /** server_id and service_id for hook bodies, decided by the main thread. */
  identity?: HookIdentity;
}

export type WorkerRootMsg =
  | { type: 'root/stop-accepting' }
  | { type: 'root/reload'; config: SluiceConfig }
  | { type: 'sys/child-stopped'; child: ActorRef; reason: string };

export class WorkerRoot implements Actor {
  private listeners: ActorRef[] = [];
  private config: SluiceConfig;

  constructor(args: WorkerRootArgs, ctx: ActorContext) {
    root = {
      stopAccepting: () => ctx.tell(ctx.self, { type: 'root/stop-accepting' }),
      reload: (config) => ctx.tell(ctx.self, { type: 'root/reload', config }),
    };
    this.config = args.config;
    setLocalConfig(args.config);
    setLocalPool(args.pool);
    setStatsContext(ctx);
    if (args.identity) setHookIdentity(args.identity);
    testCrashIn?.(ctx.self.worker);
    useConnectionCounter(args.connections, args.config.max_connections);
    ctx.spawn('media/hub', {}, { restart: 'permanent' });
    this.listen(args.config, ctx);
  }

  private listen(config: SluiceConfig, ctx: ActorContext): void {
    this.listeners.push(ctx.spawn('rtmp/acceptor', { listen: config.listen }));
    if (config.rtmps.enabled) {
      const { cert, key, listen } = config.rtmps;
      this.listeners.push(ctx.spawn('rtmp/acceptor', { listen, tls: { cert, key } }));
    }
    if (config.http_server.enabled) {
      this.listeners.push(ctx.spawn('http/acceptor', { listen: config.http_server.listen }));
    }
  }

  /** New sessions see the new config at once; listeners rebind only when they changed. */
  private reload(next: SluiceConfig, ctx: ActorContext): void {
    const prev = this.config;
    this.config = next;
    setLocalConfig(next);
    setConnectionLimit(next.max_connections);
    // New actors (sessions) take their child logger from this one: the new level applies to them.
    ctx.system.logger.level = next.log.level;
    const listenersChanged =
      JSON.stringify(prev.listen) !== JSON.stringify(next.listen) ||
      JSON.stringify(prev.rtmps) !== JSON.stringify(next.rtmps) ||
      JSON.stringify(prev.http_server) !== JSON.stringify(next.http_server);
    if (listenersChanged) {
      // Close the old listening sockets but keep the acceptors: their sessions are their
      // children, and a rebind must not drop the connections already up.
      for (const l of this.listeners) ctx.tell(l, { type: 'acceptor/close' });
      this.listeners = [];
      this.listen(next, ctx);
    }
    for (const source of localSources()) ctx.tell(source, { type: 'source/reload', config: next });
  }

  receive(msg: WorkerRootMsg, ctx: ActorContext): unknown {
    switch (msg.type) {
      case 'root/stop-accepting':
        for (const l of this.listeners) ctx.tell(l, { type: 'acceptor/close' });
        return true;
      case 'root/reload':
        this.reload(msg.config, ctx);
        return true;
      case 'sys/child-stopped':
        return undefined;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }
}

registerActor('server/worker-root', (args: WorkerRootArgs, ctx: ActorContext) => new WorkerRoot(args, ctx));

// The control plane's view of this worker, for the API in the main thread.
registerControl('clients', () => listClients());
registerControl('kick', (id: string) => kickClient(id));
registerControl('connections', () => openConnections());

// Set by the WorkerRoot of this thread so that control calls reach it.
let testCrashIn: ((worker: number) => void) | null = null;
let root: { stopAccepting(): void; reload(config: SluiceConfig): void } | null = null;
registerControl('stop-accepting', () => root?.stopAccepting());
registerControl('reload', (config: SluiceConfig) => root?.reload(config));

// Test hooks (SLUICE_TEST_HOOKS=1 only): let tests kill a worker thread. The env crash
// fires once per process, in worker 1, so the restarted worker stays up.
if (process.env.SLUICE_TEST_HOOKS === '1') {
  const crash = (): void => {
    setImmediate(() => {
      throw new Error('crash requested');
    });
  };
  registerControl('test/crash', crash);
  testCrashIn = (worker) => {
    const afterMs = Number(process.env.SLUICE_TEST_CRASH_AFTER_MS ?? 0);
    const sinceStartMs = process.uptime() * 1000;
    if (afterMs > 0 && sinceStartMs < afterMs && worker === 1) setTimeout(crash, afterMs - sinceStartMs);
  };
}
