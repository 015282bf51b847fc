// Rates over about 30 s from byte counters read now and then: each key keeps its
// samples of the last 30 s plus the newest one older than that. No sample 30 s old
// yet means the rate over what there is; a single sample means 0 (SRS also reads 0
// until its window fills).

const WINDOW_MS = 30_000;
const MIN_SPAN_MS = 1000;

interface Sample {
  t: number;
  bytes: number;
}

export class RateTracker {
  private readonly samples = new Map<string, Sample[]>();

  /** Records `bytes` for `key` at `now` and answers the rate in kbit/s. */
  kbps(key: string, bytes: number, now: number): number {
    let list = this.samples.get(key);
    if (!list) {
      list = [];
      this.samples.set(key, list);
    }
    const last = list[list.length - 1];
    if (!last || now - last.t >= MIN_SPAN_MS || bytes < last.bytes) {
      if (last && bytes < last.bytes) list.length = 0; // the counter restarted
      list.push({ t: now, bytes });
    }
    while (list.length > 2 && now - list[1]!.t >= WINDOW_MS) list.shift();
    const base = list[0]!;
    const span = now - base.t;
    if (span < MIN_SPAN_MS) return 0;
    return Math.max(0, Math.round(((bytes - base.bytes) * 8) / span));
  }

  /** Forgets keys that were not seen in the latest round. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.samples.keys()) if (!keys.has(k)) this.samples.delete(k);
  }
}
