// The claims of a stream token that jose does not know: `act` names the action(s) the
// token allows, `stream` (optional) the `app/stream` it is for, where a trailing `*`
// matches a prefix (`live/*`). Pure: the payload jose verified in, a refusal reason out.

export type StreamAction = 'publish' | 'play';

export const STREAM_ACTIONS: readonly StreamAction[] = ['publish', 'play'];

/** Why a token's claims refuse the request, or null when they allow it. */
export function claimsRefusal(payload: Record<string, unknown>, action: StreamAction, path: string): string | null {
  const act = payload.act;
  const acts = typeof act === 'string' ? [act] : Array.isArray(act) ? act : null;
  if (acts === null) return 'wrong action: no act claim';
  if (!acts.includes(action)) return `wrong action: the token is not for ${action}`;
  if (payload.stream === undefined) return null;
  if (typeof payload.stream !== 'string') return 'wrong stream: the stream claim is not a string';
  if (!streamClaimMatches(payload.stream, path)) return 'wrong stream: the token is for another stream';
  return null;
}

/** `live/x` matches only `live/x`; `live/*` matches every path that starts with `live/`. */
export function streamClaimMatches(claim: string, path: string): boolean {
  if (claim.endsWith('*')) return path.startsWith(claim.slice(0, -1));
  return claim === path;
}
