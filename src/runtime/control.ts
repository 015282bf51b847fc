// The control API each worker exposes to the main thread through comlink. Results travel
// as { ok, value | error } so SluiceError codes survive the trip (comlink keeps only the
// message of a thrown error).
import { controlFn } from './registry.ts';
import type { ThreadRuntime } from './thread-runtime.ts';
import type { ActorRef, SerializedError, SpawnOptions, ThreadStats } from './types.ts';
import { serializeError } from './wire.ts';

export type ControlResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export interface ControlApi {
  /** Spawns an actor supervised by nobody but this worker's runtime. */
  spawn(kind: string, args: unknown, opts?: SpawnOptions): ControlResult;
  stop(ref: ActorRef): void;
  stats(): ThreadStats;
  call(name: string, ...args: unknown[]): Promise<ControlResult>;
  /** Used by ActorSystem.shutdown: every actor stops and its stopped() hook runs. */
  stopAll(): void;
}

export function createControlApi(rt: ThreadRuntime): ControlApi {
  const system = { worker: rt.worker, id: 0 };
  return {
    spawn(kind, args, opts) {
      try {
        return { ok: true, value: rt.spawnLocal(kind, args, opts ?? {}, system).self };
      } catch (err) {
        return { ok: false, error: serializeError(err) };
      }
    },
    stop(ref) {
      rt.stop(ref, system);
    },
    stats() {
      return rt.stats();
    },
    async call(name, ...args) {
      try {
        return { ok: true, value: await controlFn(name)(...args) };
      } catch (err) {
        return { ok: false, error: serializeError(err) };
      }
    },
    stopAll() {
      rt.stopAll();
    },
  };
}
