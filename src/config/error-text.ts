// Turns ajv's errors into the lines a user reads: `config error: <dotted.path>: <what>`.
// The message comes from the schema node that failed (not from ajv's keyword text),
// so a value out of range and a value of the wrong type read the same:
// "must be an integer from 128 to 65536".
import type { ErrorObject } from 'ajv';
import type { SchemaNode } from './schema.ts';

const FORMAT_TEXT: Record<string, string> = {
  'host-port': 'must be a "host:port" string',
  'host-optional-port': 'must be a "host" or "host:port" string',
  'rule-source': 'must be an IP address, a CIDR block (such as 10.0.0.0/8) or "all"',
  'http-url': 'must be an http:// or https:// URL',
};

export const ROOT_PATH = '(top level)';

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function describeNumber(node: SchemaNode, kind: 'integer' | 'number'): string {
  const what = `must be ${article(kind)}`;
  if (node.minimum !== undefined && node.maximum !== undefined) {
    return `${what} from ${node.minimum} to ${node.maximum}`;
  }
  if (node.exclusiveMinimum !== undefined) return `${what} greater than ${node.exclusiveMinimum}`;
  if (node.minimum !== undefined) return `${what} of at least ${node.minimum}`;
  return what;
}

/** The human requirement a schema node states, e.g. "must be one of full, zero, off". */
export function describeNode(node: SchemaNode): string {
  if (node.errorText) return node.errorText;
  if (node.enum) return `must be one of ${node.enum.join(', ')}`;
  switch (node.type) {
    case 'boolean': return 'must be true or false';
    case 'integer': return describeNumber(node, 'integer');
    case 'number': return describeNumber(node, 'number');
    case 'array': return 'must be a list';
    case 'object': return 'must be a map of keys';
    case 'string':
      if (node.format && FORMAT_TEXT[node.format]) return FORMAT_TEXT[node.format]!;
      return node.minLength ? 'must be a non-empty string' : 'must be a string';
    default: return 'is not valid';
  }
}

/** JSON pointer (`/vhosts/live/security/rules/0`) -> `vhosts.live.security.rules.0`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function lineFor(err: ErrorObject): { path: string; text: string } {
  const path = pointerToPath(err.instancePath);
  if (err.keyword === 'additionalProperties') {
    return { path: join(path, String(err.params.additionalProperty)), text: 'unknown key' };
  }
  if (err.keyword === 'required') {
    return { path: join(path, String(err.params.missingProperty)), text: 'is required' };
  }
  const node = err.parentSchema as SchemaNode | undefined;
  return { path, text: node ? describeNode(node) : (err.message ?? 'is not valid') };
}

/**
 * One line per problem. Branch errors under a failed `anyOf` are folded into the
 * anyOf's own line: the user gets one statement of what the key accepts.
 */
export function schemaErrorLines(errors: readonly ErrorObject[]): string[] {
  const folded = errors.filter((e) => e.keyword === 'anyOf');
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const inside = folded.some((a) => a !== err
      && err.schemaPath.startsWith(`${a.schemaPath}/`)
      && err.instancePath.startsWith(a.instancePath));
    if (inside) continue;
    const { path, text } = lineFor(err);
    const line = `config error: ${path === '' ? ROOT_PATH : path}: ${text}`;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  return lines;
}
