// Runs one target's fuzz loop in a worker and watches it: an input that stops the
// loop for `stallMs` is a hang (the worker is killed and the input read back from
// shared memory); a worker that dies (out of memory, uncaught error) is a crash too.
import { Worker } from 'node:worker_threads';
import type { CrashReport, FuzzStats, FuzzWorkerData, WorkerMessage } from './protocol.ts';
import { CTRL_EXECS, CTRL_INPUT_LEN, CTRL_PHASE, CTRL_WORDS, PHASE_RUNNING } from './protocol.ts';

export interface FuzzRunOptions {
  target: string;
  seconds: number;
  seeds: Uint8Array[];
  maxExecs?: number;
  seed?: number;
  /** Report inputs that reach new coverage (for --save). */
  save?: boolean;
  memoryLimitMb?: number;
  stallMs?: number;
  onProgress?: (m: { execs: number; corpus: number; blocksCovered: number }) => void;
}

export interface FuzzRunResult {
  stats: FuzzStats | null;
  crashes: CrashReport[];
  newInputs: Uint8Array[];
}

const MIRROR_BYTES = 1 << 20;

export function runFuzzTarget(opts: FuzzRunOptions): Promise<FuzzRunResult> {
  const control = new SharedArrayBuffer(CTRL_WORDS * 4);
  const input = new SharedArrayBuffer(MIRROR_BYTES);
  const ctrl = new Int32Array(control);
  const memoryLimitMb = opts.memoryLimitMb ?? 256;
  const data: FuzzWorkerData = {
    target: opts.target,
    seconds: opts.seconds,
    maxExecs: opts.maxExecs ?? 0,
    seed: opts.seed ?? (Date.now() & 0x7fffffff),
    seeds: opts.seeds,
    save: opts.save ?? false,
    memoryLimitMb,
    control,
    input,
  };
  const worker = new Worker(new URL('./fuzz-worker.ts', import.meta.url), {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb * 2 },
    stdout: false,
    stderr: false,
  });
  const result: FuzzRunResult = { stats: null, crashes: [], newInputs: [] };
  const current = (): Uint8Array =>
    new Uint8Array(input, 0, Math.min(Atomics.load(ctrl, CTRL_INPUT_LEN), MIRROR_BYTES)).slice();
  const stallMs = opts.stallMs ?? 10_000;

  return new Promise<FuzzRunResult>((resolve) => {
    let lastExecs = -1;
    let lastChange = Date.now();
    let killedForHang = false;
    const watchdog = setInterval(() => {
      const n = Atomics.load(ctrl, CTRL_EXECS);
      if (n !== lastExecs || Atomics.load(ctrl, CTRL_PHASE) !== PHASE_RUNNING) {
        lastExecs = n;
        lastChange = Date.now();
        return;
      }
      if (Date.now() - lastChange < stallMs) return;
      killedForHang = true;
      result.crashes.push({
        target: opts.target,
        kind: 'hang',
        signature: `stall:${opts.target}`,
        detail: `no progress for ${stallMs} ms; worker killed`,
        input: current(),
      });
      void worker.terminate();
    }, 250);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'crash') result.crashes.push({ target: opts.target, ...m });
      else if (m.type === 'new-input') result.newInputs.push(m.input);
      else if (m.type === 'progress') opts.onProgress?.(m);
      else if (m.type === 'done') {
        result.stats = m.stats;
        void worker.terminate(); // whatever the target left open, the run is over
      }
    });
    worker.on('error', (err: Error) => {
      if (killedForHang) return;
      result.crashes.push({
        target: opts.target,
        kind: (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'worker-died',
        signature: `worker:${err.name}:${err.message.split('\n')[0]}`,
        detail: err.stack ?? String(err),
        input: current(),
      });
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve(result);
    });
  });
}
