// WorkerRoot: the first actor of every worker, spawned by the main thread with a
// permanent restart policy (so a restarted worker comes back serving). It installs the
// configuration, then starts the worker's MediaHub and listeners as its children, and
// tells the main thread whether every listener came up (the start depends on it).

import { registerActor, registerControl, type Actor, type ActorContext, type ActorRef, type BlockPoolHandle } from '../../runtime/index.ts';
import type { SluiceConfig } from '../../config/types.ts';
import { workerCounters } from './stats-controls.ts';
import type { HookIdentity } from '../../net/hooks/hook-bodies.ts';
import type { RtmpListen } from '../rtmp/rtmp-acceptor.ts';
import type { HttpListen } from '../http/http-acceptor.ts';
import type { ListenFailure } from './listen-outcome.ts';
import { WorkerServices } from './worker-services.ts';

export interface WorkerRootArgs {
  config: SluiceConfig;
  connections: SharedArrayBuffer;
  /** The process-wide pool of media blocks. */
  pool: BlockPoolHandle;
  /** server_id and service_id for hook bodies, decided by the main thread. */
  identity?: HookIdentity;
  /** The time of the server's last bandwidth test, shared by all workers (bandcheck-clock.ts). */
  bandcheck?: SharedArrayBuffer;
}

export type WorkerRootMsg =
  | { type: 'root/stop-accepting' }
  | { type: 'root/reload'; config: SluiceConfig }
  /** Answers the listen failures of this worker's listeners (ListenFailure[], empty: all up). */
  | { type: 'root/listening' }
  | { type: 'sys/child-stopped'; child: ActorRef; reason: string };

type ListenerGroup = 'rtmp' | 'rtmps' | 'http';

/** What one listener actor is spawned with (besides the services); two equal specs listen the same way. */
interface ListenerSpec {
  kind: 'rtmp/acceptor' | 'http/acceptor';
  args: RtmpListen | HttpListen;
  key: string;
}

const READY_TIMEOUT_MS = 10_000;

function listenerSpecs(config: SluiceConfig): Map<ListenerGroup, ListenerSpec> {
  const specs = new Map<ListenerGroup, ListenerSpec>();
  const add = (group: ListenerGroup, kind: ListenerSpec['kind'], args: ListenerSpec['args']) => {
    specs.set(group, { kind, args, key: JSON.stringify(args) });
  };
  add('rtmp', 'rtmp/acceptor', { listen: config.listen });
  if (config.rtmps.enabled) {
    const { cert, key, listen } = config.rtmps;
    add('rtmps', 'rtmp/acceptor', { listen, tls: { cert, key } });
  }
  if (config.http_server.enabled) add('http', 'http/acceptor', { listen: config.http_server.listen });
  return specs;
}

export class WorkerRoot implements Actor {
  private readonly listeners = new Map<ListenerGroup, { spec: ListenerSpec; ref: ActorRef }>();
  private readonly services: WorkerServices;

  constructor(args: WorkerRootArgs, ctx: ActorContext) {
    const services = new WorkerServices(args);
    this.services = services;
    registerWorkerControls(services, ctx);
    testCrashIn?.(ctx.self.worker);
    services.hub = ctx.spawn('media/hub', { services }, { restart: 'permanent' });
    ctx.spawn('hls/live-store', { services }, { restart: 'permanent' });
    for (const [group, spec] of listenerSpecs(args.config)) this.listeners.set(group, { spec, ref: this.spawnListener(spec, ctx) });
  }

  private spawnListener(spec: ListenerSpec, ctx: ActorContext): ActorRef {
    return ctx.spawn(spec.kind, { ...spec.args, services: this.services });
  }

  private async listening(ctx: ActorContext): Promise<ListenFailure[]> {
    const all = await Promise.all([...this.listeners.values()].map((l) => readyOf(ctx, l.ref)));
    return all.flat();
  }

  /**
   * New sessions see the new config at once; a listener rebinds only when its addresses
   * changed, and the new one must come up before the old one closes: one that cannot
   * (port taken, certificate unreadable) leaves the old listener serving, with a log line.
   */
  private async reload(next: SluiceConfig, ctx: ActorContext): Promise<void> {
    this.services.reload(next);
    // New actors (sessions) take their child logger from this one: the new level applies to them.
    ctx.system.logger.level = next.log.level;
    const specs = listenerSpecs(next);
    for (const group of new Set<ListenerGroup>([...this.listeners.keys(), ...specs.keys()])) {
      const spec = specs.get(group);
      const current = this.listeners.get(group);
      if (spec?.key === current?.spec.key) continue;
      if (!spec) {
        // Close the old listening sockets but keep the acceptor: its sessions are its
        // children, and a rebind must not drop the connections already up.
        ctx.tell(current!.ref, { type: 'acceptor/close' });
        this.listeners.delete(group);
        continue;
      }
      const ref = this.spawnListener(spec, ctx);
      const failures = await readyOf(ctx, ref);
      if (failures.length === 0) {
        if (current) ctx.tell(current.ref, { type: 'acceptor/close' });
        this.listeners.set(group, { spec, ref });
        continue;
      }
      ctx.tell(ref, { type: 'acceptor/close' });
      ctx.stop(ref);
      ctx.log.error(
        { listener: group, failures },
        current ? 'reload: the new listen addresses cannot be opened; the old listener stays' : 'reload: the new listener cannot be opened',
      );
    }
    for (const source of this.services.sources.refs()) ctx.tell(source, { type: 'source/reload', config: next });
  }

  receive(msg: WorkerRootMsg, ctx: ActorContext): unknown {
    switch (msg.type) {
      case 'root/stop-accepting':
        for (const l of this.listeners.values()) ctx.tell(l.ref, { type: 'acceptor/close' });
        return true;
      case 'root/reload':
        return this.reload(msg.config, ctx).then(() => true);
      case 'root/listening':
        return this.listening(ctx);
      case 'sys/child-stopped':
        return undefined;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }
}

function readyOf(ctx: ActorContext, ref: ActorRef): Promise<ListenFailure[]> {
  return ctx.ask<ListenFailure[]>(ref, { type: 'acceptor/ready' }, READY_TIMEOUT_MS).catch((err: Error) => [
    { listen: '?', reason: `the listener did not answer: ${err.message}` },
  ]);
}

registerActor('server/worker-root', (args: WorkerRootArgs, ctx: ActorContext) => new WorkerRoot(args, ctx));

/**
 * The control plane's view of this worker, for the API in the main thread. Registered by
 * each WorkerRoot for its own thread (a restarted root replaces its predecessor's).
 */
function registerWorkerControls(services: WorkerServices, ctx: ActorContext): void {
  registerControl('clients', () => services.clients.list());
  registerControl('kick', (id: string) => services.clients.kick(id));
  registerControl('connections', () => services.connections.open());
  registerControl('worker-counters', () => workerCounters(services, ctx));
  registerControl('stop-accepting', () => ctx.tell(ctx.self, { type: 'root/stop-accepting' }));
  registerControl('reload', (config: SluiceConfig) => ctx.tell(ctx.self, { type: 'root/reload', config }));
  registerControl('listening', () => ctx.ask<ListenFailure[]>(ctx.self, { type: 'root/listening' }, READY_TIMEOUT_MS + 1000));
}

// Test hooks (SLUICE_TEST_HOOKS=1 only): let tests kill a worker thread. The env crash
// fires once per process, in worker 1, so the restarted worker stays up.
const testCrashIn = process.env.SLUICE_TEST_HOOKS === '1' ? installTestCrash() : null;

function installTestCrash(): (worker: number) => void {
  const crash = (): void => {
    setImmediate(() => {
      throw new Error('crash requested');
    });
  };
  registerControl('test/crash', crash);
  return (worker) => {
    const afterMs = Number(process.env.SLUICE_TEST_CRASH_AFTER_MS ?? 0);
    const sinceStartMs = process.uptime() * 1000;
    if (afterMs > 0 && sinceStartMs < afterMs && worker === 1) setTimeout(crash, afterMs - sinceStartMs);
  };
}
