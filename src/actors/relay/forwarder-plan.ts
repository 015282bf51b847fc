// Which forwarders a new publish gets, decided by the publisher's session from its
// vhost: one per `forward.destination`, and on an edge vhost (`cluster.mode: remote`)
// one more that pushes the stream to the origins (SRS "edge publish"), trying the next
// origin when one fails. Nothing when the stream already made MAX_FORWARD_HOPS hops.

import type { VhostConfig } from '../../config/types.ts';
import { hopsOf, MAX_FORWARD_HOPS } from './rtmp-upstream.ts';

export interface ForwardTarget {
  /** Servers tried in turn ("host[:port]"); a forward destination has one. */
  hosts: string[];
  /** 'forward' (forward.destination) or 'edge' (an edge publish pushed to the origins). */
  role: 'forward' | 'edge';
}

export interface ForwardPlan {
  targets: ForwardTarget[];
  /** Hops the stream made before reaching this server (its `sluice_hops` parameter). */
  hops: number;
}

export type ForwardDecision =
  | { kind: 'none' }
  | { kind: 'forward'; plan: ForwardPlan }
  | { kind: 'hop-limit'; hops: number };

export function planForwards(vhost: Pick<VhostConfig, 'forward' | 'cluster'>, param: string): ForwardDecision {
  const targets: ForwardTarget[] = [];
  if (vhost.forward.enabled) {
    for (const dest of vhost.forward.destination) targets.push({ hosts: [dest], role: 'forward' });
  }
  if (vhost.cluster.mode === 'remote' && vhost.cluster.origin.length > 0) {
    targets.push({ hosts: [...vhost.cluster.origin], role: 'edge' });
  }
  if (targets.length === 0) return { kind: 'none' };
  const hops = hopsOf(param);
  if (hops >= MAX_FORWARD_HOPS) return { kind: 'hop-limit', hops };
  return { kind: 'forward', plan: { targets, hops } };
}

/** The plan for a publish, or undefined; a refusal for too many hops is logged once. */
export function forwardPlanFor(
  vhost: Pick<VhostConfig, 'forward' | 'cluster'>,
  param: string,
  stream: string,
  log: { warn(obj: object, msg: string): void },
): ForwardPlan | undefined {
  const d = planForwards(vhost, param);
  if (d.kind === 'hop-limit') {
    log.warn({ stream, hops: d.hops, limit: MAX_FORWARD_HOPS }, 'not forwarded: hop limit reached (forward loop?)');
  }
  return d.kind === 'forward' ? d.plan : undefined;
}
