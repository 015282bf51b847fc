// One live actor: its behaviour, mailbox, links and timers. The cell is also the actor's
// ActorContext, so spawning allocates one object, and the promise handlers are made once
// per incarnation rather than once per message.
import type { Logger } from 'pino';
import { Mailbox } from './mailbox.ts';
import type { RestartBudget } from './restart-budget.ts';
import type {
  Actor,
  ActorContext,
  ActorRef,
  RestartPolicy,
  RuntimeHandle,
  SpawnOptions,
  StopReason,
} from './types.ts';

/** What a cell asks of its thread's runtime (thread-runtime.ts implements it). */
export interface CellRuntime {
  readonly worker: number;
  readonly handle: RuntimeHandle;
  tell(to: ActorRef, msg: unknown): void;
  ask<R>(to: ActorRef, msg: unknown, timeoutMs?: number): Promise<R>;
  spawnLocal(kind: string, args: unknown, opts: SpawnOptions, supervisor: ActorRef): ActorCell;
  spawnOn(worker: number, kind: string, args: unknown, opts: SpawnOptions, supervisorId: number): Promise<ActorRef>;
  stop(ref: ActorRef, by: ActorRef): void;
  watch(cell: ActorCell, ref: ActorRef): void;
  unwatch(cell: ActorCell, ref: ActorRef): void;
}

export class ActorCell implements ActorContext {
  readonly rt: CellRuntime;
  readonly self: ActorRef;
  readonly kind: string;
  readonly args: unknown;
  readonly opts: SpawnOptions;
  readonly policy: RestartPolicy;
  /** Who is told when this actor stops; id 0 is the spawning thread's runtime itself. */
  readonly supervisor: ActorRef;
  readonly log: Logger;
  readonly mailbox = new Mailbox();
  budget: RestartBudget | null = null;
  actor!: Actor;
  /** Bumped on every (re)start so stale promise settlements are ignored. */
  incarnation = 0;
  onResolve: (v: unknown) => void = noop;
  onReject: (e: unknown) => void = noop;
  /** In the run queue. */
  queued = false;
  /** Waiting on a Promise returned by receive. */
  busy = false;
  inReceive = false;
  stopped = false;
  curAsk = 0;
  curReplyWorker = 0;
  /** A stop requested by the actor itself during receive, run once the message is done. */
  pendingStop: { reason: StopReason; by: ActorRef } | null = null;
  children: Set<ActorCell> | null = null;
  remoteChildren: ActorRef[] | null = null;
  watchers: ActorRef[] | null = null;
  watching: ActorRef[] | null = null;
  timers: Set<ReturnType<typeof setTimeout>> | null = null;

  constructor(
    rt: CellRuntime,
    id: number,
    kind: string,
    args: unknown,
    opts: SpawnOptions,
    supervisor: ActorRef,
    log: Logger,
  ) {
    this.rt = rt;
    this.self = { worker: rt.worker, id };
    this.kind = kind;
    this.args = args;
    this.opts = opts;
    this.policy = opts.restart ?? 'temporary';
    this.supervisor = supervisor;
    this.log = log;
  }

  get parent(): ActorRef | null {
    return this.supervisor.id === 0 ? null : this.supervisor;
  }

  get system(): RuntimeHandle {
    return this.rt.handle;
  }

  tell(to: ActorRef, msg: unknown): void {
    this.rt.tell(to, msg);
  }

  ask<R = unknown>(to: ActorRef, msg: unknown, timeoutMs = 5000): Promise<R> {
    return this.rt.ask<R>(to, msg, timeoutMs);
  }

  spawn(kind: string, args?: unknown, opts?: SpawnOptions): ActorRef {
    return this.rt.spawnLocal(kind, args, opts ?? {}, this.self).self;
  }

  spawnOn(worker: number, kind: string, args?: unknown, opts?: SpawnOptions): Promise<ActorRef> {
    return this.rt.spawnOn(worker, kind, args, opts ?? {}, this.self.id);
  }

  stop(ref?: ActorRef): void {
    this.rt.stop(ref ?? this.self, this.self);
  }

  schedule(delayMs: number, msg: unknown): () => void {
    const timers = (this.timers ??= new Set());
    const t = setTimeout(() => {
      timers.delete(t);
      this.rt.tell(this.self, msg);
    }, delayMs);
    timers.add(t);
    return () => {
      clearTimeout(t);
      timers.delete(t);
    };
  }

  every(intervalMs: number, msg: unknown): () => void {
    const timers = (this.timers ??= new Set());
    const t = setInterval(() => this.rt.tell(this.self, msg), intervalMs);
    timers.add(t);
    return () => {
      clearInterval(t);
      timers.delete(t);
    };
  }

  watch(ref: ActorRef): void {
    this.rt.watch(this, ref);
  }

  unwatch(ref: ActorRef): void {
    this.rt.unwatch(this, ref);
  }

  clearTimers(): void {
    if (this.timers === null) return;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function noop(): void {}
