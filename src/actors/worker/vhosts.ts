// Which configured vhost a request belongs to, as SRS picks it: the name is
// matched exactly; otherwise the default vhost serves it under its own name; a disabled
// vhost, or no match and no default, refuses.
import type { SluiceConfig, VhostConfig } from '../../config/types.ts';
import { DEFAULT_VHOST } from '../../net/rtmp/stream-url.ts';

export interface ResolvedVhost {
  name: string;
  config: VhostConfig;
}

export function resolveVhost(config: SluiceConfig, requested: string): ResolvedVhost | null {
  const vhosts = config.vhosts as Record<string, VhostConfig>;
  const own = Object.hasOwn(vhosts, requested) ? vhosts[requested] : undefined;
  if (own) return own.enabled ? { name: requested, config: own } : null;
  const fallback = Object.hasOwn(vhosts, DEFAULT_VHOST) ? vhosts[DEFAULT_VHOST] : undefined;
  if (fallback && fallback.enabled) return { name: DEFAULT_VHOST, config: fallback };
  return null;
}
