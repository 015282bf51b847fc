// OTP's restart intensity: at most `max` restarts within a sliding window of `withinMs`.
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
