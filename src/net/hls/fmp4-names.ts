// File names of the fmp4 and low_latency variants, derived from the templates users already
// set (hls.ts_file, hls.m3u8_file) rather than new keys: a user who switches the variant keeps
// the folder layout, and the token check (hls-file-match.ts) finds app/stream the same way.
//
// - segment: ts_file with ".ts" turned into ".m4s" (".m4s" appended when it has no ".ts")
// - part P of segment [seq]: the segment's name with ".P" before ".m4s" (cam-12.3.m4s)
// - init segment: m3u8_file without ".m3u8", plus "-init-[seq].mp4", [seq] being the first
//   segment under it: a new init (republish, new codec settings) gets a new URI, so players
//   and caches never mix two of them.
// Pure: templates in, templates and names out.

export function segmentTemplate(tsFile: string): string {
  return tsFile.endsWith('.ts') ? `${tsFile.slice(0, -3)}.m4s` : `${tsFile}.m4s`;
}

/** The template that parts match (for tokens): `[seq]` twice is fine, both are numbers. */
export function partTemplate(tsFile: string): string {
  return `${segmentTemplate(tsFile).slice(0, -4)}.[seq].m4s`;
}

export function initTemplate(m3u8File: string): string {
  const base = m3u8File.endsWith('.m3u8') ? m3u8File.slice(0, -5) : m3u8File;
  return `${base}-init-[seq].mp4`;
}

/** A part's name (path or URI) from its segment's name. */
export function partName(segmentName: string, part: number): string {
  return `${segmentName.slice(0, -4)}.${part}.m4s`;
}

/**
 * The playlist for disk and for players without low-latency support: the same text without
 * the low-latency tags (parts are kept in memory only, so a file listing them would point at
 * files that are not there once the stream has ended).
 */
export function withoutParts(playlist: string): string {
  return playlist
    .split('\n')
    .filter((l) => !/^#EXT-X-(PART|PART-INF|PRELOAD-HINT|SERVER-CONTROL)(:|$)/.test(l))
    .join('\n');
}
