// Reading a config: YAML text -> plain object -> overrides from the command line ->
// schema (defaults filled, every problem listed) -> uniqueness checks -> normalised
// SluiceConfig. Every failure comes back as `config error: ...` lines, never a throw:
// both `-t` and a reload must report all problems and go on.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { schemaErrorLines } from './error-text.ts';
import { normalizeConfig } from './normalize.ts';
import { semanticErrorLines } from './semantic-checks.ts';
import type { ConfigOverrides, ConfigResult, ValidatedConfig } from './types.ts';
import { configValidator } from './validator.ts';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function applyOverrides(doc: Record<string, unknown>, overrides: ConfigOverrides): void {
  if (overrides.workers !== undefined) {
    const w = overrides.workers;
    // A numeric string from the command line becomes a number so the schema judges
    // its range; anything else is left as typed and is refused by name.
    doc.workers = typeof w === 'string' && /^-?[0-9]+$/.test(w.trim()) ? Number(w) : w;
  }
  if (overrides.logLevel !== undefined) {
    if (doc.log === undefined || doc.log === null) doc.log = {};
    if (isMap(doc.log)) doc.log.level = overrides.logLevel;
  }
}

/** Validates a parsed document (not modified), fills defaults and normalises it. */
export function validateConfig(input: unknown, overrides: ConfigOverrides = {}): ConfigResult {
  const doc: unknown = input === null || input === undefined ? {} : structuredClone(input);
  if (isMap(doc)) {
    // `vhosts: { live: }` in YAML means "this vhost, all defaults", as `vhost live {}` in SRS.
    if (isMap(doc.vhosts)) {
      for (const [name, vhost] of Object.entries(doc.vhosts)) if (vhost === null) doc.vhosts[name] = {};
    }
    applyOverrides(doc, overrides);
  }
  const validate = configValidator();
  if (!validate(doc)) return { errors: schemaErrorLines(validate.errors ?? []) };
  const validated = doc as ValidatedConfig;
  const semantic = semanticErrorLines(validated);
  if (semantic.length > 0) return { errors: semantic };
  return { config: normalizeConfig(validated) };
}

/** YAML (JSON is YAML too) from a string; `sourceName` names it in error lines. */
export function parseConfig(text: string, sourceName: string, overrides: ConfigOverrides = {}): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((err) => {
        const pos = err.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
        const what = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `config error: ${sourceName}: ${where}${what}`;
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias used before its anchor, or one that expands too far: the yaml package
    // finds these only while building the values, and throws.
    return { errors: [`config error: ${sourceName}: ${(err as Error).message.split('\n')[0]}`] };
  }
  return validateConfig(value, overrides);
}

export function loadConfigFile(path: string, overrides: ConfigOverrides = {}): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    return { errors: [`config error: ${path}: cannot read: ${why}`] };
  }
  return parseConfig(text, path, overrides);
}
