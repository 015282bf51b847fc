// Per-thread tables filled at module import: actor kinds and control functions are looked
// up by name, which is what lets the same module run on any thread.
import { SluiceError } from './errors.ts';
import type { ActorFactory, ActorRef, ControlFn } from './types.ts';

const kinds = new Map<string, ActorFactory>();
const controls = new Map<string, ControlFn>();
let threadWorker = 0;
let threadGeneration = 0;
let threadWorkerData: unknown = undefined;
/** Actor ids of a worker's incarnation start at generation * ID_SPACE. */
const ID_SPACE = 2 ** 32;

/** Registers a behaviour under a name in the current thread (call it at module import). */
export function registerActor(kind: string, factory: ActorFactory): void {
  kinds.set(kind, factory);
}

/** Registers a function that the main thread can run here with control()/broadcast(). */
export function registerControl(name: string, fn: ControlFn): void {
  controls.set(name, fn);
}

export function actorFactory(kind: string): ActorFactory {
  const f = kinds.get(kind);
  if (f === undefined) throw new SluiceError('ACTOR_UNKNOWN_KIND', kind);
  return f;
}

export function controlFn(name: string): ControlFn {
  const f = controls.get(name);
  if (f === undefined) throw new SluiceError('CONTROL_UNKNOWN', name);
  return f;
}

/** The index of the current thread: 0 in the main thread, 1..N in workers. */
export function currentWorker(): number {
  return threadWorker;
}

/** ActorSystemOptions.workerData, readable from modules on every thread. */
export function getWorkerData(): unknown {
  return threadWorkerData;
}

export function setThreadInfo(worker: number, data: unknown, generation = 0): void {
  threadWorker = worker;
  threadWorkerData = data;
  threadGeneration = generation;
}

/**
 * This thread's incarnation in one number (worker and restart generation): what shared
 * structures record of who holds a share of them, so that the main thread can give back
 * the shares of a thread that died (threadTagOf its actors' refs).
 */
export function threadTag(): number {
  return threadWorker * 65536 + (threadGeneration & 0xffff);
}

/** The incarnation an actor's ref belongs to (see threadTag). */
export function threadTagOf(ref: ActorRef): number {
  return ref.worker * 65536 + (Math.floor(ref.id / ID_SPACE) & 0xffff);
}
