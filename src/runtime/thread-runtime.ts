// The runtime of one thread: its actors, the run loop that drains their mailboxes, the
// routing of messages to other threads over the mesh, asks, and supervision. The mesh
// (mesh.ts) owns the ports and calls back through MeshHost, which this class implements.
// Each thread keeps only the links it is interested in (its actors' remote children and
// remote watches), so when a peer worker dies every thread reports the loss by itself.
import type { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { SluiceError } from './errors.ts';
import { ActorCell } from './actor-cell.ts';
import { actorFactory, controlFn } from './registry.ts';
import { RemoteLinks, type RemoteChild } from './remote-links.ts';
import { RestartBudget, wantsRestart } from './restart-budget.ts';
import { Mesh, type MeshHost } from './mesh.ts';
import { PendingAsks } from './pending-asks.ts';
import { ThreadLoadMeter } from './thread-load.ts';
import { keepMemoryReducerWorking } from './memory-reducer.ts';
import { serializeError } from './wire.ts';
import {
  removeRef,
  sameRef,
  type ActorRef,
  type RuntimeHandle,
  type SpawnOptions,
  type StopReason,
  type SystemMessage,
  type ThreadStats,
} from './types.ts';

const DEFAULT_MAX_RESTARTS = 3;
const DEFAULT_RESTART_WINDOW_MS = 5000;
/** Messages one actor handles before the run loop moves on to the next one. */
const PER_ACTOR_BATCH = 64;
/** Messages one drain handles before yielding to I/O with setImmediate. */
const PER_DRAIN_BUDGET = 4096;

export interface ThreadRuntimeOptions {
  worker: number;
  workerCount: number;
  /** First actor id minus one; workers get a new base per incarnation so stale refs miss. */
  idBase: number;
  logger: Logger;
  workerData: unknown;
  /** Called for system messages addressed to this thread's runtime (supervisor id 0). */
  onSystemMessage?: (msg: SystemMessage) => void;
}

export class ThreadRuntime implements MeshHost {
  readonly worker: number;
  workerCount: number;
  readonly logger: Logger;
  readonly handle: RuntimeHandle;
  onSystemMessage: (msg: SystemMessage) => void;
  deadLetters = 0;
  processed = 0;
  shuttingDown = false;
  private nextId: number;
  /** @internal */ readonly cells = new Map<number, ActorCell>();
  private readonly mesh: Mesh = new Mesh(this);
  private readonly runQueue: (ActorCell | undefined)[] = [];
  private runHead = 0;
  private drainScheduled = false;
  private readonly drainFn = (): void => this.drain();
  private readonly asks = new PendingAsks();
  private readonly links = new RemoteLinks();
  private readonly load = new ThreadLoadMeter();

  constructor(o: ThreadRuntimeOptions) {
    this.worker = o.worker;
    this.workerCount = o.workerCount;
    this.nextId = o.idBase + 1;
    this.logger = o.logger;
    this.onSystemMessage = o.onSystemMessage ?? ((m) => this.logSystemMessage(m));
    const rt = this;
    this.handle = {
      worker: o.worker,
      get workerCount() {
        return rt.workerCount;
      },
      workerData: o.workerData,
      logger: o.logger,
      stats: () => this.stats(),
      call: async (name, ...args) => controlFn(name)(...args),
    };
  }

  /** Starts listening on the mesh ports (after the thread's modules are imported). */
  start(): void {
    keepMemoryReducerWorking();
    this.mesh.start();
  }

  // ---- messaging ----

  tell(to: ActorRef, msg: unknown): void {
    if (to.worker === this.worker) {
      const cell = this.cells.get(to.id);
      if (cell === undefined || cell.stopped) this.deadLetters++;
      else this.enqueue(cell, msg, 0, 0);
      return;
    }
    if (!this.mesh.send(to.worker, { k: 'tell', to: to.id, m: msg })) this.deadLetters++;
  }

  ask<R>(to: ActorRef, msg: unknown, timeoutMs = 5000): Promise<R> {
    const { id, reply } = this.asks.open<R>(to.worker, timeoutMs, () => new SluiceError('ACTOR_ASK_TIMEOUT', `${to.worker}/${to.id} after ${timeoutMs} ms`));
    if (to.worker === this.worker) {
      const cell = this.cells.get(to.id);
      if (cell === undefined || cell.stopped) this.settleAsk(id, false, notFound(to));
      else this.enqueue(cell, msg, id, this.worker);
      return reply;
    }
    try {
      if (!this.mesh.send(to.worker, { k: 'ask', to: to.id, m: msg, ask: id })) this.settleAsk(id, false, this.noPeer(to));
    } catch (err) {
      this.settleAsk(id, false, err);
    }
    return reply;
  }

  settleAsk(id: number, ok: boolean, value: unknown): void {
    this.asks.settle(id, ok, value);
  }

  /** @internal */
  replyTo(worker: number, askId: number, ok: boolean, value: unknown): void {
    if (worker === this.worker) {
      this.settleAsk(askId, ok, value);
      return;
    }
    if (!ok) {
      this.mesh.send(worker, { k: 'reply', ask: askId, ok: false, e: serializeError(value) });
      return;
    }
    try {
      this.mesh.send(worker, { k: 'reply', ask: askId, ok: true, v: value });
    } catch (err) {
      // The value cannot be cloned: the asker learns why instead of waiting for its timeout.
      this.mesh.send(worker, { k: 'reply', ask: askId, ok: false, e: serializeError(err) });
    }
  }

  // ---- run loop ----

  /** @internal */
  enqueue(cell: ActorCell, msg: unknown, askId: number, replyWorker: number): void {
    cell.mailbox.push(msg, askId, replyWorker);
    if (!cell.queued && !cell.busy) {
      cell.queued = true;
      this.runQueue.push(cell);
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        queueMicrotask(this.drainFn);
      }
    }
  }

  private wake(cell: ActorCell): void {
    if (cell.queued || cell.busy || cell.stopped || cell.mailbox.length === 0) return;
    cell.queued = true;
    this.runQueue.push(cell);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(this.drainFn);
    }
  }

  private drain(): void {
    let budget = PER_DRAIN_BUDGET;
    const q = this.runQueue;
    while (this.runHead < q.length) {
      const cell = q[this.runHead]!;
      q[this.runHead++] = undefined;
      let n = 0;
      while (!cell.busy && !cell.stopped && n < PER_ACTOR_BATCH && cell.mailbox.length > 0) {
        this.processOne(cell);
        n++;
      }
      budget -= n;
      cell.queued = false;
      if (!cell.busy && !cell.stopped && cell.mailbox.length > 0) {
        cell.queued = true;
        q.push(cell);
      }
      if (budget <= 0 && this.runHead < q.length) {
        setImmediate(this.drainFn); // let I/O in; drainScheduled stays true
        return;
      }
    }
    q.length = 0;
    this.runHead = 0;
    this.drainScheduled = false;
  }

  private processOne(cell: ActorCell): void {
    const mb = cell.mailbox;
    const msg = mb.peekMsg();
    cell.curAsk = mb.peekAsk();
    cell.curReplyWorker = mb.peekReplyWorker();
    mb.shift();
    this.processed++;
    cell.inReceive = true;
    let r: unknown;
    try {
      r = cell.actor.receive(msg, cell);
    } catch (err) {
      cell.inReceive = false;
      this.failed(cell, err);
      return;
    }
    cell.inReceive = false;
    if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') {
      cell.busy = true;
      (r as PromiseLike<unknown>).then(cell.onResolve, cell.onReject);
      return;
    }
    this.completed(cell, r);
  }

  private bindHandlers(cell: ActorCell): void {
    const inc = cell.incarnation;
    cell.onResolve = (v) => {
      if (cell.incarnation !== inc || !cell.busy) return;
      cell.busy = false;
      this.completed(cell, v);
      this.wake(cell);
    };
    cell.onReject = (e) => {
      if (cell.incarnation !== inc || !cell.busy) return;
      cell.busy = false;
      this.failed(cell, e);
      this.wake(cell);
    };
  }

  private completed(cell: ActorCell, value: unknown): void {
    if (cell.curAsk !== 0) {
      const ask = cell.curAsk;
      cell.curAsk = 0;
      this.replyTo(cell.curReplyWorker, ask, true, value);
    }
    const p = cell.pendingStop;
    if (p !== null) {
      cell.pendingStop = null;
      this.terminate(cell, p.reason, null, p.by);
    }
  }

  private failed(cell: ActorCell, err: unknown): void {
    cell.log.warn({ err }, 'actor failed');
    if (cell.curAsk !== 0) {
      const ask = cell.curAsk;
      cell.curAsk = 0;
      this.replyTo(cell.curReplyWorker, ask, false, err);
    }
    cell.pendingStop = null;
    this.terminate(cell, 'error', err, null);
  }

  // ---- spawning ----

  spawnLocal(kind: string, args: unknown, opts: SpawnOptions, supervisor: ActorRef): ActorCell {
    if (this.shuttingDown) throw new SluiceError('RUNTIME_STATE', 'shutting down');
    const factory = actorFactory(kind);
    const id = this.nextId++;
    const log = this.logger.child(opts.name ? { actor: kind, id, name: opts.name } : { actor: kind, id });
    const cell = new ActorCell(this, id, kind, args, opts, supervisor, log);
    this.cells.set(id, cell);
    try {
      cell.actor = factory(args, cell);
    } catch (err) {
      cell.stopped = true;
      this.cells.delete(id);
      throw err;
    }
    this.bindHandlers(cell);
    if (supervisor.worker === this.worker && supervisor.id !== 0) {
      const parent = this.cells.get(supervisor.id);
      if (parent !== undefined) (parent.children ??= new Set()).add(cell);
    }
    this.wake(cell);
    return cell;
  }

  spawnOn(worker: number, kind: string, args: unknown, opts: SpawnOptions, supervisorId: number): Promise<ActorRef> {
    if (worker === this.worker) {
      try {
        return Promise.resolve(this.spawnLocal(kind, args, opts, { worker, id: supervisorId }).self);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.spawnRemote(worker, { supervisorId, kind, args, opts, budget: null });
  }

  private spawnRemote(worker: number, rc: RemoteChild): Promise<ActorRef> {
    return new Promise<ActorRef>((resolve, reject) => {
      const req = { kind: rc.kind, args: rc.args, opts: rc.opts, parent: rc.supervisorId };
      // Recorded the moment the answer arrives, before any later message from that worker.
      const sent = this.mesh.spawn(worker, req, (id) => resolve(this.spawned(worker, rc, id)), reject);
      if (!sent) reject(new SluiceError(this.inRange(worker) ? 'WORKER_DIED' : 'ACTOR_NOT_FOUND', `worker ${worker}`));
    });
  }

  private spawned(worker: number, p: RemoteChild, id: number): ActorRef {
    const ref = { worker, id };
    const parent = p.supervisorId === 0 ? null : this.cells.get(p.supervisorId);
    if (parent === undefined) {
      // The parent stopped while the spawn was in flight: its child must not outlive it.
      this.mesh.send(worker, { k: 'stop', to: id, by: { worker: this.worker, id: p.supervisorId } });
      return ref;
    }
    const keepArgs = (p.opts.restart ?? 'temporary') !== 'temporary';
    this.links.addChild(ref, { supervisorId: p.supervisorId, kind: p.kind, args: keepArgs ? p.args : undefined, opts: p.opts, budget: p.budget });
    if (parent !== null) (parent.remoteChildren ??= []).push(ref);
    return ref;
  }

  // ---- stopping and supervision ----

  /** Stops `ref` on whatever thread; `by` decides whether a permanent actor comes back. */
  stop(ref: ActorRef, by: ActorRef): void {
    if (ref.worker !== this.worker) {
      this.mesh.send(ref.worker, { k: 'stop', to: ref.id, by });
      return;
    }
    const cell = this.cells.get(ref.id);
    if (cell !== undefined && !cell.stopped) this.stopCell(cell, 'normal', by);
  }

  /** @internal */
  stopCell(cell: ActorCell, reason: StopReason, by: ActorRef): void {
    // A stop asked from inside the actor waits for the current message, so its reply goes out.
    if (cell.inReceive || (cell.busy && sameRef(by, cell.self))) {
      cell.pendingStop ??= { reason, by };
      return;
    }
    this.terminate(cell, reason, null, by);
  }

  private terminate(cell: ActorCell, reason: StopReason, err: unknown, by: ActorRef | null): void {
    if (cell.busy) {
      cell.busy = false;
      if (cell.curAsk !== 0) {
        const ask = cell.curAsk;
        cell.curAsk = 0;
        this.replyTo(cell.curReplyWorker, ask, false, new SluiceError('ACTOR_STOPPED', `${cell.kind} ${cell.self.id}`));
      }
    }
    cell.incarnation++;
    cell.clearTimers();
    try {
      cell.actor.stopped?.(reason);
    } catch (e) {
      cell.log.warn({ err: e }, 'stopped hook failed');
    }
    this.stopChildren(cell);
    const wanted = !this.shuttingDown && wantsRestart(cell.policy, cell.supervisor, reason, by);
    if (wanted) {
      cell.budget ??= new RestartBudget(cell.opts.maxRestarts ?? DEFAULT_MAX_RESTARTS, cell.opts.withinMs ?? DEFAULT_RESTART_WINDOW_MS);
      if (cell.budget.take() && this.restart(cell, reason, err)) return;
      cell.log.error({ reason }, 'not restarted (budget used up or factory failed), escalating');
    }
    this.remove(cell, reason, err, wanted);
  }

  private restart(cell: ActorCell, reason: StopReason, err: unknown): boolean {
    try {
      cell.actor = actorFactory(cell.kind)(cell.args, cell);
    } catch (e) {
      cell.log.error({ err: e }, 'restart failed');
      return false;
    }
    cell.pendingStop = null;
    this.bindHandlers(cell);
    const msg: SystemMessage = { type: 'sys/child-restarted', child: cell.self, previous: cell.self, kind: cell.kind, reason };
    if (err !== null && err !== undefined) msg.error = serializeError(err);
    this.sendSys(cell.supervisor, msg);
    this.wake(cell);
    return true;
  }

  private stopChildren(cell: ActorCell): void {
    if (cell.children !== null) {
      for (const child of [...cell.children]) if (!child.stopped) this.stopCell(child, 'normal', cell.self);
      cell.children.clear();
    }
    if (cell.remoteChildren !== null) {
      for (const ref of cell.remoteChildren) this.stop(ref, cell.self);
      cell.remoteChildren = null;
    }
  }

  private remove(cell: ActorCell, reason: StopReason, err: unknown, escalated: boolean): void {
    cell.stopped = true;
    this.cells.delete(cell.self.id);
    cell.mailbox.drain((ask, rw) => this.replyTo(rw, ask, false, new SluiceError('ACTOR_STOPPED', `${cell.kind} ${cell.self.id}`)));
    const sup = cell.supervisor;
    if (sup.worker === this.worker && sup.id !== 0) this.cells.get(sup.id)?.children?.delete(cell);
    if (cell.watching !== null) for (const ref of [...cell.watching]) this.unwatch(cell, ref);
    const msg: SystemMessage = { type: 'sys/child-stopped', child: cell.self, kind: cell.kind, reason };
    if (err !== null && err !== undefined) msg.error = serializeError(err);
    if (escalated) msg.escalated = true;
    this.sendSys(sup, msg);
    if (cell.watchers !== null) {
      for (const w of cell.watchers) this.sendSys(w, { type: 'sys/down', ref: cell.self, reason });
    }
  }

  private sendSys(to: ActorRef, msg: SystemMessage): void {
    if (to.worker !== this.worker) {
      this.mesh.send(to.worker, { k: 'sys', to: to.id, m: msg });
    } else if (to.id === 0) {
      this.onSystemMessage(msg);
    } else {
      this.deliverSys(to.id, msg);
    }
  }

  private deliverSys(id: number, msg: SystemMessage): void {
    const cell = this.cells.get(id);
    if (cell === undefined || cell.stopped) {
      this.deadLetters++;
      return;
    }
    if (msg.type === 'sys/down' && cell.watching !== null) {
      const i = cell.watching.findIndex((r) => sameRef(r, msg.ref));
      if (i >= 0) cell.watching.splice(i, 1);
    }
    this.enqueue(cell, msg, 0, 0);
  }

  private logSystemMessage(msg: SystemMessage): void {
    if (msg.type === 'sys/child-stopped' && (msg.escalated || msg.reason !== 'normal')) {
      this.logger.warn({ child: msg.child, kind: msg.kind, reason: msg.reason, error: msg.error }, 'system child stopped');
    }
  }

  // ---- watching ----

  watch(cell: ActorCell, ref: ActorRef): void {
    if (cell.watching !== null && cell.watching.some((r) => sameRef(r, ref))) return;
    (cell.watching ??= []).push(ref);
    if (ref.worker === this.worker) {
      const target = this.cells.get(ref.id);
      if (target === undefined || target.stopped) this.deliverSys(cell.self.id, { type: 'sys/down', ref, reason: 'not-found' });
      else (target.watchers ??= []).push(cell.self);
      return;
    }
    if (!this.mesh.has(ref.worker)) {
      this.deliverSys(cell.self.id, { type: 'sys/down', ref, reason: 'not-found' });
      return;
    }
    this.links.addWatch(ref, cell.self.id);
    this.mesh.send(ref.worker, { k: 'watch', to: ref.id, watcher: cell.self.id });
  }

  unwatch(cell: ActorCell, ref: ActorRef): void {
    if (cell.watching === null) return;
    const i = cell.watching.findIndex((r) => sameRef(r, ref));
    if (i < 0) return;
    cell.watching.splice(i, 1);
    if (ref.worker === this.worker) {
      removeRef(this.cells.get(ref.id)?.watchers, cell.self);
      return;
    }
    this.links.deleteWatch(ref, cell.self.id);
    this.mesh.send(ref.worker, { k: 'unwatch', to: ref.id, watcher: cell.self.id });
  }

  // ---- the mesh: the ports, and what arrives on them (MeshHost) ----

  addPeer(worker: number, port: MessagePort): void {
    this.mesh.add(worker, port);
  }

  /** A peer worker died: settle everything that waited on it and report its actors. */
  peerDown(worker: number): void {
    this.mesh.down(worker);
  }

  tellLocal(id: number, msg: unknown): void {
    const cell = this.cells.get(id);
    if (cell === undefined || cell.stopped) this.deadLetters++;
    else this.enqueue(cell, msg, 0, 0);
  }

  askLocal(id: number, msg: unknown, askId: number, from: number): void {
    const cell = this.cells.get(id);
    if (cell === undefined || cell.stopped) this.replyTo(from, askId, false, notFound({ worker: this.worker, id }));
    else this.enqueue(cell, msg, askId, from);
  }

  spawnForPeer(kind: string, args: unknown, opts: SpawnOptions, parent: ActorRef): number {
    return this.spawnLocal(kind, args, opts, parent).self.id;
  }

  stopLocal(id: number, by: ActorRef): void {
    this.stop({ worker: this.worker, id }, by);
  }

  watchedBy(id: number, watcher: ActorRef): void {
    const target = this.cells.get(id);
    if (target === undefined || target.stopped) {
      this.sendSys(watcher, { type: 'sys/down', ref: { worker: this.worker, id }, reason: 'not-found' });
    } else (target.watchers ??= []).push(watcher);
  }

  unwatchedBy(id: number, watcher: ActorRef): void {
    removeRef(this.cells.get(id)?.watchers, watcher);
  }

  systemFromPeer(_from: number, to: number, msg: SystemMessage): void {
    if (msg.type === 'sys/child-stopped') {
      this.links.deleteChild(msg.child);
      if (to !== 0) removeRef(this.cells.get(to)?.remoteChildren, msg.child);
    } else if (msg.type === 'sys/down') {
      this.links.deleteWatch(msg.ref, to);
    }
    if (to === 0) this.onSystemMessage(msg);
    else this.deliverSys(to, msg);
  }

  peerUp(worker: number): void {
    const again = this.links.takeRespawns(worker);
    if (again !== undefined) for (const r of again) this.respawn(worker, r.rc, r.previous);
  }

  peerLost(worker: number): void {
    this.asks.fail(worker, () => new SluiceError('WORKER_DIED', `worker ${worker}`));
    const kids = this.links.takeChildren(worker);
    if (kids !== undefined) for (const [id, rc] of kids) this.childLost({ worker, id }, rc);
    const watched = this.links.takeWatches(worker);
    if (watched !== undefined) {
      for (const [id, watchers] of watched) {
        for (const w of watchers) this.deliverSys(w, { type: 'sys/down', ref: { worker, id }, reason: 'worker-died' });
      }
    }
    for (const cell of [...this.cells.values()]) {
      if (cell.watchers !== null) cell.watchers = cell.watchers.filter((r) => r.worker !== worker);
      // Orphans: a child never outlives its parent.
      if (cell.supervisor.worker === worker && !cell.stopped) this.stopCell(cell, 'normal', cell.supervisor);
    }
  }

  /** A child on a dead worker: its supervisor hears of it, and it is queued for the successor. */
  private childLost(ref: ActorRef, rc: RemoteChild): void {
    const parent = rc.supervisorId === 0 ? null : this.cells.get(rc.supervisorId);
    if (parent === undefined) return;
    if (parent !== null) removeRef(parent.remoteChildren, ref);
    const policy = rc.opts.restart ?? 'temporary';
    const wanted = !this.shuttingDown && policy !== 'temporary';
    let again = false;
    if (wanted) {
      rc.budget ??= new RestartBudget(rc.opts.maxRestarts ?? DEFAULT_MAX_RESTARTS, rc.opts.withinMs ?? DEFAULT_RESTART_WINDOW_MS);
      again = rc.budget.take();
    }
    const msg: SystemMessage = { type: 'sys/child-stopped', child: ref, kind: rc.kind, reason: 'worker-died' };
    if (again) msg.restarting = true;
    else if (wanted) msg.escalated = true;
    this.sendSys({ worker: this.worker, id: rc.supervisorId }, msg);
    if (again) this.links.queueRespawn(ref.worker, { rc, previous: ref });
  }

  private respawn(worker: number, rc: RemoteChild, previous: ActorRef): void {
    if (rc.supervisorId !== 0 && !this.cells.has(rc.supervisorId)) return;
    const supervisor = { worker: this.worker, id: rc.supervisorId };
    this.spawnRemote(worker, rc).then(
      (child) => {
        this.sendSys(supervisor, { type: 'sys/child-restarted', child, previous, kind: rc.kind, reason: 'worker-died' });
      },
      (err: unknown) => {
        if (err instanceof SluiceError && err.code === 'WORKER_DIED' && !this.shuttingDown && rc.budget!.take()) {
          this.links.queueRespawn(worker, { rc, previous });
          return;
        }
        this.logger.error({ err, kind: rc.kind, worker }, 'respawn after worker death failed');
        this.sendSys(supervisor, { type: 'sys/child-stopped', child: previous, kind: rc.kind, reason: 'worker-died', escalated: true });
      },
    );
  }

  private inRange(worker: number): boolean {
    return worker > 0 && worker <= this.workerCount;
  }

  private noPeer(to: ActorRef): SluiceError {
    return this.inRange(to.worker) ? new SluiceError('WORKER_DIED', `worker ${to.worker}`) : notFound(to);
  }

  // ---- introspection and shutdown ----

  stats(): ThreadStats {
    let depth = 0;
    for (const c of this.cells.values()) depth += c.mailbox.length;
    return {
      worker: this.worker,
      actors: this.cells.size,
      mailboxDepth: depth,
      deadLetters: this.deadLetters,
      processed: this.processed,
      ...this.load.read(),
    };
  }

  /** Stops every actor (newest first, so children before parents) without restarts. */
  stopAll(): void {
    this.shuttingDown = true;
    const self = { worker: this.worker, id: 0 };
    for (const cell of [...this.cells.values()].reverse()) if (!cell.stopped) this.terminate(cell, 'normal', null, self);
  }

  /** Releases ports and timers; pending asks reject. */
  dispose(): void {
    this.shuttingDown = true;
    this.asks.fail(null, () => new SluiceError('RUNTIME_STATE', 'shut down'));
    this.mesh.dispose();
    this.load.stop();
  }
}

function notFound(ref: ActorRef): SluiceError {
  return new SluiceError('ACTOR_NOT_FOUND', `${ref.worker}/${ref.id}`);
}
