// After validation: turn the forms a user may write into the one form the server
// uses. Paths are left relative on purpose: like SRS, they resolve against the
// working directory the server was started in.
import { availableParallelism, totalmem } from 'node:os';
import { SluiceError } from '../errors.ts';
import { parseHostPort } from './formats.ts';
import type { ListenAddress, RawListen, SluiceConfig, ValidatedConfig } from './types.ts';

/** Host used when the config gives a bare port: every IPv4 interface, as SRS does. */
export const ANY_HOST = '0.0.0.0';
export const MAX_WORKERS = 256;

function toAddress(item: number | string): ListenAddress {
  if (typeof item === 'number') return { host: ANY_HOST, port: item };
  const parsed = parseHostPort(item);
  // The schema accepted it, so this only fires if the two ever drift apart.
  if (!parsed || parsed.port === undefined) throw new SluiceError('CONF_INVALID', `bad listen address ${item}`);
  return { host: parsed.host, port: parsed.port };
}

export function normalizeListen(raw: RawListen): ListenAddress[] {
  return (Array.isArray(raw) ? raw : [raw]).map(toAddress);
}

export function resolveWorkers(raw: 'auto' | number, cpus = availableParallelism()): number {
  if (raw !== 'auto') return raw;
  return Math.max(1, Math.min(MAX_WORKERS, cpus));
}

/** `auto` is a quarter of the machine's memory, whole blocks. */
export function resolveMaxMemory(raw: 'auto' | number, blockSize: number, total = totalmem()): number {
  const bytes = raw === 'auto' ? Math.floor(total / 4) : raw;
  return Math.max(2, Math.floor(bytes / blockSize)) * blockSize;
}

export function normalizeConfig(raw: ValidatedConfig, opts: { cpus?: number } = {}): SluiceConfig {
  return {
    ...raw,
    listen: normalizeListen(raw.listen),
    workers: resolveWorkers(raw.workers, opts.cpus),
    media: { block_size: raw.media.block_size, max_memory: resolveMaxMemory(raw.media.max_memory, raw.media.block_size) },
    rtmps: { ...raw.rtmps, listen: normalizeListen(raw.rtmps.listen) },
    http_api: { ...raw.http_api, listen: normalizeListen(raw.http_api.listen) },
    http_server: { ...raw.http_server, listen: normalizeListen(raw.http_server.listen) },
  };
}
