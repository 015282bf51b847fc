// When an actor comes back: its restart policy, and OTP's restart intensity (at most `max`
// restarts within a sliding window of `withinMs`).
import { sameRef, type ActorRef, type RestartPolicy, type StopReason } from './types.ts';

/** Whether a stop calls for a restart; `by` null means the actor failed by itself. */
export function wantsRestart(policy: RestartPolicy, supervisor: ActorRef, reason: StopReason, by: ActorRef | null): boolean {
  switch (policy) {
    case 'temporary':
      return false;
    case 'transient':
      return reason === 'error';
    case 'permanent':
      // An explicit stop by its supervisor or a system is final; one by anybody else is not.
      return by === null || (by.id !== 0 && !sameRef(by, supervisor));
  }
}

export class RestartBudget {
  private readonly max: number;
  private readonly withinMs: number;
  private readonly stamps: number[] = [];

  constructor(max: number, withinMs: number) {
    this.max = max;
    this.withinMs = withinMs;
  }

  /** Consumes one restart if the budget allows it. */
  take(now: number = Date.now()): boolean {
    const from = now - this.withinMs;
    while (this.stamps.length > 0 && this.stamps[0]! <= from) this.stamps.shift();
    if (this.stamps.length >= this.max) return false;
    this.stamps.push(now);
    return true;
  }
}
