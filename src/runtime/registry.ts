// Per-thread tables filled at module import: actor kinds and control functions are looked
// up by name, which is what lets the same module run on any thread.
import { SluiceError } from './errors.ts';
import type { ActorFactory, ControlFn } from './types.ts';

const kinds = new Map<string, ActorFactory>();
const controls = new Map<string, ControlFn>();
let threadWorker = 0;
let threadWorkerData: unknown = undefined;

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

export function setThreadInfo(worker: number, data: unknown): void {
  threadWorker = worker;
  threadWorkerData = data;
}
