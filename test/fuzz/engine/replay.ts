// Runs saved inputs through a target outside the fuzzer (no coverage, no worker), for
// the regression tests: each input must return or throw SluiceError, within the
// target's time limit and without a memory blow-up.
import { isSluiceError } from '../../../src/errors.ts';
import type { FuzzTarget } from '../targets/fuzz-target.ts';
import { errorSignature } from './protocol.ts';

export const REPLAY_MEMORY_LIMIT = 256 * 1024 * 1024;

export interface ReplayFailure {
  /** As the fuzzer names crashes (see errorSignature), to match open-bugs.json. */
  signature: string;
  detail: string;
}

/** Null when the input was handled properly, else what went wrong. */
export async function replayInput(target: FuzzTarget, input: Uint8Array): Promise<ReplayFailure | null> {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  try {
    const r = target.fuzz(Buffer.from(input.buffer, input.byteOffset, input.length));
    if (r !== undefined) await r;
  } catch (err) {
    if (!isSluiceError(err)) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { signature: errorSignature(e), detail: e.stack ?? e.message };
    }
  }
  const ms = performance.now() - t0;
  if (ms > (target.hangMs ?? 1000)) return { signature: `hang:${target.name}`, detail: `took ${ms.toFixed(0)} ms` };
  const grown = process.memoryUsage().arrayBuffers - before;
  if (grown > REPLAY_MEMORY_LIMIT) {
    return { signature: `memory:${target.name}`, detail: `${(grown / 1048576).toFixed(0)} MB of buffers for a ${input.length}-byte input` };
  }
  return null;
}
