// What streams mean to the shared directory: with `cluster.redis`
// set, a stream published here is claimed under its key with this origin's advertised
// RTMP address as value, so another origin refuses a second publish of it and knows
// where to pull it from. The runtime's shared directory (src/runtime/shared-directory.ts)
// holds the claims; this module only says which name and which value.

import { DIRECTORY_REF, SHARED_DIRECTORY_REF, type ActorContext, type SdirClaimRes, type SdirLookupRes } from '../../runtime/index.ts';
import type { SluiceConfig } from '../../config/types.ts';

const ASK_TIMEOUT_MS = 3000;

export function clusterOn(config: SluiceConfig): boolean {
  return config.cluster.redis !== '';
}

/** The "host:port" other origins pull from: `cluster.advertise`, else the first RTMP listen. */
export function advertiseOf(config: SluiceConfig): string {
  if (config.cluster.advertise !== '') return config.cluster.advertise;
  const first = config.listen[0];
  if (!first) return '';
  const host = first.host === '0.0.0.0' || first.host === '::' ? '127.0.0.1' : first.host;
  return host.includes(':') ? `[${host}]:${first.port}` : `${host}:${first.port}`;
}

/**
 * Claims a stream about to be published here. False when it is live on another origin
 * (or on this one); true also while the directory is unreachable (local publish goes on,
 * the claim is stored when it returns). The claim ends with the asking actor.
 */
export async function claimStream(ctx: ActorContext, key: string, config: SluiceConfig): Promise<boolean> {
  if (!clusterOn(config)) return true;
  const res = await ctx.ask<SdirClaimRes>(SHARED_DIRECTORY_REF, { type: 'sdir/claim', name: key, value: advertiseOf(config), owner: ctx.self }, ASK_TIMEOUT_MS);
  if (!res.ok) ctx.log.info({ stream: key, at: res.holder }, 'publish refused: the stream is live on another origin');
  return res.ok;
}

export interface StreamWhereabouts {
  /** The advertised address of the origin that has it; null: nowhere (or unknown). */
  at: string | null;
  /** This server has it (published here, or pulled already). */
  local: boolean;
  /** The shared directory answered. */
  available: boolean;
}

/** Where a stream lives, for a play of it. */
export async function locateStream(ctx: ActorContext, key: string, config: SluiceConfig): Promise<StreamWhereabouts> {
  const here = await ctx.ask<{ entry: unknown }>(DIRECTORY_REF, { type: 'dir/lookup', name: key }, ASK_TIMEOUT_MS);
  if (here.entry) return { at: null, local: true, available: true };
  const res = await ctx.ask<SdirLookupRes>(SHARED_DIRECTORY_REF, { type: 'sdir/lookup', name: key }, ASK_TIMEOUT_MS);
  const self = advertiseOf(config);
  return { at: res.value === self ? null : res.value, local: res.value === self, available: res.available };
}

/** True when the directory names another origin as the stream's home (pulled here or not). */
export async function livesElsewhere(ctx: ActorContext, key: string, config: SluiceConfig): Promise<boolean> {
  const res = await ctx.ask<SdirLookupRes>(SHARED_DIRECTORY_REF, { type: 'sdir/lookup', name: key }, ASK_TIMEOUT_MS);
  return res.value !== null && res.value !== advertiseOf(config);
}

/**
 * True when a play of `key` must be refused: the cluster is on, this server does not
 * have the stream, and the directory that would say where it is cannot be reached.
 * Logs the one line that says so.
 */
export async function remotePlayRefused(ctx: ActorContext, key: string, client: string, edgeVhost: boolean, config: SluiceConfig): Promise<boolean> {
  // An edge vhost pulls from its own origin list, with or without the directory.
  if (edgeVhost || !clusterOn(config)) return false;
  const where = await locateStream(ctx, key, config).catch(() => ({ local: false, available: false, at: null }));
  if (where.local || where.available) return false;
  ctx.log.warn({ client, stream: key }, 'play refused: the cluster directory is unreachable and the stream is not on this origin');
  return true;
}
