// What the fuzz worker and its supervisor share: the worker's start data, the layout
// of the shared control words, and the messages the worker sends.

export interface FuzzWorkerData {
  target: string;
  seconds: number;
  /** 0 for no limit. */
  maxExecs: number;
  seed: number;
  seeds: Uint8Array[];
  save: boolean;
  memoryLimitMb: number;
  /** Int32Array words: CTRL_*. */
  control: SharedArrayBuffer;
  /** The input being run, mirrored before each execution. */
  input: SharedArrayBuffer;
}

export const CTRL_EXECS = 0;
export const CTRL_INPUT_LEN = 1;
export const CTRL_PHASE = 2;
export const CTRL_WORDS = 3;
export const PHASE_SETUP = 0;
export const PHASE_RUNNING = 1;
export const PHASE_DONE = 2;

export type CrashKind = 'exception' | 'hang' | 'memory' | 'worker-died';

export interface FileCoverage {
  file: string;
  covered: number;
  known: number;
}

export interface FuzzStats {
  target: string;
  execs: number;
  seconds: number;
  seeds: number;
  corpus: number;
  /** Inputs kept during this run for reaching new features. */
  added: number;
  /** Blocks (V8 block-coverage ranges) run at least once, of those seen in matching scripts. */
  blocksCovered: number;
  blocksKnown: number;
  /** Block x hit-count-bucket pairs. */
  features: number;
  /** Distinct crash signatures. */
  crashes: number;
  files: FileCoverage[];
}

export interface CrashReport {
  target: string;
  kind: CrashKind;
  signature: string;
  detail: string;
  input: Uint8Array;
}

export type WorkerMessage =
  | { type: 'crash'; kind: CrashKind; signature: string; detail: string; input: Uint8Array }
  | { type: 'new-input'; input: Uint8Array }
  | { type: 'progress'; execs: number; corpus: number; blocksCovered: number }
  | { type: 'done'; stats: FuzzStats };

/** Same bug, same signature: the error's name and the first frame in our own code. */
export function errorSignature(err: Error): string {
  const frames = (err.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at '));
  const ours = frames.find((l) => l.includes('/src/')) ?? frames[0] ?? '';
  const where = ours.replace(/^.*\/(src\/[^)]*)\)?$/, '$1').replace(/^\s*at\s+/, '');
  const code = (err as { code?: unknown }).code;
  return `${err.name}${typeof code === 'string' ? `[${code}]` : ''}: ${where}`;
}
