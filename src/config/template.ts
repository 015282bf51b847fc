// The `[vhost] [app] [stream] [seq] [timestamp] [engine] [port]` variables of
// mounts, HLS/DVR paths and engine outputs, as SRS spells them. A variable with no
// value given is left as written, so a half-expanded template stays recognisable.
import { DEFAULT_VHOST } from './schema.ts';

export interface TemplateVars {
  vhost: string;
  app: string;
  stream: string;
  seq?: number | string;
  /** Milliseconds since the epoch, as SRS writes it. */
  timestamp?: number | string;
  engine?: string;
  port?: number | string;
}

export interface TemplateOptions {
  /** For HTTP mounts: `[vhost]/` disappears for the default vhost. */
  dropDefaultVhost?: boolean;
}

const VARIABLE = /\[(vhost|app|stream|seq|timestamp|engine|port)\]/g;

export function expandTemplate(template: string, vars: TemplateVars, opts: TemplateOptions = {}): string {
  let text = template;
  if (opts.dropDefaultVhost && vars.vhost === DEFAULT_VHOST) text = text.split('[vhost]/').join('');
  return text.replace(VARIABLE, (whole, name: keyof TemplateVars) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}
