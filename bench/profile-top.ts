// `node bench/profile-top.ts FILE.cpuprofile [N]`: the top N functions of a V8 CPU
// profile (from `node --cpu-prof`) by self time, and the share of time by source area.

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function topFunctions(p: Profile): { total: number; rows: { name: string; ms: number; pct: number }[]; areas: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    if (!n) continue;
    total += dt;
    const f = n.callFrame;
    const file = f.url.replace(/^file:\/\/\/work\/main\//, '').replace(/^node:/, 'node:');
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    const area = f.url === '' ? f.functionName : f.url.startsWith('node:') ? 'node: internals' : /\/src\//.test(f.url) ? file.split('/').slice(0, 3).join('/') : file;
    areas.set(area, (areas.get(area) ?? 0) + dt);
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms, pct: (100 * ms) / total }));
  return { total, rows, areas };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  const n = Number(process.argv[3] ?? 25);
  const { total, rows, areas } = topFunctions(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  console.log(`${file}: ${total.toFixed(0)} ms sampled`);
  for (const r of rows.slice(0, n)) console.log(`${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
  console.log('\nby area:');
  for (const [a, ms] of [...areas.entries()].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(`${((100 * ms) / total).toFixed(1).padStart(5)}%  ${a}`);
}
