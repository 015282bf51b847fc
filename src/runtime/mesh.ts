// The mesh side of a thread runtime: what arrives on the ports from other threads, new
// peers, and the death of a peer (every waiting ask fails, every remote child and watched
// actor there is reported, permanent children are queued to be spawned on its successor).
import type { MessagePort } from 'node:worker_threads';
import { SluiceError } from './errors.ts';
import type { RemoteChild } from './remote-links.ts';
import { DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS, notFound, removeRef, type ThreadRuntime } from './thread-runtime.ts';
import { RestartBudget } from './restart-budget.ts';
import type { ActorRef, SystemMessage } from './types.ts';
import { deserializeError, serializeError, type Envelope } from './wire.ts';

export function addPeer(rt: ThreadRuntime, worker: number, port: MessagePort): void {
  rt.peers[worker] = port;
  if (rt.started) listen(rt, worker, port);
  const again = rt.links.takeRespawns(worker);
  if (again !== undefined) {
    for (const r of again) respawn(rt, worker, r.rc, r.previous);
  }
}

export function listen(rt: ThreadRuntime, worker: number, port: MessagePort): void {
  port.on('message', (env: Envelope) => onEnvelope(rt, worker, env));
}

export function peerDown(rt: ThreadRuntime, worker: number): void {
  const port = rt.peers[worker];
  rt.peers[worker] = null;
  if (port) {
    port.removeAllListeners('message');
    port.close();
  }
  for (const [id, a] of rt.asks) {
    if (a.worker === worker) rt.settleAsk(id, false, new SluiceError('WORKER_DIED', `worker ${worker}`));
  }
  for (const [req, s] of rt.spawns) {
    if (s.worker !== worker) continue;
    rt.spawns.delete(req);
    s.reject(new SluiceError('WORKER_DIED', `worker ${worker}`));
  }
  const kids = rt.links.takeChildren(worker);
  if (kids !== undefined) for (const [id, rc] of kids) childLost(rt, { worker, id }, rc);
  const watched = rt.links.takeWatches(worker);
  if (watched !== undefined) {
    for (const [id, watchers] of watched) {
      for (const w of watchers) rt.deliverSys(w, { type: 'sys/down', ref: { worker, id }, reason: 'worker-died' });
    }
  }
  for (const cell of [...rt.cells.values()]) {
    if (cell.watchers !== null) cell.watchers = cell.watchers.filter((r) => r.worker !== worker);
    // Orphans: a child never outlives its parent.
    if (cell.supervisor.worker === worker && !cell.stopped) rt.stopCell(cell, 'normal', cell.supervisor);
  }
}

function childLost(rt: ThreadRuntime, ref: ActorRef, rc: RemoteChild): void {
  const parent = rc.supervisorId === 0 ? null : rt.cells.get(rc.supervisorId);
  if (parent === undefined) return;
  if (parent !== null) removeRef(parent.remoteChildren, ref);
  const policy = rc.opts.restart ?? 'temporary';
  const wanted = !rt.shuttingDown && policy !== 'temporary';
  let again = false;
  if (wanted) {
    rc.budget ??= new RestartBudget(rc.opts.maxRestarts ?? DEFAULT_MAX_RESTARTS, rc.opts.withinMs ?? DEFAULT_RESTART_WINDOW_MS);
    again = rc.budget.take();
  }
  const msg: SystemMessage = { type: 'sys/child-stopped', child: ref, kind: rc.kind, reason: 'worker-died' };
  if (again) msg.restarting = true;
  else if (wanted) msg.escalated = true;
  rt.sendSys({ worker: rt.worker, id: rc.supervisorId }, msg);
  if (!again) return;
  rt.links.queueRespawn(ref.worker, { rc, previous: ref });
}

function respawn(rt: ThreadRuntime, worker: number, rc: RemoteChild, previous: ActorRef): void {
  if (rc.supervisorId !== 0 && !rt.cells.has(rc.supervisorId)) return;
  rt.spawnRemote(worker, rc).then(
    (child) => {
      rt.sendSys({ worker: rt.worker, id: rc.supervisorId }, { type: 'sys/child-restarted', child, previous, kind: rc.kind, reason: 'worker-died' });
    },
    (err: unknown) => {
      if (err instanceof SluiceError && err.code === 'WORKER_DIED' && !rt.shuttingDown && rc.budget!.take()) {
        rt.links.queueRespawn(worker, { rc, previous });
        return;
      }
      rt.logger.error({ err, kind: rc.kind, worker }, 'respawn after worker death failed');
      rt.sendSys({ worker: rt.worker, id: rc.supervisorId }, { type: 'sys/child-stopped', child: previous, kind: rc.kind, reason: 'worker-died', escalated: true });
    },
  );
}

function onEnvelope(rt: ThreadRuntime, from: number, env: Envelope): void {
  switch (env.k) {
    case 'tell': {
      const cell = rt.cells.get(env.to);
      if (cell === undefined || cell.stopped) rt.deadLetters++;
      else rt.enqueue(cell, env.m, 0, 0);
      return;
    }
    case 'ask': {
      const cell = rt.cells.get(env.to);
      if (cell === undefined || cell.stopped) rt.replyTo(from, env.ask, false, notFound({ worker: rt.worker, id: env.to }));
      else rt.enqueue(cell, env.m, env.ask, from);
      return;
    }
    case 'reply':
      if (env.ok) rt.settleAsk(env.ask, true, env.v);
      else rt.settleAsk(env.ask, false, deserializeError(env.e));
      return;
    case 'spawn': {
      let reply: Envelope;
      try {
        const cell = rt.spawnLocal(env.kind, env.args, env.opts, { worker: from, id: env.parent });
        reply = { k: 'spawned', req: env.req, ok: true, id: cell.self.id };
      } catch (err) {
        reply = { k: 'spawned', req: env.req, ok: false, e: serializeError(err) };
      }
      rt.peers[from]?.postMessage(reply);
      return;
    }
    case 'spawned': {
      const p = rt.spawns.get(env.req);
      if (p === undefined) return;
      rt.spawns.delete(env.req);
      if (env.ok) p.resolve(rt.spawned(from, p, env.id));
      else p.reject(deserializeError(env.e));
      return;
    }
    case 'stop':
      rt.stop({ worker: rt.worker, id: env.to }, env.by);
      return;
    case 'watch': {
      const target = rt.cells.get(env.to);
      const watcher = { worker: from, id: env.watcher };
      if (target === undefined || target.stopped) {
        rt.sendSys(watcher, { type: 'sys/down', ref: { worker: rt.worker, id: env.to }, reason: 'not-found' });
      } else (target.watchers ??= []).push(watcher);
      return;
    }
    case 'unwatch':
      removeRef(rt.cells.get(env.to)?.watchers, { worker: from, id: env.watcher });
      return;
    case 'sys':
      onRemoteSys(rt, from, env.to, env.m);
      return;
    default:
      env satisfies never;
  }
}

function onRemoteSys(rt: ThreadRuntime, from: number, to: number, msg: SystemMessage): void {
  if (msg.type === 'sys/child-stopped') {
    rt.links.deleteChild(msg.child);
    if (to !== 0) removeRef(rt.cells.get(to)?.remoteChildren, msg.child);
  } else if (msg.type === 'sys/down') {
    rt.links.deleteWatch(msg.ref, to);
  }
  if (to === 0) rt.onSystemMessage(msg);
  else rt.deliverSys(to, msg);
}
