// Rules JSON Schema cannot state: names that must be unique within their list,
// because the server keys processes and output URLs on them; keys that one switch
// makes necessary (a token secret once auth is on).
import type { ValidatedConfig } from './types.ts';

function duplicates(names: readonly string[], path: string, what: string, key: string): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  names.forEach((name, i) => {
    if (seen.has(name)) lines.push(`config error: ${path}.${i}.${key}: duplicate ${what} "${name}"`);
    seen.add(name);
  });
  return lines;
}

export function semanticErrorLines(config: ValidatedConfig): string[] {
  const lines: string[] = [];
  for (const [name, vhost] of Object.entries(config.vhosts)) {
    const base = `vhosts.${name}`;
    if (vhost.auth.enabled && vhost.auth.secret === '') {
      lines.push(`config error: ${base}.auth.secret: must not be empty when auth.enabled is true`);
    }
    lines.push(...duplicates(vhost.transcode.engines.map((e) => e.name), `${base}.transcode.engines`, 'engine name', 'name'));
    lines.push(...duplicates(vhost.ingest.map((i) => i.id), `${base}.ingest`, 'ingest id', 'id'));
    vhost.ingest.forEach((ingest, i) => {
      lines.push(...duplicates(ingest.engines.map((e) => e.name), `${base}.ingest.${i}.engines`, 'engine name', 'name'));
    });
  }
  return lines;
}
