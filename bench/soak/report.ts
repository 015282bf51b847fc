// The soak's verdict and its printout: baseline (after warm-up, no clients), peak and
// end of RSS and fds, whether both came back, whether the server stayed up.

import type { Sample } from './sampler.ts';
import type { LogScan } from './log-scan.ts';

export interface Verdict {
  baseline: Sample;
  peak: { rssKiB: number; fds: number; apiClients: number | null; threads: number };
  end: Sample;
  rssGrowthMB: number;
  fdDelta: number;
  rssOk: boolean;
  fdsOk: boolean;
  stayedUp: boolean;
  pass: boolean;
}

export const FD_TOLERANCE = 5;
export const RSS_TOLERANCE_MB = 30;

export function verdict(baseline: Sample, during: Sample[], end: Sample, stayedUp: boolean): Verdict {
  const all = [...during, end];
  const peak = {
    rssKiB: Math.max(...all.map((s) => s.rssKiB)),
    fds: Math.max(...all.map((s) => s.fds)),
    apiClients: all.some((s) => s.apiClients !== null) ? Math.max(...all.map((s) => s.apiClients ?? 0)) : null,
    threads: Math.max(...all.map((s) => s.threads)),
  };
  const rssGrowthMB = (end.rssKiB - baseline.rssKiB) / 1024;
  const fdDelta = end.fds - baseline.fds;
  const rssOk = rssGrowthMB <= RSS_TOLERANCE_MB;
  const fdsOk = Math.abs(fdDelta) <= FD_TOLERANCE;
  return { baseline, peak, end, rssGrowthMB, fdDelta, rssOk, fdsOk, stayedUp, pass: rssOk && fdsOk && stayedUp };
}

const mb = (kib: number): string => `${(kib / 1024).toFixed(1)} MB`;

export function printReport(v: Verdict, counts: Record<string, number>, log: LogScan, print: (s: string) => void): void {
  print('');
  print('                 RSS        fds   threads  API clients');
  print(`start (warm)  ${mb(v.baseline.rssKiB).padStart(9)}  ${String(v.baseline.fds).padStart(6)}  ${String(v.baseline.threads).padStart(7)}  ${v.baseline.apiClients ?? '-'}`);
  print(`peak          ${mb(v.peak.rssKiB).padStart(9)}  ${String(v.peak.fds).padStart(6)}  ${String(v.peak.threads).padStart(7)}  ${v.peak.apiClients ?? '-'}`);
  print(`end           ${mb(v.end.rssKiB).padStart(9)}  ${String(v.end.fds).padStart(6)}  ${String(v.end.threads).padStart(7)}  ${v.end.apiClients ?? '-'}`);
  print('');
  print(`RSS end - start: ${v.rssGrowthMB.toFixed(1)} MB (allowed +${RSS_TOLERANCE_MB} MB): ${v.rssOk ? 'ok' : 'NOT BACK'}`);
  print(`fds end - start: ${v.fdDelta} (allowed +-${FD_TOLERANCE}): ${v.fdsOk ? 'ok' : 'NOT BACK'}`);
  print(`server stayed up: ${v.stayedUp ? 'yes' : 'NO'}`);
  print('');
  print('clients cycled:');
  for (const [k, n] of Object.entries(counts).sort()) if (!k.includes(': ')) print(`  ${k.padEnd(48)} ${n}`);
  const failures = Object.entries(counts).filter(([k]) => k.includes(': '));
  if (failures.length) {
    print('client-side failures by reason:');
    for (const [k, n] of failures.sort()) print(`  ${k.padEnd(70)} ${n}`);
  }
  print('');
  print(`server log: ${log.lines} lines; error/fatal: ${Object.values(log.errorByMsg).reduce((a, b) => a + b, 0)}; not JSON: ${log.otherCount}`);
  for (const [k, n] of Object.entries(log.errorByMsg)) print(`  ERROR ${k} x${n}`);
  for (const l of log.other.slice(0, 10)) print(`  OTHER ${l}`);
  print('warn lines by message:');
  for (const [k, n] of Object.entries(log.warnByMsg).sort((a, b) => b[1] - a[1])) print(`  ${String(n).padStart(6)}  ${k}`);
  print('');
  print(`VERDICT: ${v.pass ? 'PASS' : 'FAIL'}`);
}
