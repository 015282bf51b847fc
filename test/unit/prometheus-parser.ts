// A small Prometheus text-format (v0.0.4) parser written from the format's description,
// independent of the writer (prom-client), so tests can read what the server wrote.

export interface ParsedSample { name: string; labels: Record<string, string>; value: number }
export interface Parsed { help: Map<string, string>; type: Map<string, string>; samples: ParsedSample[] }

/** Parses exposition text v0.0.4; throws on any line it cannot read. */
export function parsePrometheus(text: string): Parsed {
  const out: Parsed = { help: new Map(), type: new Map(), samples: [] };
  if (text !== '' && !text.endsWith('\n')) throw new Error('text must end with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) continue; // a plain comment
      if (m[1] === 'HELP') out.help.set(m[2]!, unescape(m[3]!, false));
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!)) throw new Error(`bad type: ${line}`);
        out.type.set(m[2]!, m[3]!);
      }
      continue;
    }
    let i = 0;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new Error(`bad sample: ${line}`);
    i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
        if (!ln || line[i + ln.length] !== '=' || line[i + ln.length + 1] !== '"') throw new Error(`bad label: ${line}`);
        i += ln.length + 2;
        let v = '';
        for (;;) {
          const ch = line[i];
          if (ch === undefined) throw new Error(`unterminated label value: ${line}`);
          if (ch === '"') break;
          if (ch === '\\') {
            const n = line[i + 1];
            if (n === 'n') v += '\n';
            else if (n === '\\' || n === '"') v += n;
            else throw new Error(`bad escape: ${line}`);
            i += 2;
          } else {
            v += ch;
            i++;
          }
        }
        i++;
        labels[ln] = v;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') throw new Error(`bad label list: ${line}`);
      }
      i++;
    }
    const rest = line.slice(i).split(' ').filter((s) => s !== '');
    if (line[i] !== ' ' || rest.length < 1 || rest.length > 2) throw new Error(`bad value part: ${line}`);
    out.samples.push({ name, labels, value: parseValue(rest[0]!) });
  }
  return out;
}

// Prometheus reads values with Go's strconv.ParseFloat, which takes NaN and Inf in any
// case (prom-client writes NaN as `Nan`).
function parseValue(s: string): number {
  const l = s.toLowerCase();
  if (l === 'nan') return NaN;
  if (l === '+inf' || l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad number ${s}`);
  return Number(s);
}

function unescape(s: string, quotes: boolean): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : quotes && c === '"' ? '"' : `\\${c}`));
}
