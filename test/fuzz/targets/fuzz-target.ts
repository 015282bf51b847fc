// What a fuzz target is. `fuzz` must return normally or throw a SluiceError; anything
// else it throws (or a hang, or a memory blow-up) is a crash. A target that checks a
// property (a path stays inside its root) throws a plain Error when it does not hold.

export interface FuzzTarget {
  readonly name: string;
  readonly description: string;
  /** Substrings of script URLs whose blocks count as coverage (e.g. '/src/net/rtmp/'). */
  readonly coverage: readonly string[];
  /** Longest input the mutator makes, bytes. */
  readonly maxLen: number;
  /** Tokens the mutator inserts (magic numbers, keywords). */
  readonly dictionary?: readonly (string | Uint8Array)[];
  /** Milliseconds one input may take before it counts as a hang (default 1000). */
  readonly hangMs?: number;
  readonly setup?: () => Promise<void>;
  readonly teardown?: () => Promise<void>;
  readonly fuzz: (data: Buffer) => void | Promise<void>;
}

/** For properties: a plain Error, which the fuzzer counts as a crash. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`property violated: ${what}`);
}

/** Where input bytes are split in two pushes, derived from the first byte. */
export function splitPoint(data: Uint8Array): number {
  if (data.length < 2) return data.length;
  return Math.floor((data[0]! * data.length) / 256);
}
