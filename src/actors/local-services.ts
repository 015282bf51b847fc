// Per-thread singletons that every session on a worker needs: the worker's MediaHub and
// the configuration currently in force. Set by the actors that own them when they start.

import type { ActorRef, BlockPoolHandle } from '../runtime/index.ts';
import type { SluiceConfig } from '../config/types.ts';
import type { StreamSource } from './stream-source.ts';

let hub: ActorRef | null = null;
let config: SluiceConfig | null = null;

export function setLocalHub(ref: ActorRef): void {
  hub = ref;
}

export function localHub(): ActorRef {
  if (!hub) throw new Error('no MediaHub on this thread');
  return hub;
}

export function setLocalConfig(next: SluiceConfig): void {
  config = next;
}

export function localConfig(): SluiceConfig {
  if (!config) throw new Error('no configuration on this thread');
  return config;
}

// The process-wide pool of media blocks (created by the main thread).
let pool: BlockPoolHandle | null = null;

export function setLocalPool(handle: BlockPoolHandle): void {
  pool = handle;
}

export function localPool(): BlockPoolHandle {
  if (!pool) throw new Error('no media block pool on this thread');
  return pool;
}

// The StreamSources living on this thread: a reload reaches them, and their publisher's
// session (on the same thread) hands them media by a plain call.
const sources = new Map<number, { ref: ActorRef; source: StreamSource }>();

export function addLocalSource(ref: ActorRef, source: StreamSource): void {
  sources.set(ref.id, { ref, source });
}

export function removeLocalSource(ref: ActorRef): void {
  sources.delete(ref.id);
}

export function localSources(): ActorRef[] {
  return [...sources.values()].map((s) => s.ref);
}

/** The StreamSource object behind a ref of this thread, or null. */
export function localSourceObject(ref: ActorRef): StreamSource | null {
  const s = sources.get(ref.id);
  return s && s.ref.worker === ref.worker ? s.source : null;
}
