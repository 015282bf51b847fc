// Reads test/fixtures/fuzz-regressions/open-bugs.json: crashes found but not fixed yet,
// which the tests report as `todo` instead of failing (see that folder's README).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REGRESSIONS_DIR } from './corpus-files.ts';

interface OpenBugs {
  /** "<target>/<file>" -> why it is open. */
  inputs: Record<string, string>;
  /** Crash signature prefix -> why it is open. */
  signatures: Record<string, string>;
}

const bugs = JSON.parse(readFileSync(path.join(REGRESSIONS_DIR, 'open-bugs.json'), 'utf8')) as OpenBugs;

/** Why this input or crash signature is a known open bug, or undefined. */
export function openBug(signature: string, input?: string): string | undefined {
  if (input !== undefined && bugs.inputs[input] !== undefined) return bugs.inputs[input];
  return Object.entries(bugs.signatures).find(([prefix]) => signature.startsWith(prefix))?.[1];
}
