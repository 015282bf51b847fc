// Rules JSON Schema cannot state: names that must be unique within their list,
// because the server keys processes and output URLs on them; one port per listener,
// because the workers listen with SO_REUSEPORT: two listeners on one port would share
// its connections at random (RTMP bytes reaching the HTTP server); and keys that one
// switch makes necessary (a token secret once auth is on).
import type { RawListen, ValidatedConfig } from './types.ts';
import { normalizeListen, ANY_HOST } from './normalize.ts';

function duplicates(names: readonly string[], path: string, what: string, key: string): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  names.forEach((name, i) => {
    if (seen.has(name)) lines.push(`config error: ${path}.${i}.${key}: duplicate ${what} "${name}"`);
    seen.add(name);
  });
  return lines;
}

const WILDCARDS = new Set([ANY_HOST, '::']);

function sharedPorts(config: ValidatedConfig): string[] {
  const all: { key: string; host: string; port: number }[] = [];
  const add = (key: string, raw: RawListen) => {
    normalizeListen(raw).forEach((a, i) => all.push({ key: Array.isArray(raw) ? `${key}.${i}` : key, ...a }));
  };
  add('listen', config.listen);
  if (config.rtmps.enabled) add('rtmps.listen', config.rtmps.listen);
  if (config.http_server.enabled) add('http_server.listen', config.http_server.listen);
  if (config.http_api.enabled) add('http_api.listen', config.http_api.listen);
  const lines: string[] = [];
  all.forEach((a, i) => {
    const first = all.slice(0, i).find((b) => b.port === a.port && (b.host === a.host || WILDCARDS.has(a.host) || WILDCARDS.has(b.host)));
    if (first) lines.push(`config error: ${a.key}: port ${a.port} is already in ${first.key}`);
  });
  return lines;
}

export function semanticErrorLines(config: ValidatedConfig): string[] {
  const lines: string[] = sharedPorts(config);
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
