// Coverage feedback from V8's own block counters (the inspector's precise coverage),
// so the code under test needs no instrumentation and runs as it ships. After each
// execution the counters are taken (which resets them) and every block that ran is
// turned into features: the block itself, and the bucket of how often it ran (as
// libFuzzer's 8-bit counters), so a loop running a new number of times also counts.
import { Session } from 'node:inspector';

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  ranges: CoverageRange[];
}
interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: FunctionCoverage[];
}

/** Bit for a hit count: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
function bucketBit(count: number): number {
  if (count <= 3) return 1 << (count - 1);
  if (count < 8) return 8;
  if (count < 16) return 16;
  if (count < 32) return 32;
  if (count < 128) return 64;
  return 128;
}

/** The count of the smallest reported range that holds [start, end). */
function innermostCount(ranges: readonly CoverageRange[], start: number, end: number): number {
  let best = -1;
  let span = Infinity;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.startOffset <= start && r.endOffset >= end && r.endOffset - r.startOffset < span) {
      span = r.endOffset - r.startOffset;
      best = r.count;
    }
  }
  return best < 0 ? 0 : best;
}

export class CoverageMap {
  /** Every block seen in a matching script, run or not, keyed "url@start-end", with its count-bucket bits. */
  private readonly blocks = new Map<string, number>();
  private readonly session = new Session();
  private filters: readonly string[] = [];
  private readonly wanted = new Map<string, string | null>();
  /** Per function ("url@start"): every block ever reported in it. */
  private readonly fnBlocks = new Map<string, [number, number, string][]>();
  private covered = 0;
  private features = 0;
  /** New features found by the last collect(), not yet merged. */
  private readonly pending: [string, number][] = [];

  /** Must be made before the code under test is loaded: V8 counts blocks from compile time. */
  constructor() {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /** Which scripts count; may be set after loading, as counting starts at construction. */
  setFilters(filters: readonly string[]): void {
    this.filters = filters;
    this.wanted.clear();
  }

  get blocksCovered(): number {
    return this.covered;
  }

  get blocksKnown(): number {
    return this.blocks.size;
  }

  get featureCount(): number {
    return this.features;
  }

  /**
   * Takes the counters since the last call and returns how many features they add.
   * With `merge`, they are added at once; otherwise call merge() to keep them.
   *
   * V8 leaves out a block that ran as often as its parent (and merges equal
   * neighbours), so a block's count is that of the innermost reported range holding
   * its start: every block ever reported in a function is looked up that way, or a
   * branch taken for the first time in a function run once would go unseen.
   */
  collect(merge: boolean): number {
    this.pending.length = 0;
    const scripts = this.take();
    for (const script of scripts) {
      let url = this.wanted.get(script.scriptId);
      if (url === undefined) {
        url = this.filters.some((f) => script.url.includes(f)) ? script.url : null;
        this.wanted.set(script.scriptId, url);
      }
      if (url === null) continue;
      for (const fn of script.functions) {
        const ranges = fn.ranges;
        if (ranges.length === 0) continue;
        const fnKey = `${url}@${ranges[0]!.startOffset}`;
        let known = this.fnBlocks.get(fnKey);
        if (known === undefined) {
          known = [];
          this.fnBlocks.set(fnKey, known);
        }
        for (const r of ranges) {
          const key = `${url}@${r.startOffset}-${r.endOffset}`;
          if (!this.blocks.has(key)) {
            this.blocks.set(key, 0);
            known.push([r.startOffset, r.endOffset, key]);
          }
        }
        for (const [start, end, key] of known) {
          const count = innermostCount(ranges, start, end);
          if (count === 0) continue;
          const bit = bucketBit(count);
          if (((this.blocks.get(key) ?? 0) & bit) === 0) this.pending.push([key, bit]);
        }
      }
    }
    const added = this.pending.length;
    if (merge) this.merge();
    return added;
  }

  /** Keeps the features of the last collect(). */
  merge(): void {
    for (const [key, bit] of this.pending) {
      const seen = this.blocks.get(key) ?? 0;
      if ((seen & bit) !== 0) continue;
      if (seen === 0) this.covered++;
      this.blocks.set(key, seen | bit);
      this.features++;
    }
    this.pending.length = 0;
  }

  /** Per script file: blocks covered of blocks seen. */
  perFile(): Map<string, { covered: number; known: number }> {
    const out = new Map<string, { covered: number; known: number }>();
    for (const [key, bits] of this.blocks) {
      const file = key.slice(0, key.lastIndexOf('@'));
      const e = out.get(file) ?? { covered: 0, known: 0 };
      e.known++;
      if (bits !== 0) e.covered++;
      out.set(file, e);
    }
    return out;
  }

  stop(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }

  private take(): ScriptCoverage[] {
    return (this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] }).result;
  }

  // A session connected in the same thread answers synchronously.
  private post(method: string, params?: object): unknown {
    let result: unknown;
    let error: Error | null = null;
    this.session.post(method, params ?? {}, (err, res) => {
      error = err;
      result = res;
    });
    if (error) throw error;
    return result;
  }
}
