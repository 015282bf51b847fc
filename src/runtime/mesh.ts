// The mesh: one MessagePort to every other live thread. It owns those ports and the spawns
// that wait for a peer's answer, turns each envelope that arrives into one call on its host
// (the thread's runtime, seen only through MeshHost), and tells the host when a peer comes
// or goes. It knows nothing of actors, mailboxes or supervision.
import type { MessagePort } from 'node:worker_threads';
import { SluiceError } from './errors.ts';
import type { ActorRef, SpawnOptions, SystemMessage } from './types.ts';
import { deserializeError, serializeError, type Envelope } from './wire.ts';

/** What the mesh asks of the thread it serves. Ids are of actors on that thread. */
export interface MeshHost {
  tellLocal(id: number, msg: unknown): void;
  askLocal(id: number, msg: unknown, askId: number, from: number): void;
  settleAsk(askId: number, ok: boolean, value: unknown): void;
  /** A peer spawns an actor here, supervised by `parent`: its id, or a throw. */
  spawnForPeer(kind: string, args: unknown, opts: SpawnOptions, parent: ActorRef): number;
  stopLocal(id: number, by: ActorRef): void;
  watchedBy(id: number, watcher: ActorRef): void;
  unwatchedBy(id: number, watcher: ActorRef): void;
  /** A system message from `from` for actor `to` here (0: the runtime itself). */
  systemFromPeer(from: number, to: number, msg: SystemMessage): void;
  /** A peer joined (or a dead one's successor did): what waited for it may go now. */
  peerUp(worker: number): void;
  /** A peer died: settle whatever waited on it. Its pending spawns are already rejected. */
  peerLost(worker: number): void;
}

/** What a spawn on a peer needs; the peer answers with the new actor's id. */
export interface SpawnRequest {
  kind: string;
  args: unknown;
  opts: SpawnOptions;
  /** Id of the supervisor on this thread (0: the runtime). */
  parent: number;
}

interface PendingSpawn {
  worker: number;
  resolve: (id: number) => void;
  reject: (err: unknown) => void;
}

export class Mesh {
  private readonly host: MeshHost;
  private readonly peers: (MessagePort | null)[] = [];
  private readonly spawns = new Map<number, PendingSpawn>();
  private nextReq = 1;
  private listening = false;

  constructor(host: MeshHost) {
    this.host = host;
  }

  /** Starts reading every port (after the thread's modules are imported). */
  start(): void {
    this.listening = true;
    for (let w = 0; w < this.peers.length; w++) {
      const p = this.peers[w];
      if (p) this.listen(w, p);
    }
  }

  add(worker: number, port: MessagePort): void {
    this.peers[worker] = port;
    if (this.listening) this.listen(worker, port);
    this.host.peerUp(worker);
  }

  has(worker: number): boolean {
    return !!this.peers[worker];
  }

  /** Posts to `worker`; false when there is no live port to it. Throws what postMessage throws. */
  send(worker: number, env: Envelope): boolean {
    const port = this.peers[worker];
    if (!port) return false;
    port.postMessage(env);
    return true;
  }

  /** Asks `worker` to spawn; false (and nothing pending) when there is no port to it. */
  spawn(worker: number, req: SpawnRequest, resolve: (id: number) => void, reject: (err: unknown) => void): boolean {
    const id = this.nextReq++;
    if (!this.send(worker, { k: 'spawn', req: id, kind: req.kind, args: req.args, opts: req.opts, parent: req.parent })) return false;
    this.spawns.set(id, { worker, resolve, reject });
    return true;
  }

  /** `worker` died: its port closes, spawns waiting on it fail, the host settles the rest. */
  down(worker: number): void {
    this.close(worker);
    this.rejectSpawns(worker, () => new SluiceError('WORKER_DIED', `worker ${worker}`));
    this.host.peerLost(worker);
  }

  /** Closes every port; spawns still waiting reject. */
  dispose(): void {
    this.rejectSpawns(null, () => new SluiceError('RUNTIME_STATE', 'shut down'));
    for (let w = 0; w < this.peers.length; w++) this.close(w);
  }

  private close(worker: number): void {
    const port = this.peers[worker];
    this.peers[worker] = null;
    if (!port) return;
    port.removeAllListeners('message');
    port.close();
  }

  private rejectSpawns(worker: number | null, error: () => Error): void {
    for (const [req, s] of this.spawns) {
      if (worker !== null && s.worker !== worker) continue;
      this.spawns.delete(req);
      s.reject(error());
    }
  }

  private listen(worker: number, port: MessagePort): void {
    port.on('message', (env: Envelope) => this.onEnvelope(worker, env));
  }

  private onEnvelope(from: number, env: Envelope): void {
    const host = this.host;
    switch (env.k) {
      case 'tell':
        host.tellLocal(env.to, env.m);
        return;
      case 'ask':
        host.askLocal(env.to, env.m, env.ask, from);
        return;
      case 'reply':
        if (env.ok) host.settleAsk(env.ask, true, env.v);
        else host.settleAsk(env.ask, false, deserializeError(env.e));
        return;
      case 'spawn': {
        let reply: Envelope;
        try {
          const id = host.spawnForPeer(env.kind, env.args, env.opts, { worker: from, id: env.parent });
          reply = { k: 'spawned', req: env.req, ok: true, id };
        } catch (err) {
          reply = { k: 'spawned', req: env.req, ok: false, e: serializeError(err) };
        }
        this.send(from, reply);
        return;
      }
      case 'spawned': {
        const p = this.spawns.get(env.req);
        if (p === undefined) return;
        this.spawns.delete(env.req);
        if (env.ok) p.resolve(env.id);
        else p.reject(deserializeError(env.e));
        return;
      }
      case 'stop':
        host.stopLocal(env.to, env.by);
        return;
      case 'watch':
        host.watchedBy(env.to, { worker: from, id: env.watcher });
        return;
      case 'unwatch':
        host.unwatchedBy(env.to, { worker: from, id: env.watcher });
        return;
      case 'sys':
        host.systemFromPeer(from, env.to, env.m);
        return;
      default:
        env satisfies never;
    }
  }
}
