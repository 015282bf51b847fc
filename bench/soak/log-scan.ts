// Reads the server's JSON log lines (pino levels: 40 warn, 50 error, 60 fatal): warn
// lines counted by message, error/fatal lines and anything that is not JSON (stack
// traces, Node warnings) kept verbatim, as those are what look like bugs.

export interface LogScan {
  lines: number;
  warnByMsg: Record<string, number>;
  errorByMsg: Record<string, number>;
  /** The first error/fatal lines, whole. */
  errors: string[];
  /** Lines that are not JSON (uncaught exceptions, Node warnings), first ones. */
  other: string[];
  otherCount: number;
}

export function scanLog(text: string, keep = 40): LogScan {
  const out: LogScan = { lines: 0, warnByMsg: {}, errorByMsg: {}, errors: [], other: [], otherCount: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    out.lines++;
    type Rec = { level?: number; msg?: string; reason?: unknown; err?: unknown };
    let rec: Rec | null;
    try {
      rec = JSON.parse(line) as Rec | null;
    } catch {
      rec = null;
    }
    if (!rec || typeof rec !== 'object') {
      out.otherCount++;
      if (out.other.length < keep) out.other.push(line.slice(0, 500));
      continue;
    }
    const level = rec.level ?? 30;
    const why = rec.reason ?? (typeof rec.err === 'object' && rec.err !== null ? (rec.err as { message?: unknown }).message : rec.err);
    // Numbers (ports, sizes, ids) are folded so that one kind of line counts once.
    const msg = String(rec.msg ?? '?').replace(/^(player|client) \S+/, '$1 ID').replace(/\d+/g, 'N');
    const key = `${msg}${why ? `: ${String(why).replace(/\d+/g, 'N').slice(0, 80)}` : ''}`;
    if (level >= 50) {
      out.errorByMsg[key] = (out.errorByMsg[key] ?? 0) + 1;
      if (out.errors.length < keep) out.errors.push(line.slice(0, 1000));
    } else if (level >= 40) {
      out.warnByMsg[key] = (out.warnByMsg[key] ?? 0) + 1;
    }
  }
  return out;
}
