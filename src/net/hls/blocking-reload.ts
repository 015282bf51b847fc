// Blocking playlist reload (draft-pantos-hls-rfc8216bis 6.2.5.2): what a low-latency
// playlist request asks for, judged against what the playlist holds now. Pure: the HTTP side
// answers 'now' at once, parks 'wait' until isSatisfied() turns true (or its deadline
// passes), and answers 'bad' with 400.
//
// The draft's rules, as implemented:
// - _HLS_msn=M alone: wait until segment M is complete. _HLS_msn=M&_HLS_part=P: wait until
//   part P of segment M, or any later part or segment, is in the playlist.
// - _HLS_part without _HLS_msn is a Bad Request; so is a value that is not a decimal
//   integer (negative, empty, fractional, absurdly long).
// - M more than two past the last complete segment is a Bad Request, and so is P further
//   than the Advance Part Limit past the last part: 3 / PART-TARGET parts when the part
//   target is under one second, else 3 (about three seconds of parts either way).
// - _HLS_skip asks for a delta update; this server does not advertise CAN-SKIP-UNTIL, so
//   YES and v2 are accepted and answered with the full playlist, anything else is 400.
// - An ended playlist never blocks.

export type ReloadState = {
  /** msn of the last complete segment in the playlist, -1 if none. */
  lastMsn: number;
  /** The newest part in the playlist (of the open segment, or the last complete one). */
  lastPart: { msn: number; part: number } | null;
  /** PART-TARGET in seconds; null for a playlist without parts. */
  partTarget: number | null;
  ended: boolean;
};

export type ReloadTarget = { msn: number; part: number | null };

export type ReloadRequest =
  | { kind: 'now'; skip: boolean }
  | { kind: 'wait'; target: ReloadTarget; skip: boolean }
  | { kind: 'bad'; reason: string };

const DECIMAL = /^\d{1,15}$/;

/**
 * How long a blocked request may wait before the server gives up (503): rfc8216bis 6.2.5.2
 * expects an answer within three target durations.
 */
export function blockingTimeoutMs(targetDuration: number): number {
  return 3 * targetDuration * 1000;
}

export function advancePartLimit(partTarget: number): number {
  return partTarget < 1 ? Math.ceil(3 / partTarget) : 3;
}

/** Whether the playlist now holds what the target waits for. */
export function isSatisfied(target: ReloadTarget, state: ReloadState): boolean {
  if (state.ended) return true;
  if (target.part === null) return state.lastMsn >= target.msn;
  const last = state.lastPart;
  if (last !== null && (last.msn > target.msn || (last.msn === target.msn && last.part >= target.part))) return true;
  // A complete later segment also satisfies it (parts of old segments may have been trimmed).
  return state.lastMsn > target.msn;
}

/** Classifies a playlist request from its query string (with or without the leading '?'). */
export function parseReloadRequest(query: string | URLSearchParams, state: ReloadState): ReloadRequest {
  const q = typeof query === 'string' ? new URLSearchParams(query) : query;
  const msnText = q.get('_HLS_msn');
  const partText = q.get('_HLS_part');
  const skipText = q.get('_HLS_skip');
  if (skipText !== null && skipText !== 'YES' && skipText !== 'v2') return { kind: 'bad', reason: `_HLS_skip=${skipText}` };
  const skip = skipText !== null;
  if (msnText === null) {
    if (partText !== null) return { kind: 'bad', reason: '_HLS_part without _HLS_msn' };
    return { kind: 'now', skip };
  }
  if (!DECIMAL.test(msnText)) return { kind: 'bad', reason: `_HLS_msn=${msnText} is not a decimal integer` };
  if (partText !== null && !DECIMAL.test(partText)) return { kind: 'bad', reason: `_HLS_part=${partText} is not a decimal integer` };
  if (partText !== null && state.partTarget === null) return { kind: 'bad', reason: '_HLS_part on a playlist without parts' };
  const target: ReloadTarget = { msn: Number(msnText), part: partText === null ? null : Number(partText) };
  if (isSatisfied(target, state)) return { kind: 'now', skip };
  if (target.msn > state.lastMsn + 2) return { kind: 'bad', reason: `_HLS_msn=${target.msn} is more than two segments past ${state.lastMsn}` };
  if (target.part !== null && state.partTarget !== null) {
    const last = state.lastPart ?? { msn: state.lastMsn + 1, part: -1 };
    // Parts between the last one and the target: exact within one segment; across segments
    // at least the target's index + 1 (the parts left in the current segment are unknown).
    const ahead = target.msn === last.msn ? target.part - last.part : target.part + 1;
    const limit = advancePartLimit(state.partTarget);
    if (ahead > limit) return { kind: 'bad', reason: `_HLS_part=${target.part} is ${ahead} parts ahead (limit ${limit})` };
  }
  return { kind: 'wait', target, skip };
}
