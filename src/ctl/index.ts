// `sluice ctl`: the operator's command line over the HTTP API (SPEC.md 11). It returns
// an exit code instead of exiting (as runCli does), so tests drive it in-process:
// 0 done, 1 a failure told in one line on stderr (server down, token refused, unknown
// id), 2 a usage error (usage on stderr).
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.ts';
import { ANY_HOST } from '../config/normalize.ts';
import { ApiClient, CtlError, DEFAULT_API } from './api-client.ts';
import { COMMANDS } from './commands.ts';

export interface CtlIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Where SLUICE_API_TOKEN is read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function ctlUsage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.synopsis.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`);
  return `usage: sluice ctl [--api URL] [--token T] [--json] [-c FILE] COMMAND
commands:
${lines.join('\n')}
options:
  --api URL      the HTTP API (default ${DEFAULT_API}, or http_api.listen of -c FILE)
  --token T      the API's bearer token (default $SLUICE_API_TOKEN, or http_api.auth.token of -c FILE)
  --json         print the API's objects as JSON, for scripts
  -c FILE        read the API address and token from this server config
  -h, --help     print this help
`;
}

const OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Target {
  api: string;
  token: string;
}

/** The API's address and token: flags first, then -c FILE, then the environment and defaults. */
function target(values: { api?: string; token?: string; config?: string }, env: CtlIo['env']): Target | { error: string[] } {
  let api = DEFAULT_API;
  let token = env?.SLUICE_API_TOKEN ?? '';
  if (values.config !== undefined) {
    const res = loadConfigFile(values.config);
    if ('errors' in res) return { error: res.errors };
    const first = res.config.http_api.listen[0];
    if (first) {
      // A server listening on every interface is reached on loopback from here.
      const host = first.host === ANY_HOST || first.host === '::' || first.host === '' ? '127.0.0.1' : first.host;
      api = `http://${host.includes(':') ? `[${host}]` : host}:${first.port}`;
    }
    if (res.config.http_api.auth.token) token = res.config.http_api.auth.token;
  }
  return { api: values.api ?? api, token: values.token ?? token };
}

export async function runCtl(argv: readonly string[], io: CtlIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
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
  if (args.length !== command.arity) {
    io.stderr(`sluice ctl: usage: sluice ctl [options] ${command.synopsis}\n`);
    return 2;
  }
  const t = target(values, io.env ?? process.env);
  if ('error' in t) {
    io.stderr(t.error.map((l) => `${l}\n`).join(''));
    return 1;
  }
  try {
    new URL(t.api);
  } catch {
    io.stderr(`sluice ctl: --api ${t.api} is not a URL (e.g. ${DEFAULT_API})\n`);
    return 2;
  }
  try {
    io.stdout(await command.run({ client: new ApiClient(t.api, t.token), args, json: values.json === true }));
    return 0;
  } catch (e) {
    if (e instanceof CtlError) {
      io.stderr(`sluice ctl: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
