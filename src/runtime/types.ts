// The runtime's public vocabulary. Everything here is plain data or an interface, so the
// same actor code runs in the main thread or a worker and refs cross threads by cloning.
import type { Logger } from 'pino';

/** Address of an actor: the thread hosting it (0 = main) and an id unique on that thread. */
export interface ActorRef {
  readonly worker: number;
  readonly id: number;
}

/** Why an actor stopped. 'worker-died' is only ever reported by other threads. */
export type StopReason = 'normal' | 'error' | 'worker-died';

/** Why a watched actor is down: 'not-found' when it was already gone at watch time. */
export type DownReason = StopReason | 'not-found';

export type RestartPolicy = 'temporary' | 'transient' | 'permanent';

export interface SpawnOptions {
  /** temporary (default): never restarted; transient: after an error; permanent: always. */
  restart?: RestartPolicy;
  /** Restart budget: at most maxRestarts restarts within withinMs, then escalate. */
  maxRestarts?: number;
  withinMs?: number;
  /** A label for logs. */
  name?: string;
}

export interface SerializedError {
  code?: string;
  message: string;
  name?: string;
  /** A SluiceError's detail (its message without the code's general text). */
  detail?: string;
}

export interface ChildStopped {
  type: 'sys/child-stopped';
  child: ActorRef;
  kind: string;
  reason: StopReason;
  error?: SerializedError;
  /** The restart budget was used up: the child stays stopped. */
  escalated?: true;
  /** The child's worker died and the child will be spawned again (see sys/child-restarted). */
  restarting?: true;
}

export interface ChildRestarted {
  type: 'sys/child-restarted';
  /** The ref after the restart: same as `previous` unless the worker died. */
  child: ActorRef;
  previous: ActorRef;
  kind: string;
  reason: StopReason;
  error?: SerializedError;
}

export interface Down {
  type: 'sys/down';
  ref: ActorRef;
  reason: DownReason;
}

export type SystemMessage = ChildStopped | ChildRestarted | Down;

export interface ThreadStats {
  worker: number;
  actors: number;
  mailboxDepth: number;
  deadLetters: number;
  eventLoopLagMs: number;
  /** 99th percentile of the event-loop lag since the previous stats() call, ms. */
  eventLoopLagP99Ms: number;
  processed: number;
  /** V8 heap in use by this thread's isolate. */
  heapUsedBytes: number;
  /** V8 heap reserved by this thread's isolate (used or not). */
  heapTotalBytes: number;
}

/** The local runtime as seen by an actor (ctx.system). */
export interface RuntimeHandle {
  readonly worker: number;
  readonly workerCount: number;
  readonly workerData: unknown;
  readonly logger: Logger;
  stats(): ThreadStats;
  /** Runs a control function registered on this thread (registerControl). */
  call(name: string, ...args: unknown[]): Promise<unknown>;
}

export interface ActorContext {
  readonly self: ActorRef;
  /** null when the actor was spawned by a system (ActorSystem.spawn or a control call). */
  readonly parent: ActorRef | null;
  readonly log: Logger;
  readonly system: RuntimeHandle;
  tell(to: ActorRef, msg: unknown): void;
  ask<R = unknown>(to: ActorRef, msg: unknown, timeoutMs?: number): Promise<R>;
  /** Same thread, synchronous; args are passed by reference (sockets are fine). */
  spawn(kind: string, args?: unknown, opts?: SpawnOptions): ActorRef;
  /** Any thread (0 = main); args must be structured-cloneable. */
  spawnOn(worker: number, kind: string, args?: unknown, opts?: SpawnOptions): Promise<ActorRef>;
  stop(ref?: ActorRef): void;
  /** The message comes back to self after delayMs; returns a cancel function. */
  schedule(delayMs: number, msg: unknown): () => void;
  every(intervalMs: number, msg: unknown): () => void;
  /** When `ref` stops, self gets { type: 'sys/down', ref, reason }. */
  watch(ref: ActorRef): void;
  unwatch(ref: ActorRef): void;
}

export interface Actor {
  receive(msg: any, ctx: ActorContext): unknown | Promise<unknown>;
  stopped?(reason: StopReason): void;
}

export type ActorFactory = (args: any, ctx: ActorContext) => Actor;

export type ControlFn = (...args: any[]) => unknown;

export function sameRef(a: ActorRef | null, b: ActorRef | null): boolean {
  return a !== null && b !== null && a.worker === b.worker && a.id === b.id;
}

/** Removes `ref` from a list of refs, if it is there. */
export function removeRef(list: ActorRef[] | null | undefined, ref: ActorRef): void {
  if (!list) return;
  const i = list.findIndex((r) => sameRef(r, ref));
  if (i >= 0) list.splice(i, 1);
}
