// The Prometheus text exposition format, version 0.0.4: metric families in, text out.
// Pure: the API server gathers the values, this only spells them. Written here rather
// than taken from prom-client because the server's numbers live in workers and are
// gathered on demand; a registry of live metric objects would have nothing to hold.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'untyped';

export interface MetricSample {
  /** Label names must match [a-zA-Z_][a-zA-Z0-9_]*; values are any string. */
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly MetricSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text escapes backslash and newline only. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values also escape the double quote. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Go's float spelling as Prometheus reads it: NaN, +Inf, -Inf, else the shortest decimal. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Readonly<Record<string, string>> | undefined, metric: string): string {
  if (!labels) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new TypeError(`invalid label name ${JSON.stringify(k)} on ${metric}`);
    parts.push(`${k}="${escapeLabelValue(v)}"`);
  }
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** The whole exposition: one HELP, one TYPE, then the samples of each family. */
export function writePrometheus(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  let out = '';
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new TypeError(`invalid metric name ${JSON.stringify(f.name)}`);
    if (seen.has(f.name)) throw new TypeError(`metric ${f.name} written twice`);
    seen.add(f.name);
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${formatLabels(s.labels, f.name)} ${formatValue(s.value)}\n`;
  }
  return out;
}
