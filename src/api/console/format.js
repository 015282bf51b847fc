// Numbers as people read them.
export function kbps(n) {
  if (n === null || n === undefined) return '-';
  return n >= 10000 ? `${(n / 1000).toFixed(1)} Mbit/s` : `${Math.round(n)} kbit/s`;
}

export function kbytes(n) {
  if (n === null || n === undefined) return '-';
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} GB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} MB`;
  return `${n} KB`;
}

export function duration(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function percent(n) {
  return n === null || n === undefined ? '-' : `${Number(n).toFixed(1)}%`;
}

export function ms(n) {
  return n === null || n === undefined ? '-' : `${Number(n).toFixed(1)} ms`;
}
