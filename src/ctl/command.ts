// What a `sluice ctl` subcommand is, apart from any of them: its usage line, its own
// options and positional arguments, and a `run` that returns the text for stdout. The
// API client and the server config are offered lazily, so a command that needs neither
// (one that works offline from -c FILE, say) never touches the network.
import type { SluiceConfig } from '../config/types.ts';
import type { ApiClient } from './api-client.ts';

export interface CtlOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export interface CommandContext {
  /** Positional arguments after the subcommand's name. */
  args: string[];
  json: boolean;
  /** Every option given, by name: the common ones and the command's own. */
  options: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  /** The API (--api, --token, -c FILE, $SLUICE_API_TOKEN), made on first use. */
  api(): ApiClient;
  /** The server config of -c FILE (null without -c); a CtlError when it does not validate. */
  config(): SluiceConfig | null;
}

export interface CtlCommand {
  /** How it is written, for the usage text: `kick ID`. */
  synopsis: string;
  summary: string;
  /** Exactly this many positional arguments, or [least, most]. */
  arity: number | readonly [number, number];
  /** Options of this command only (`--name`), besides the common ones. */
  options?: Readonly<Record<string, CtlOption>>;
  /** The text to print on stdout; a CtlError for a failure told in one line (exit 1). */
  run(c: CommandContext): Promise<string>;
}
