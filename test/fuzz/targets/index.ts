// The fuzz targets by name; each module exports `target`. Loaded lazily so the fuzzer
// can switch coverage on before any code under test is compiled.
import type { FuzzTarget } from './fuzz-target.ts';

export const TARGETS = [
  'rtmp-handshake',
  'chunk-reader',
  'amf',
  'flv-reader',
  'codec',
  'mp4-reader',
  'http-paths',
  'http-server',
  'config',
  'stream-token',
] as const;

export type TargetName = (typeof TARGETS)[number];

export function isTargetName(name: string): name is TargetName {
  return (TARGETS as readonly string[]).includes(name);
}

export async function loadTarget(name: TargetName): Promise<FuzzTarget> {
  const mod = (await import(`./${name}.ts`)) as { target: FuzzTarget };
  return mod.target;
}
