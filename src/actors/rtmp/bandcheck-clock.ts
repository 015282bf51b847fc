// One bandwidth-test interval for the whole server, as SRS has it (one `last_check_time`
// for the process, whatever the client): the time the last test began, in one BigInt64
// of a SharedArrayBuffer that the main thread hands every worker, claimed with a
// compare-and-swap so two tests starting on two workers in the same instant cannot
// both pass.

export function createBandcheckClock(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

export class BandcheckClock {
  private readonly clock: BigInt64Array;

  /** Without a shared buffer the interval holds for this thread only. */
  constructor(shared: SharedArrayBuffer = createBandcheckClock()) {
    this.clock = new BigInt64Array(shared);
  }

  /**
   * Claims a test starting at `now` (ms), or refuses it when the server's last test
   * began less than `intervalMs` before: null when claimed, else the ms since that test.
   */
  claim(now: number, intervalMs: number): number | null {
    const clock = this.clock;
    for (;;) {
      const last = Atomics.load(clock, 0);
      const since = now - Number(last);
      if (last > 0n && since < intervalMs) return Math.max(0, since);
      if (Atomics.compareExchange(clock, 0, last, BigInt(now)) === last) return null;
    }
  }
}
