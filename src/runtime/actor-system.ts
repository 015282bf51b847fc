// The main thread's face of the runtime: starts the workers and the mesh of ports between
// every pair of threads, hosts thread 0's actors (the directory first), restarts workers
// that die within their budget and forwards control calls over comlink.
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import type { Logger } from 'pino';
import { SluiceError } from './errors.ts';
import type { ControlResult } from './control.ts';
import { DIRECTORY_KIND, DIRECTORY_REF } from './directory.ts';
import { SHARED_DIRECTORY_KIND, SHARED_DIRECTORY_REF, type SharedDirectoryOptions } from './shared-directory.ts';
import { createLogger } from './logger.ts';
import { controlFn, setThreadInfo } from './registry.ts';
import { RestartBudget } from './restart-budget.ts';
import { ThreadRuntime } from './thread-runtime.ts';
import type { ActorRef, SpawnOptions, SystemMessage, ThreadStats } from './types.ts';
import { deserializeError } from './wire.ts';
import { WorkerHost } from './worker-host.ts';

export interface ActorSystemOptions {
  /** Worker threads besides the main thread (default: os.availableParallelism()). */
  workers?: number;
  /** File URLs imported in every worker and in the main thread before any actor spawns. */
  modules?: string[];
  logger?: Logger;
  /** Log level and file for the workers (default: the logger's level, stdout). */
  logLevel?: string;
  logFile?: string | null;
  /** Worker restart budget (default 5 within 60000 ms). */
  workerRestart?: { maxRestarts: number; withinMs: number };
  /** Cloneable data that modules read with getWorkerData() on every thread. */
  workerData?: unknown;
  /** V8 heap limits of every worker (Node's Worker resourceLimits), e.g. a small young generation. */
  resourceLimits?: ResourceLimits;
  /** The shared directory's store, ttl and member name (default: in-process store). */
  sharedDirectory?: SharedDirectoryOptions;
  /** How long control(), broadcast() and stats() wait for a worker (default 10000 ms). */
  controlTimeoutMs?: number;
}

const DEFAULT_CONTROL_TIMEOUT_MS = 10_000;

/** A worker slot: answering, still loading its modules (after a restart), or gone for good. */
export type WorkerStatus = 'running' | 'starting' | 'down';

export interface WorkerDiedEvent { worker: number; code: number; restarting: boolean }
export interface WorkerRestartedEvent { worker: number; generation: number }
export interface EscalatedEvent { child: ActorRef; kind: string; reason: string; error?: { code?: string; message: string } }
export interface ActorRespawnedEvent { child: ActorRef; previous: ActorRef; kind: string }

export class ActorSystem extends EventEmitter {
  readonly workerCount: number;
  readonly logger: Logger;
  private readonly modules: string[];
  private readonly logLevel: string;
  private readonly logFile: string | null;
  private readonly userData: unknown;
  private readonly resourceLimits: ResourceLimits | undefined;
  private readonly sharedDirectory: SharedDirectoryOptions | undefined;
  private readonly controlTimeoutMs: number;
  private readonly restartBudget: { maxRestarts: number; withinMs: number };
  private readonly hosts: (WorkerHost | null)[] = [];
  private readonly budgets: RestartBudget[] = [];
  private readonly generations: number[] = [];
  private rt: ThreadRuntime | null = null;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(o: ActorSystemOptions = {}) {
    super();
    this.workerCount = o.workers ?? availableParallelism();
    this.modules = o.modules ?? [];
    this.logger = o.logger ?? createLogger({ level: o.logLevel ?? 'info', file: o.logFile ?? null });
    this.logLevel = o.logLevel ?? this.logger.level;
    this.logFile = o.logFile ?? null;
    this.userData = o.workerData;
    this.resourceLimits = o.resourceLimits;
    this.sharedDirectory = o.sharedDirectory;
    this.controlTimeoutMs = o.controlTimeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
    this.restartBudget = o.workerRestart ?? { maxRestarts: 5, withinMs: 60_000 };
  }

  /** Imports the modules here, spawns the directory, starts every worker and waits for them. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new SluiceError('RUNTIME_STATE', 'start() called twice');
    this.state = 'running';
    setThreadInfo(0, this.userData);
    for (const url of this.modules) await import(url);
    const rt = new ThreadRuntime({
      worker: 0,
      workerCount: this.workerCount,
      idBase: 0,
      logger: this.logger,
      workerData: this.userData,
      onSystemMessage: (m) => this.onSystemMessage(m),
    });
    this.rt = rt;
    rt.start();
    const dir = rt.spawnLocal(DIRECTORY_KIND, undefined, { name: 'directory' }, { worker: 0, id: 0 });
    if (dir.self.id !== DIRECTORY_REF.id) throw new Error('directory must be the first actor');
    const shared = rt.spawnLocal(SHARED_DIRECTORY_KIND, this.sharedDirectory, { name: 'shared-directory' }, { worker: 0, id: 0 });
    if (shared.self.id !== SHARED_DIRECTORY_REF.id) throw new Error('the shared directory must be the second actor');
    // The mesh: one channel per pair of threads; thread 0's ends stay here.
    const ends: { worker: number; port: MessagePort }[][] = [];
    for (let w = 1; w <= this.workerCount; w++) ends[w] = [];
    for (let a = 0; a <= this.workerCount; a++) {
      for (let b = a + 1; b <= this.workerCount; b++) {
        const { port1, port2 } = new MessageChannel();
        if (a === 0) rt.addPeer(b, port1);
        else ends[a]!.push({ worker: b, port: port1 });
        ends[b]!.push({ worker: a, port: port2 });
      }
    }
    for (let w = 1; w <= this.workerCount; w++) {
      this.budgets[w] = new RestartBudget(this.restartBudget.maxRestarts, this.restartBudget.withinMs);
      this.generations[w] = 0;
      this.hosts[w] = this.createHost(w, ends[w]!);
    }
    try {
      await Promise.all(this.hosts.slice(1).map((h) => h!.ready));
    } catch (err) {
      await this.shutdown(1000);
      throw err;
    }
  }

  private createHost(worker: number, peers: { worker: number; port: MessagePort }[]): WorkerHost {
    return new WorkerHost(
      {
        worker,
        workerCount: this.workerCount,
        generation: this.generations[worker]!,
        modules: this.modules,
        logLevel: this.logLevel,
        logFile: this.logFile,
        userData: this.userData,
        peers,
        resourceLimits: this.resourceLimits,
        logger: this.logger,
        controlTimeoutMs: this.controlTimeoutMs,
      },
      (host, code) => this.onWorkerExit(host, code),
    );
  }

  private onWorkerExit(host: WorkerHost, code: number): void {
    if (this.state !== 'running' || this.hosts[host.worker] !== host) return;
    const w = host.worker;
    this.hosts[w] = null;
    for (const h of this.hosts) h?.post({ type: 'mesh/down', worker: w });
    this.rt!.peerDown(w);
    const restarting = this.budgets[w]!.take();
    this.logger.error({ worker: w, code, restarting }, 'worker died');
    this.emit('worker-died', { worker: w, code, restarting } satisfies WorkerDiedEvent);
    if (!restarting) return;
    this.generations[w]!++;
    const peers: { worker: number; port: MessagePort }[] = [];
    const { port1, port2 } = new MessageChannel();
    peers.push({ worker: 0, port: port2 });
    const announce: (() => void)[] = [() => this.rt!.addPeer(w, port1)];
    for (const h of this.hosts) {
      if (h === null || h === undefined || h.exited) continue;
      const c = new MessageChannel();
      peers.push({ worker: h.worker, port: c.port2 });
      announce.push(() => h.post({ type: 'mesh/peer', worker: w, port: c.port1 }, [c.port1]));
    }
    const next = this.createHost(w, peers);
    this.hosts[w] = next;
    // Peers learn of the new thread at once: what they send waits in the port until it listens.
    for (const a of announce) a();
    next.ready.then(
      () => {
        this.logger.info({ worker: w, generation: next.generation }, 'worker restarted');
        this.emit('worker-restarted', { worker: w, generation: next.generation } satisfies WorkerRestartedEvent);
      },
      () => {},
    );
  }

  private onSystemMessage(m: SystemMessage): void {
    if (m.type === 'sys/child-stopped' && m.escalated) {
      const ev: EscalatedEvent = { child: m.child, kind: m.kind, reason: m.reason };
      if (m.error) ev.error = m.error;
      this.logger.error(ev, 'actor escalated');
      this.emit('escalated', ev);
    } else if (m.type === 'sys/child-restarted' && m.child.worker !== m.previous.worker || m.type === 'sys/child-restarted' && m.child.id !== m.previous.id) {
      this.emit('actor-respawned', { child: m.child, previous: m.previous, kind: m.kind } satisfies ActorRespawnedEvent);
    }
  }

  private runtime(): ThreadRuntime {
    if (this.rt === null || this.state !== 'running') throw new SluiceError('RUNTIME_STATE', this.state);
    return this.rt;
  }

  private host(worker: number): WorkerHost {
    const h = this.hosts[worker];
    if (h === null || h === undefined) {
      const inRange = worker >= 1 && worker <= this.workerCount;
      throw new SluiceError(inRange ? 'WORKER_DIED' : 'ACTOR_NOT_FOUND', `worker ${worker}`);
    }
    return h;
  }

  /** Whether worker `worker` (1..workerCount) can answer now, without asking it. */
  workerStatus(worker: number): WorkerStatus {
    const h = this.hosts[worker];
    if (this.state !== 'running' || h === null || h === undefined || h.exited) return 'down';
    return h.started ? 'running' : 'starting';
  }

  /** Spawns on thread `worker` (0 = main), supervised by the system. */
  spawn(worker: number, kind: string, args?: unknown, opts: SpawnOptions = {}): Promise<ActorRef> {
    return this.runtime().spawnOn(worker, kind, args, opts, 0);
  }

  tell(to: ActorRef, msg: unknown): void {
    this.runtime().tell(to, msg);
  }

  ask<R = unknown>(to: ActorRef, msg: unknown, timeoutMs = 5000): Promise<R> {
    return this.runtime().ask<R>(to, msg, timeoutMs);
  }

  /** An explicit stop by the system: the actor is not restarted whatever its policy. */
  stop(ref: ActorRef): void {
    this.runtime().stop(ref, { worker: 0, id: 0 });
  }

  /** Runs the control function `name` registered on thread `worker` (0 = here). */
  async control(worker: number, name: string, ...args: unknown[]): Promise<any> {
    if (worker === 0) {
      this.runtime();
      return await controlFn(name)(...args);
    }
    const res: ControlResult = await this.host(worker).run(`control "${name}"`, (api) => api.call(name, ...args) as Promise<ControlResult>);
    if (!res.ok) throw deserializeError(res.error);
    return res.value;
  }

  /** control() on every worker thread (not the main thread), in worker order. */
  broadcast(name: string, ...args: unknown[]): Promise<any[]> {
    const all: Promise<any>[] = [];
    for (let w = 1; w <= this.workerCount; w++) all.push(this.control(w, name, ...args));
    return Promise.all(all);
  }

  async stats(worker: number): Promise<ThreadStats> {
    if (worker === 0) return this.runtime().stats();
    return this.host(worker).run('stats', (api) => api.stats());
  }

  /** Stops every actor on every thread (stopped hooks run), then terminates the workers. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    const live = this.hosts.filter((h): h is WorkerHost => h !== null && h !== undefined && !h.exited);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    const stopAll = Promise.allSettled(live.map((h) => h.ready.then(() => h.run('stopAll', (api) => api.stopAll()))));
    await Promise.race([stopAll, deadline]);
    clearTimeout(timer);
    this.rt?.stopAll();
    this.rt?.dispose();
    await Promise.allSettled(
      live.map(async (h) => {
        h.release();
        await h.thread.terminate();
      }),
    );
    this.state = 'stopped';
  }
}
