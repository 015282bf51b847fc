// Per-thread singletons that every session on a worker needs: the worker's MediaHub and
// the configuration currently in force. Set by the actors that own them when they start.

import type { ActorRef } from '../runtime/index.ts';
import type { SluiceConfig } from '../config/types.ts';

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

// The StreamSources living on this thread, so a reload reaches them.
const sources = new Set<ActorRef>();

export function addLocalSource(ref: ActorRef): void {
  sources.add(ref);
}

export function removeLocalSource(ref: ActorRef): void {
  sources.delete(ref);
}

export function localSources(): ActorRef[] {
  return [...sources];
}
