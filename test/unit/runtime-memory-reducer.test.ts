// keepMemoryReducerWorking: a thread that allocated a burst and then idles gets its heap
// back from V8 itself, with no forced GC. Each case runs in a fresh Node process (the heap
// state of this test process would blur it): ~100 MB of objects are made and dropped, then
// the process idles and watches its own committed heap (heapTotal). With the nudge the
// memory reducer compacts it within a few of its 8 s ticks. Without it, Node 24's V8 never
// sees a low allocation rate (the C++ heap's rate is exactly 0) and only its 100 s
// watchdog would, so a bound well under 100 s tells the two apart (measured: 8.5 s with
// the nudge; without it 87.6 MB were still committed after 40 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { NODE } from '../helpers/server.ts';

const MODULE = new URL('../../src/runtime/memory-reducer.ts', import.meta.url).href;
const IDLE_BOUND_MS = 40_000;

const BURST_THEN_IDLE = `
    const { keepMemoryReducerWorking } = await import(${JSON.stringify(MODULE)});
    keepMemoryReducerWorking();
    let keep = [];
    for (let i = 0; i < 400; i++) {
      keep.push(Array.from({ length: 2500 }, (_, j) => ({ i, j, s: 'x' + j })));
      if (keep.length > 40) keep.shift();
    }
    keep = null;
    const peak = process.memoryUsage().heapTotal;
    const from = Date.now();
    const timer = setInterval(() => {
      const now = process.memoryUsage().heapTotal;
      if (now < peak / 2 || Date.now() - from > ${IDLE_BOUND_MS}) {
        clearInterval(timer);
        console.log(JSON.stringify({ peak, now, ms: Date.now() - from }));
      }
    }, 500);
  `;

function run(script: string): Promise<{ peak: number; now: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`child exited with ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

test('an idle thread gets a burst of heap back from V8 (no forced GC)', { timeout: 60_000 }, async (t) => {
  const r = await run(BURST_THEN_IDLE);
  t.diagnostic(`heapTotal ${(r.peak / 1e6).toFixed(1)} MB after the burst, ${(r.now / 1e6).toFixed(1)} MB after ${r.ms} ms idle`);
  assert.ok(r.peak > 60e6, `the burst grew the heap (${r.peak})`);
  assert.ok(r.now < r.peak / 2, `heapTotal still ${(r.now / 1e6).toFixed(1)} MB of ${(r.peak / 1e6).toFixed(1)} after ${r.ms} ms idle`);
});
