// Who this server is to the outside, as SRS tells it: `server` is stable across
// restarts, kept in a file next to the pid file; `service` is new with every process.
import { createHash, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, basename, extname } from 'node:path';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const SERVER_ID = /^vid-[0-9a-z]{7}$/;

function randomId(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export interface ApiIdentity {
  serverId: string;
  serviceId: string;
  pid: string;
}

/** `objs/sluice.pid` -> `objs/sluice.id`. */
export function serverIdPath(pidPath: string): string {
  return join(dirname(pidPath), `${basename(pidPath, extname(pidPath))}.id`);
}

/** Reads the saved server id, or makes one and saves it (a failure to save is reported, not fatal). */
export function loadServerId(pidPath: string, onWriteError?: (err: Error) => void): string {
  const file = serverIdPath(pidPath);
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (SERVER_ID.test(saved)) return saved;
  } catch {
    // no file yet: make one below
  }
  const id = `vid-${randomId(7)}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${id}\n`);
  } catch (err) {
    onWriteError?.(err as Error);
  }
  return id;
}

export function newServiceId(): string {
  return randomId(8);
}

/** A vhost's API id: stable for a given server and vhost name. */
export function vhostId(serverId: string, name: string): string {
  const h = createHash('sha1').update(`${serverId}/${name}`).digest();
  let s = '';
  for (let i = 0; i < 7; i++) s += ALPHABET[h[i]! % ALPHABET.length];
  return `vid-${s}`;
}
