// What a reload changes, so the server touches only that: rebinding a listener, a new
// log level, or new settings for the sessions of one vhost. Everything else keeps
// running untouched: a reload drops no connection it does not concern.
import { isDeepStrictEqual } from 'node:util';
import type { SluiceConfig, VhostConfig } from './types.ts';

export interface VhostChange {
  name: string;
  /** Top-level vhost keys that differ, e.g. 'hls', 'http_hooks', 'forward', 'ingest'. */
  keys: (keyof VhostConfig)[];
}

export interface ConfigDiff {
  listenChanged: boolean;
  httpServerChanged: boolean;
  httpApiChanged: boolean;
  rtmpsChanged: boolean;
  logLevelChanged: boolean;
  workersChanged: boolean;
  /** Every top-level key that differs ('listen', 'chunk_size', 'vhosts', ...). */
  topKeysChanged: (keyof SluiceConfig)[];
  vhostsAdded: string[];
  vhostsRemoved: string[];
  vhostsChanged: VhostChange[];
}

function changedKeys<T extends object>(a: T, b: T): (keyof T)[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof T)[]);
  return [...keys].filter((k) => !isDeepStrictEqual(a[k], b[k]));
}

export function diffConfig(old: SluiceConfig, next: SluiceConfig): ConfigDiff {
  const oldNames = Object.keys(old.vhosts);
  const nextNames = Object.keys(next.vhosts);
  const vhostsChanged: VhostChange[] = [];
  for (const name of nextNames) {
    const before = old.vhosts[name];
    if (!before) continue;
    const keys = changedKeys(before, next.vhosts[name]!);
    if (keys.length > 0) vhostsChanged.push({ name, keys });
  }
  return {
    listenChanged: !isDeepStrictEqual(old.listen, next.listen),
    httpServerChanged: !isDeepStrictEqual(old.http_server, next.http_server),
    httpApiChanged: !isDeepStrictEqual(old.http_api, next.http_api),
    rtmpsChanged: !isDeepStrictEqual(old.rtmps, next.rtmps),
    logLevelChanged: old.log.level !== next.log.level,
    workersChanged: old.workers !== next.workers,
    topKeysChanged: changedKeys(old, next),
    vhostsAdded: nextNames.filter((n) => !(n in old.vhosts)),
    vhostsRemoved: oldNames.filter((n) => !(n in next.vhosts)),
    vhostsChanged,
  };
}
