// Keeps V8's memory reducer working in this thread. The memory reducer is V8's own way of
// giving an idle heap back: a few seconds after the allocation rates it tracks all fall
// low, it runs two compacting GCs that unmap the free pages. One of those rates is the
// C++ (cppgc) heap's, and since V8 13.1 (Node 24) a thread that never allocates there
// reports exactly 0 B/ms, which the heuristic reads as the highest rate: the reducer then
// waits for its 100 s watchdog, which every ordinary major GC resets, so it rarely runs.
// Measured on the server: after 2,500 publish/unpublish cycles RSS stayed at 292 MB for
// 45 s of idle (242 MB at start). Node allocates on cppgc for each `vm.Script`; compiling
// a trivial one keeps that rate positive (it decays to exactly 0 about 110 s after the
// last allocation, hence the period), and the reducer runs a few seconds after load stops:
// the same churn fell from 283 MB to 211-242 MB within 3-9 s of idle. This is not a
// forced GC: V8 still decides when, and under load it does not run.
import { Script } from 'node:vm';

const NUDGE_PERIOD_MS = 30_000;
let nudging = false;

/** Idempotent per thread; the timer never keeps the thread alive. */
export function keepMemoryReducerWorking(): void {
  if (nudging) return;
  nudging = true;
  nudge();
  setInterval(nudge, NUDGE_PERIOD_MS).unref();
}

function nudge(): void {
  new Script('0');
}
