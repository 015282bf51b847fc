// The fuzz loop, run in a worker thread so the supervisor can stop a hung input
// (worker.terminate() interrupts even a tight loop) and cap its heap. The input being
// run is mirrored into shared memory before each execution, so it survives a kill.
import { parentPort, workerData } from 'node:worker_threads';
import { isSluiceError } from '../../../src/errors.ts';
import { loadTarget } from '../targets/index.ts';
import type { TargetName } from '../targets/index.ts';
import { CoverageMap } from './coverage.ts';
import { Mutator } from './mutator.ts';
import type { CrashKind, FuzzWorkerData, WorkerMessage } from './protocol.ts';
import { CTRL_EXECS, CTRL_INPUT_LEN, CTRL_PHASE, PHASE_DONE, PHASE_RUNNING, errorSignature } from './protocol.ts';

const data = workerData as FuzzWorkerData;
const port = parentPort!;
const ctrl = new Int32Array(data.control);
const mirror = new Uint8Array(data.input);
const send = (m: WorkerMessage): void => port.postMessage(m);

// Coverage first, then the code under test: V8 only counts blocks compiled after this.
const coverage = new CoverageMap();
const target = await loadTarget(data.target as TargetName);
coverage.setFilters(target.coverage);
const hangMs = target.hangMs ?? 1000;
const memLimit = data.memoryLimitMb * 1024 * 1024;
const dictionary = (target.dictionary ?? []).map((t) => (typeof t === 'string' ? new TextEncoder().encode(t) : t));
const mutator = new Mutator(data.seed, dictionary, target.maxLen);
const seen = new Set<string>();
let execs = 0;

await target.setup?.();
coverage.collect(false); // drop what setup ran

function crash(kind: CrashKind, input: Uint8Array, signature: string, detail: string): void {
  if (seen.has(signature)) return;
  seen.add(signature);
  send({ type: 'crash', kind, signature, detail, input: input.slice() });
}

/** Runs one input; returns false when it crashed. */
async function run(input: Uint8Array): Promise<boolean> {
  mirror.set(input.subarray(0, mirror.length));
  Atomics.store(ctrl, CTRL_INPUT_LEN, input.length);
  Atomics.add(ctrl, CTRL_EXECS, 1);
  execs++;
  const t0 = performance.now();
  try {
    const r = target.fuzz(Buffer.from(input.buffer, input.byteOffset, input.length));
    if (r !== undefined) await r;
  } catch (err) {
    if (!isSluiceError(err)) {
      const e = err instanceof Error ? err : new Error(String(err));
      crash('exception', input, errorSignature(e), e.stack ?? String(e));
      return false;
    }
  }
  const ms = performance.now() - t0;
  if (ms > hangMs) {
    crash('hang', input, `hang:${target.name}`, `one input took ${ms.toFixed(0)} ms (limit ${hangMs} ms)`);
    return false;
  }
  const mem = process.memoryUsage();
  if (mem.arrayBuffers + mem.heapUsed > memLimit) {
    const mb = ((mem.arrayBuffers + mem.heapUsed) / 1048576).toFixed(0);
    crash('memory', input, `memory:${target.name}`, `${mb} MB in use after a ${input.length}-byte input`);
    return false;
  }
  return true;
}

const corpus: Uint8Array[] = [];
for (const s of data.seeds) {
  await run(s);
  coverage.collect(true);
  corpus.push(s);
}
if (corpus.length === 0) corpus.push(new Uint8Array(0));
const seedCount = corpus.length;
Atomics.store(ctrl, CTRL_PHASE, PHASE_RUNNING);

const t0 = performance.now();
const deadline = t0 + data.seconds * 1000;
let lastReport = t0;
let added = 0;
while (performance.now() < deadline && (data.maxExecs === 0 || execs < data.maxExecs)) {
  const base = corpus[mutator.rng.below(corpus.length)]!;
  const other = corpus[mutator.rng.below(corpus.length)]!;
  const input = mutator.mutate(base, other);
  const ok = await run(input);
  const fresh = coverage.collect(false);
  if (ok && fresh > 0) {
    coverage.merge();
    corpus.push(input);
    added++;
    if (data.save) send({ type: 'new-input', input });
  }
  const now = performance.now();
  if (now - lastReport > 5000) {
    lastReport = now;
    send({ type: 'progress', execs, corpus: corpus.length, blocksCovered: coverage.blocksCovered });
  }
}
const seconds = (performance.now() - t0) / 1000;
Atomics.store(ctrl, CTRL_PHASE, PHASE_DONE);
await target.teardown?.();
const files = [...coverage.perFile()].map(([file, c]) => ({ file, ...c }));
coverage.stop();
send({
  type: 'done',
  stats: {
    target: target.name,
    execs,
    seconds,
    seeds: seedCount,
    corpus: corpus.length,
    added,
    blocksCovered: coverage.blocksCovered,
    blocksKnown: coverage.blocksKnown,
    features: coverage.featureCount,
    crashes: seen.size,
    files,
  },
});
