// Aligned text tables for people: a header row, then one row per item; numbers are
// right-aligned so their digits line up, everything else left-aligned. Pure.

export interface Column<T> {
  title: string;
  value(row: T): string | number;
  /** Right-align (sizes, rates); columns of plain numbers are right-aligned anyway. */
  right?: boolean;
}

export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const numeric = columns.map((c, i) => c.right === true || (cells.length > 0 && cells.every((row) => typeof row[i] === 'number')));
  const text = cells.map((row) => row.map(String));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...text.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), ...text.map(line)].join('\n') + '\n';
}

/** `key: value` lines with the values aligned, for one object (summaries). */
export function formatPairs(pairs: readonly [string, string | number][]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v}`).join('\n') + '\n';
}

/** 1536 -> "1.5 KiB": sizes a person reads at a glance. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Seconds -> "3d 4h", "2h 5m", "7m 12s", "42s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
