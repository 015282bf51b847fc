// What one thread knows about actors on other threads that its own actors care about:
// children they spawned there and actors they watch there. When a peer worker dies, these
// tables are all the thread needs to report the loss by itself.
import type { RestartBudget } from './restart-budget.ts';
import type { ActorRef, SpawnOptions } from './types.ts';

/** A child that this thread's actor (or this thread's runtime, id 0) spawned elsewhere. */
export interface RemoteChild {
  supervisorId: number;
  kind: string;
  /** Kept only when the child may be spawned again. */
  args: unknown;
  opts: SpawnOptions;
  budget: RestartBudget | null;
}

export interface Respawn {
  rc: RemoteChild;
  previous: ActorRef;
}

export class RemoteLinks {
  private readonly children = new Map<number, Map<number, RemoteChild>>();
  /** worker -> remote actor id -> ids of local watchers */
  private readonly watches = new Map<number, Map<number, number[]>>();
  private readonly respawns = new Map<number, Respawn[]>();

  addChild(ref: ActorRef, rc: RemoteChild): void {
    let m = this.children.get(ref.worker);
    if (m === undefined) this.children.set(ref.worker, (m = new Map()));
    m.set(ref.id, rc);
  }

  deleteChild(ref: ActorRef): void {
    this.children.get(ref.worker)?.delete(ref.id);
  }

  takeChildren(worker: number): Map<number, RemoteChild> | undefined {
    const m = this.children.get(worker);
    this.children.delete(worker);
    return m;
  }

  addWatch(ref: ActorRef, watcherId: number): void {
    let m = this.watches.get(ref.worker);
    if (m === undefined) this.watches.set(ref.worker, (m = new Map()));
    const ids = m.get(ref.id);
    if (ids === undefined) m.set(ref.id, [watcherId]);
    else ids.push(watcherId);
  }

  deleteWatch(ref: ActorRef, watcherId: number): void {
    const m = this.watches.get(ref.worker);
    const ids = m?.get(ref.id);
    if (ids === undefined) return;
    const i = ids.indexOf(watcherId);
    if (i >= 0) ids.splice(i, 1);
    if (ids.length === 0) m!.delete(ref.id);
  }

  takeWatches(worker: number): Map<number, number[]> | undefined {
    const m = this.watches.get(worker);
    this.watches.delete(worker);
    return m;
  }

  queueRespawn(worker: number, r: Respawn): void {
    let list = this.respawns.get(worker);
    if (list === undefined) this.respawns.set(worker, (list = []));
    list.push(r);
  }

  takeRespawns(worker: number): Respawn[] | undefined {
    const list = this.respawns.get(worker);
    this.respawns.delete(worker);
    return list;
  }
}
