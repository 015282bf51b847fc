// `sluice ctl`: the operator's command line over the HTTP API. It returns
// an exit code instead of exiting (as runCli does), so tests drive it in-process:
// 0 done, 1 a failure told in one line on stderr (server down, token refused, unknown
// id), 2 a usage error (usage on stderr).
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.ts';
import { ANY_HOST } from '../config/normalize.ts';
import type { SluiceConfig } from '../config/types.ts';
import { ApiClient, CtlError, DEFAULT_API } from './api-client.ts';
import type { CommandContext, CtlCommand, CtlOption } from './command.ts';
import { COMMANDS } from './commands.ts';

export interface CtlIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Where SLUICE_API_TOKEN is read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

const COMMON: Readonly<Record<string, CtlOption>> = {
  api: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
};

export function ctlUsage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.synopsis.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`);
  lines.push(`  ${'token'.padEnd(width)}  print a publish/play token: token --secret S --act publish|play|both [--stream APP/STREAM] [--ttl SECONDS]`);
  return `usage: sluice ctl [--api URL] [--token T] [--json] [-c FILE] COMMAND
commands:
${lines.join('\n')}
options:
  --api URL      the HTTP API (default ${DEFAULT_API}, or http_api.listen of -c FILE)
  --token T      the API's bearer token (default $SLUICE_API_TOKEN, or http_api.auth.token of -c FILE)
  --json         print the API's objects as JSON, for scripts
  -c FILE        the server's config: where its API listens, its token
  -h, --help     print this help
`;
}

/** The common options plus every command's own: the command is known only once parsed. */
function allOptions(): Record<string, CtlOption> {
  const out: Record<string, CtlOption> = { ...COMMON };
  for (const c of Object.values(COMMANDS)) Object.assign(out, c.options ?? {});
  return out;
}

function arityOk(c: CtlCommand, n: number): boolean {
  const [least, most] = typeof c.arity === 'number' ? [c.arity, c.arity] : c.arity;
  return n >= least && n <= most;
}

/** The API of a server config: a server listening on every interface is reached on loopback. */
function apiOf(config: SluiceConfig): string | null {
  const first = config.http_api.listen[0];
  if (!first) return null;
  const host = first.host === ANY_HOST || first.host === '::' || first.host === '' ? '127.0.0.1' : first.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${first.port}`;
}

export async function runCtl(argv: readonly string[], io: CtlIo): Promise<number> {
  // `token` needs no server and has options of its own (token-command.ts).
  if (argv[0] === 'token') {
    const { runTokenCommand } = await import('./token-command.ts');
    return runTokenCommand(argv.slice(1), io);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: allOptions(), strict: true, allowPositionals: true });
  } catch (e) {
    io.stderr(`sluice ctl: ${(e as Error).message}\n${ctlUsage()}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(ctlUsage());
    return 0;
  }
  const [name, ...args] = positionals;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    io.stderr(`${name === undefined ? 'sluice ctl: a command is needed' : `sluice ctl: unknown command "${name}"`}\n${ctlUsage()}`);
    return 2;
  }
  const foreign = Object.keys(values).filter((k) => !(k in COMMON) && !(command.options && k in command.options));
  if (foreign.length > 0 || !arityOk(command, args.length)) {
    const what = foreign.length > 0 ? `${name} takes no --${foreign[0]}; ` : '';
    io.stderr(`sluice ctl: ${what}usage: sluice ctl [options] ${command.synopsis}\n`);
    return 2;
  }
  if (values.api !== undefined && !URL.canParse(String(values.api))) {
    io.stderr(`sluice ctl: --api ${String(values.api)} is not a URL (e.g. ${DEFAULT_API})\n`);
    return 2;
  }

  const env = io.env ?? process.env;
  let config: SluiceConfig | null | undefined;
  const loadConfig = (): SluiceConfig | null => {
    if (config !== undefined) return config;
    if (values.config === undefined) return (config = null);
    const res = loadConfigFile(String(values.config));
    if ('errors' in res) throw new CtlError(res.errors.join('\n'));
    return (config = res.config);
  };
  let client: ApiClient | null = null;
  const ctx: CommandContext = {
    args,
    json: values.json === true,
    options: values,
    config: loadConfig,
    api() {
      if (client) return client;
      // Flags first, then -c FILE, then the environment and the default.
      const conf = values.api === undefined || values.token === undefined ? loadConfig() : null;
      const api = (values.api as string | undefined) ?? (conf && apiOf(conf)) ?? DEFAULT_API;
      const token = (values.token as string | undefined) ?? (conf?.http_api.auth.token || env.SLUICE_API_TOKEN || '');
      return (client = new ApiClient(api, token));
    },
  };
  try {
    io.stdout(await command.run(ctx));
    return 0;
  } catch (e) {
    if (e instanceof CtlError) {
      io.stderr(`sluice ctl: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
