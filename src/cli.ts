// The command line: `sluice [-c FILE] [-t] [-v] [--workers N] [--log-level LEVEL]`, and
// `sluice ctl ...` (src/ctl/) for the operator.
// It returns an exit code instead of exiting, so tests drive it in-process and the
// entry (main.ts) decides how the process ends. Starting the server is injected:
// `-t` and `-v` never load the server's code.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from './config/load.ts';
import type { ConfigOverrides, SluiceConfig } from './config/types.ts';
import { isSluiceError } from './errors.ts';

export const DEFAULT_CONFIG_PATH = 'conf/sluice.yaml';

export interface StartOptions {
  /** Absolute path of the config file; a reload reads it again. */
  configPath: string;
  /** Command-line overrides; a reload must apply them again (loadConfigFile's 2nd argument). */
  overrides: ConfigOverrides;
}

export interface CliDeps {
  start?: (config: SluiceConfig, options: StartOptions) => Promise<void>;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export const USAGE = `usage: sluice [-c FILE] [-t] [-v] [--workers N] [--log-level LEVEL]
       sluice ctl [--api URL] [--token T] [--json] COMMAND   (sluice ctl -h for the commands)
  -c, --config FILE    config file (default ${DEFAULT_CONFIG_PATH})
  -t, --test           check the config, print "config ok" or its errors, and exit
  -v, --version        print the version and exit
  --workers N          worker threads, overrides "workers" ("auto" or 1..256)
  --log-level LEVEL    overrides "log.level" (fatal error warn info debug trace silent)
  -h, --help           print this help and exit
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  test: { type: 'boolean', short: 't' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  workers: { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

// `--workers -1` is a bad value, not a missing one: join it so the schema refuses it by
// name instead of parseArgs calling the option ambiguous.
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--workers' && next !== undefined && /^-[0-9]/.test(next)) {
      out.push(`--workers=${next}`);
      i++;
    } else {
      out.push(argv[i]!);
    }
  }
  return out;
}

export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((text: string) => { process.stdout.write(text); });
  const err = deps.stderr ?? ((text: string) => { process.stderr.write(text); });
  if (argv[0] === 'ctl') {
    // The operator's client: loaded only for `sluice ctl`, it never starts a server.
    const { runCtl } = await import('./ctl/index.ts');
    return runCtl(argv.slice(1), { stdout: out, stderr: err });
  }

  let values;
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    err(`sluice: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (values.version) {
    out(`${readVersion()}\n`);
    return 0;
  }

  const configPath = values.config ?? DEFAULT_CONFIG_PATH;
  const overrides: ConfigOverrides = {};
  if (values.workers !== undefined) overrides.workers = values.workers;
  if (values['log-level'] !== undefined) overrides.logLevel = values['log-level'];

  const result = loadConfigFile(configPath, overrides);
  if ('errors' in result) {
    err(result.errors.map((line) => `${line}\n`).join(''));
    return 1;
  }
  if (values.test) {
    out('config ok\n');
    return 0;
  }
  if (!deps.start) {
    err('sluice: no server to start\n');
    return 1;
  }
  try {
    await deps.start(result.config, { configPath: resolve(configPath), overrides });
  } catch (e) {
    // A refused start is one line: what and where, without the error code's general text.
    const text = isSluiceError(e) ? e.detail : ((e as Error).message ?? String(e));
    err(`sluice: cannot start: ${text}\n`);
    return 1;
  }
  return 0;
}
