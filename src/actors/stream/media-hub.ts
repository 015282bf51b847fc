// MediaHub: one per worker, the way local players find the fan-out of a stream on their
// worker (one per stream and worker). Fan-outs are its children; it alone decides when
// an idle one stops, so an attach can never reach a fan-out that is on its way out.

import { registerActor, type Actor, type ActorContext, type ActorRef } from '../../runtime/index.ts';
import type { MediaSink } from './media-sink.ts';
import type { FanoutArgs } from './stream-fanout.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import type { EdgeArgs } from '../relay/edge.ts';

export type HubMsg =
  | { type: 'hub/attach'; key: string; sink: MediaSink; mwLatencyMs: number; queueMs: number }
  | { type: 'hub/idle'; key: string; attaches: number }
  | { type: 'hub/fanouts' }
  /** A fan-out on an edge vhost wants the stream pulled (edge-interest.ts). */
  | { type: 'hub/edge-pull'; args: EdgeArgs }
  | { type: 'sys/child-stopped'; child: ActorRef };

interface FanoutSlot {
  ref: ActorRef;
  attaches: number;
}

export interface HubArgs {
  services: WorkerServices;
}

export class MediaHub implements Actor {
  private readonly fanouts = new Map<string, FanoutSlot>();
  private readonly services: WorkerServices;

  constructor(args: HubArgs) {
    this.services = args.services;
  }

  receive(msg: HubMsg, ctx: ActorContext): unknown {
    switch (msg.type) {
      case 'hub/attach': {
        let slot = this.fanouts.get(msg.key);
        if (!slot) {
          const args: FanoutArgs = { key: msg.key, mwLatencyMs: msg.mwLatencyMs, queueMs: msg.queueMs, config: this.services.config };
          slot = { ref: ctx.spawn('media/fanout', args), attaches: 0 };
          this.fanouts.set(msg.key, slot);
        }
        slot.attaches++;
        ctx.tell(slot.ref, { type: 'fanout/attach', sink: msg.sink });
        return slot.ref;
      }
      case 'hub/idle': {
        const slot = this.fanouts.get(msg.key);
        if (slot && slot.attaches === msg.attaches) {
          this.fanouts.delete(msg.key);
          ctx.stop(slot.ref);
        }
        return undefined;
      }
      case 'hub/edge-pull':
        // A candidate: the directory elects one per server, the others stop at once.
        ctx.spawn('edge/pull', { ...msg.args, services: this.services });
        return undefined;
      case 'hub/fanouts':
        return [...this.fanouts.entries()].map(([key, s]) => ({ key, ref: s.ref }));
      case 'sys/child-stopped':
        for (const [key, slot] of this.fanouts) {
          if (slot.ref.id === msg.child.id && slot.ref.worker === msg.child.worker) this.fanouts.delete(key);
        }
        return undefined;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }
}

registerActor('media/hub', (args: HubArgs) => new MediaHub(args));
