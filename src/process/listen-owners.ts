// Who listens where, from Linux's /proc: the listening TCP sockets of this network
// namespace, the socket inodes this process holds (its worker threads share its file
// descriptors), and, for a socket that is not ours, the process that holds it.

import { closeSync, openSync, readSync, readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { parseProcNetTcp, TCP_LISTEN, type TcpSocketEntry } from './proc-net-tcp.ts';

const LITTLE_ENDIAN = endianness() === 'LE';
const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];
const CHUNK = 64 * 1024;

/**
 * Every listening TCP socket, or null where /proc/net/tcp does not exist (not Linux).
 * The kernel lists listening sockets before all others, so reading stops at the first
 * line in another state: a server with 10,000 connections reads a few lines, not 10,000.
 */
export function listeningSockets(): TcpSocketEntry[] | null {
  const out: TcpSocketEntry[] = [];
  let found = false;
  for (const path of TABLES) {
    const text = readListenSection(path);
    if (text === null) continue;
    found = true;
    for (const e of parseProcNetTcp(text, LITTLE_ENDIAN)) if (e.state === TCP_LISTEN) out.push(e);
  }
  return found ? out : null;
}

function readListenSection(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(CHUNK);
    let text = '';
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return text;
      text += buf.toString('latin1', 0, n);
      const lines = text.split('\n');
      // Line 0 is the header; the last piece may be cut (and is left out). State is the 4th field.
      if (lines.slice(1, -1).some((l) => l.trim().split(/\s+/)[3] !== '0A')) return text.slice(0, text.lastIndexOf('\n') + 1);
    }
  } finally {
    closeSync(fd);
  }
}

/** Inodes of the sockets open in this process (all threads). */
export function ownSocketInodes(): Set<number> {
  return socketInodesOf('self') ?? new Set();
}

function socketInodesOf(pid: string): Set<number> | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const inodes = new Set<number>();
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/**
 * The process holding socket `inode`, when /proc lets us see it (best effort, slow: only
 * on a finding), named by its command line (a thread name such as Node's "MainThread"
 * says less).
 */
export function socketOwner(inode: number): { pid: number; name: string } | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return null;
  }
  for (const pid of pids) {
    if (!socketInodesOf(pid)?.has(inode)) continue;
    let name = '';
    try {
      name = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 80);
    } catch {
      // gone meanwhile
    }
    return { pid: Number(pid), name };
  }
  return null;
}
