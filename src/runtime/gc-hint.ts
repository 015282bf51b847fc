// Asking this thread for a full garbage collection soon, after it let go of large
// shared memory. A SharedArrayBuffer is freed only when every thread that held it has
// collected its last reference, and V8 does not count shared backing stores as heap
// pressure: a quiet thread may keep megabytes of dead buffers for minutes (the soak run
// in bench/README.md grew by hundreds of MB that a forced GC gave back). Requests are
// coalesced: at most one collection per MIN_INTERVAL_MS, a little after the request.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const DELAY_MS = 1000;
const MIN_INTERVAL_MS = 5000;

let collect: (() => void) | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let last = 0;

function collector(): () => void {
  if (!collect) {
    // --expose-gc can be turned on late; a fresh context then sees `gc`.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}

/** Requests a full collection of this thread's heap, soon and at most every few seconds. */
export function requestCollection(): void {
  if (timer) return;
  const wait = Math.max(DELAY_MS, last + MIN_INTERVAL_MS - Date.now());
  timer = setTimeout(() => {
    timer = null;
    last = Date.now();
    collector()();
  }, wait);
  timer.unref();
}
