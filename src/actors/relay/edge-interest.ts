// The fan-out's side of an edge pull. On an edge vhost, a fan-out with players and no
// stream asks its MediaHub to spawn an Edge candidate (the directory elects one per
// server), follows the elected Edge through the directory, and tells it how many
// players it has: at once when the count changes, and on every idle check as a
// heartbeat, so the Edge knows when the last player of the server has left. On an origin
// of a cluster (`cluster.redis` set) every fan-out has one: a stream that is not here is
// pulled from the origin the cluster directory names.

import { DIRECTORY_REF, type ActorContext, type ActorRef } from '../../runtime/index.ts';
import type { SluiceConfig } from '../../config/types.ts';
import { resolveVhost } from '../worker/vhosts.ts';
import { edgeName, type EdgeArgs, type EdgeEntry } from './edge.ts';
import { clusterOn } from './cluster-names.ts';

/** Candidates are not spawned more often than this while none is elected. */
const SPAWN_INTERVAL_MS = 2000;

/** `vhost/app/stream` back into its parts (the stream is the last path segment). */
export function splitStreamKey(key: string): { vhost: string; app: string; stream: string } | null {
  const first = key.indexOf('/');
  const last = key.lastIndexOf('/');
  if (first <= 0 || last <= first || last === key.length - 1) return null;
  return { vhost: key.slice(0, first), app: key.slice(first + 1, last), stream: key.slice(last + 1) };
}

export class EdgeInterest {
  private readonly key: string;
  private readonly name: string;
  private readonly ctx: ActorContext;
  private edge: ActorRef | null = null;
  private lastSent = -1;
  private spawnedAt = 0;
  private readonly viaDirectory: boolean;

  /**
   * An interest for the fan-out of `key`, or null when there is nothing to pull from: its
   * vhost is not an edge and no cluster directory names other origins (with
   * `cluster.redis`, the Edge asks the directory where the stream lives, not an origin list).
   */
  static forKey(key: string, ctx: ActorContext, config: SluiceConfig): EdgeInterest | null {
    const parts = splitStreamKey(key);
    if (!parts) return null;
    const vhost = resolveVhost(config, parts.vhost);
    if (!vhost) return null;
    if (vhost.config.cluster.mode === 'remote') return vhost.config.cluster.origin.length > 0 ? new EdgeInterest(key, ctx, false) : null;
    return clusterOn(config) ? new EdgeInterest(key, ctx, true) : null;
  }

  private constructor(key: string, ctx: ActorContext, viaDirectory: boolean) {
    this.viaDirectory = viaDirectory;
    this.key = key;
    this.name = edgeName(key);
    this.ctx = ctx;
    ctx.tell(DIRECTORY_REF, { type: 'dir/subscribe', name: this.name, subscriber: ctx.self });
  }

  /** Handles the directory news about our edge name; false for other names. */
  onDirectory(msg: { type: 'dir/appeared' | 'dir/disappeared'; name: string; entry?: unknown }, players: number, hasStream: boolean): boolean {
    if (msg.name !== this.name) return false;
    if (msg.type === 'dir/appeared') {
      this.edge = (msg.entry as EdgeEntry).edge;
      this.lastSent = -1;
    } else {
      this.edge = null;
      this.spawnedAt = 0;
    }
    this.update(players, hasStream, true);
    return true;
  }

  /** The fan-out's player count changed, or a heartbeat (`force`). */
  update(players: number, hasStream: boolean, force = false): void {
    if (this.edge) {
      if (force || players !== this.lastSent) {
        this.lastSent = players;
        this.ctx.tell(this.edge, { type: 'edge/interest', from: this.ctx.self, players });
      }
      return;
    }
    // A local publisher (an edge publish) serves these players: nothing to pull.
    if (players === 0 || hasStream) return;
    const now = Date.now();
    if (now - this.spawnedAt < SPAWN_INTERVAL_MS || !this.ctx.parent) return;
    this.spawnedAt = now;
    const parts = splitStreamKey(this.key)!;
    const args: EdgeArgs = { key: this.key, ...parts, ...(this.viaDirectory ? { viaDirectory: true } : {}) };
    this.ctx.tell(this.ctx.parent, { type: 'hub/edge-pull', args });
  }

  stop(): void {
    if (this.edge) this.ctx.tell(this.edge, { type: 'edge/interest', from: this.ctx.self, players: 0 });
    this.ctx.tell(DIRECTORY_REF, { type: 'dir/unsubscribe', name: this.name, subscriber: this.ctx.self });
  }
}
