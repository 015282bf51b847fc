// `sluice ctl token --secret S --act publish --stream live/x --ttl 3600 [--nbf 0]`:
// prints a publish/play token (an HS256 JWT) so an operator can hand a streamer a
// key that expires without writing code. It needs no running server: the token is
// signed here with the vhost's `auth.secret`.
import { parseArgs } from 'node:util';
import { mintStreamToken } from '../auth/mint-token.ts';
import { STREAM_ACTIONS, type StreamAction } from '../auth/token-claims.ts';

export interface CtlIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const TOKEN_USAGE = `usage: sluice ctl token --secret S --act publish|play|both [--stream APP/STREAM] [--ttl SECONDS] [--nbf SECONDS]
  --secret S        the vhost's auth.secret (HS256 key)
  --act A           publish, play, both, or a comma list (publish,play)
  --stream S        the app/stream the token is for; a trailing * matches a prefix (live/*); default: any
  --ttl SECONDS     seconds until it expires (default 3600)
  --nbf SECONDS     seconds from now before it is valid (default: at once)
`;

const OPTIONS = {
  secret: { type: 'string' },
  act: { type: 'string' },
  stream: { type: 'string' },
  ttl: { type: 'string', default: '3600' },
  nbf: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseActs(text: string): StreamAction[] | null {
  const words = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
  const acts = new Set<StreamAction>();
  for (const w of words) {
    if (w === 'both') STREAM_ACTIONS.forEach((a) => acts.add(a));
    else if ((STREAM_ACTIONS as readonly string[]).includes(w)) acts.add(w as StreamAction);
    else return null;
  }
  return acts.size > 0 ? [...acts] : null;
}

/** A whole number of seconds, at least `min`; null when the text is not one. */
function seconds(text: string, min: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min ? n : null;
}

export async function runTokenCommand(args: string[], io: CtlIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    io.stderr(`sluice ctl token: ${(e as Error).message}\n${TOKEN_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(TOKEN_USAGE);
    return 0;
  }
  const fail = (what: string): number => {
    io.stderr(`sluice ctl token: ${what}\n${TOKEN_USAGE}`);
    return 2;
  };
  if (!values.secret) return fail('--secret is required (the vhost\'s auth.secret)');
  if (values.act === undefined) return fail('--act is required (publish, play or both)');
  const act = parseActs(values.act);
  if (!act) return fail(`--act ${JSON.stringify(values.act)}: must be publish, play, both or a comma list of them`);
  const ttl = seconds(values.ttl, 1);
  if (ttl === null) return fail(`--ttl ${JSON.stringify(values.ttl)}: must be a whole number of seconds, at least 1`);
  let nbf: number | undefined;
  if (values.nbf !== undefined) {
    const n = seconds(values.nbf, 0);
    if (n === null) return fail(`--nbf ${JSON.stringify(values.nbf)}: must be a whole number of seconds`);
    nbf = n;
  }
  if (values.stream !== undefined && values.stream === '') return fail('--stream must not be empty (leave it out for any stream)');
  const token = await mintStreamToken({
    secret: values.secret,
    act: act.length === 1 ? act[0]! : act,
    ttl,
    ...(values.stream !== undefined ? { stream: values.stream } : {}),
    ...(nbf !== undefined ? { nbf } : {}),
  });
  io.stdout(`${token}\n`);
  return 0;
}
