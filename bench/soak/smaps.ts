// Where a process's resident memory sits, from /proc/PID/smaps: every mapping with its
// resident size, and the difference between two readings by kind of mapping, so growth can
// be told apart: V8 heap pages, glibc malloc arenas (64 MiB reservations a thread's
// allocations come from), the main [heap], files, stacks.
//   ./node_modules/.bin/node bench/soak/smaps.ts PID            one reading, by kind
//   ./node_modules/.bin/node bench/soak/smaps.ts A.json B.json  the difference of two saved readings

import { readFileSync, writeFileSync } from 'node:fs';

export interface Mapping {
  start: number;
  end: number;
  /** The path or [heap]/[stack]/..., '' for anonymous memory. */
  name: string;
  rssKiB: number;
}

const MIB = 1024 * 1024;
const ARENA_BYTES = 64 * MIB;

export function readMappings(pid: number): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | null = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = { start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), name: head[3]!, rssKiB: 0 };
      out.push(cur);
    } else if (cur && line.startsWith('Rss:')) {
      cur.rssKiB = Number(/(\d+)/.exec(line)![1]);
    }
  }
  return out;
}

/**
 * The kind of a mapping. An anonymous mapping inside a 64 MiB-aligned window that some
 * mapping of that window fills to 64 MiB, or that starts on such a boundary, is taken for a
 * glibc arena (V8 maps its pages at 256 KiB alignment, arenas at 64 MiB); other anonymous
 * memory is V8's (heap pages, code) or large native allocations.
 */
export function kindsOf(maps: Mapping[]): Map<Mapping, string> {
  const arenaWindows = new Set<number>();
  for (const m of maps) {
    if (m.name === '' && m.start % ARENA_BYTES === 0) arenaWindows.add(m.start);
  }
  const kinds = new Map<Mapping, string>();
  for (const m of maps) {
    let kind: string;
    if (m.name === '[heap]') kind = 'brk heap (main malloc arena)';
    else if (m.name.startsWith('[stack')) kind = 'stacks';
    else if (m.name.startsWith('/') || m.name.startsWith('[')) kind = m.name.includes('.so') || m.name.endsWith('/node') ? 'code and libraries' : `other named (${m.name.startsWith('/') ? 'files' : m.name})`;
    else if (arenaWindows.has(m.start - (m.start % ARENA_BYTES)) && m.end - (m.start - (m.start % ARENA_BYTES)) <= ARENA_BYTES) kind = 'malloc arenas of threads';
    else kind = 'anonymous: V8 heaps, SharedArrayBuffers, large allocations';
    kinds.set(m, kind);
  }
  return kinds;
}

export function byKind(maps: Mapping[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [m, kind] of kindsOf(maps)) sums[kind] = (sums[kind] ?? 0) + m.rssKiB;
  return sums;
}

function print(sums: Record<string, number>, label: string): void {
  console.log(label);
  for (const [k, v] of Object.entries(sums).sort((x, y) => y[1] - x[1])) console.log(`  ${(v / 1024).toFixed(1).padStart(8)} MB  ${k}`);
}

if (import.meta.main) {
  const [a, b] = process.argv.slice(2);
  if (a && b) {
    const before = byKind(JSON.parse(readFileSync(a, 'utf8')) as Mapping[]);
    const after = byKind(JSON.parse(readFileSync(b, 'utf8')) as Mapping[]);
    const diff: Record<string, number> = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) diff[k] = (after[k] ?? 0) - (before[k] ?? 0);
    print(before, `before: ${a}`);
    print(after, `after: ${b}`);
    print(diff, 'after - before');
  } else if (a) {
    const maps = readMappings(Number(a));
    const file = `/tmp/smaps-${a}-${Date.now()}.json`;
    writeFileSync(file, JSON.stringify(maps));
    print(byKind(maps), `pid ${a} (saved to ${file})`);
  } else {
    console.error('usage: smaps.ts PID | smaps.ts BEFORE.json AFTER.json');
    process.exit(2);
  }
}
