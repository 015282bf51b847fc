// A supervised child process (ffmpeg for ingest and transcode): its stderr becomes log
// lines, it is restarted with exponential backoff when it dies on its own, and it is
// stopped with SIGTERM then SIGKILL. It runs in its own process group (detached) and
// the whole group is signalled, so nothing it forks outlives it; Node reaps the child,
// so no zombie is left either. A thread that exits kills every group it still owns.

import { spawn, type ChildProcess } from 'node:child_process';
import { redactTokens } from '../../auth/token-query.ts';

export interface ProcessLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SupervisedProcessOptions {
  /** A label for the log lines (e.g. `ingest live/x engine ld`). */
  name: string;
  command: string;
  args: readonly string[];
  log: ProcessLog;
  /** First restart delay; doubles on each death up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A run at least this long resets the backoff to initialBackoffMs. */
  stableMs?: number;
  /** SIGTERM, then SIGKILL after this long. */
  killGraceMs?: number;
}

const DEFAULT_INITIAL_BACKOFF_MS = 1000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const DEFAULT_STABLE_MS = 10_000;
const DEFAULT_KILL_GRACE_MS = 3000;
// stderr lines that deserve a warn: ffmpeg says these when something is wrong.
const TROUBLE = /error|failed|invalid|could not|cannot|unable|refused|no such|denied|broken pipe/i;
// A single stderr "line" longer than this is cut: ffmpeg never writes one legitimately.
const MAX_LINE = 4096;

/** Process groups started on this thread and not yet seen to exit. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Runs when the thread (worker or main) exits, even on process.exit(): signals are
  // synchronous, so the children go with us.
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
    liveGroups.clear();
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export class SupervisedProcess {
  readonly name: string;
  private readonly opts: SupervisedProcessOptions;
  private child: ChildProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private startedAt = 0;
  private stopping = false;
  private starts = 0;
  private exitWaiters: (() => void)[] = [];

  constructor(opts: SupervisedProcessOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.backoffMs = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    installExitHook();
  }

  /** The PID of the running child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many times the child was started (1 + restarts). */
  get startCount(): number {
    return this.starts;
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.stopping || this.child || this.restartTimer) return;
    this.spawnChild();
  }

  private spawnChild(): void {
    const { command, args, log, name } = this.opts;
    this.restartTimer = null;
    this.starts++;
    this.startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(command, args as string[], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      log.warn({ process: name, err: (err as Error).message }, 'cannot start the process');
      this.scheduleRestart();
      return;
    }
    this.child = child;
    const pid = child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    log.info({ process: name, childPid: pid, cmd: redactTokens([command, ...args].join(' ')) }, 'process started');
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      partial += text;
      const lines = partial.split(/\r\n|\r|\n/);
      partial = lines.pop() ?? '';
      if (partial.length > MAX_LINE) {
        lines.push(partial);
        partial = '';
      }
      for (const line of lines) this.logLine(line, pid);
    });
    child.on('error', (err) => {
      // Spawn failures (ENOENT) arrive here, followed by 'close'.
      log.warn({ process: name, err: err.message }, 'process error');
    });
    child.on('close', (code, signal) => {
      if (partial) this.logLine(partial, pid);
      partial = '';
      if (pid !== undefined) {
        liveGroups.delete(pid);
        // The leader is gone; anything it forked into the group goes with it.
        killGroup(pid, 'SIGKILL');
      }
      this.child = null;
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      for (const w of waiters) w();
      if (this.stopping) {
        log.info({ process: name, childPid: pid, code, signal }, 'process stopped');
        return;
      }
      log.warn({ process: name, childPid: pid, code, signal, restartInMs: this.nextDelay() }, 'process exited: restarting');
      this.scheduleRestart();
    });
  }

  private logLine(raw: string, pid: number | undefined): void {
    // ffmpeg quotes its URLs in errors: an internal token must not reach the log.
    const line = redactTokens(raw.trim().slice(0, MAX_LINE));
    if (!line) return;
    if (TROUBLE.test(line)) this.opts.log.warn({ process: this.name, childPid: pid, line }, 'process stderr');
    else this.opts.log.debug({ process: this.name, childPid: pid, line }, 'process stderr');
  }

  /** The delay before the next restart, given how long the last run lasted. */
  private nextDelay(): number {
    const initial = this.opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    if (Date.now() - this.startedAt >= (this.opts.stableMs ?? DEFAULT_STABLE_MS)) this.backoffMs = initial;
    return this.backoffMs;
  }

  private scheduleRestart(): void {
    const delay = this.nextDelay();
    this.backoffMs = Math.min(delay * 2, this.opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS);
    this.restartTimer = setTimeout(() => this.spawnChild(), delay);
  }

  /** SIGTERM to the group, SIGKILL after the grace period; resolves once the child is gone. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child || child.pid === undefined) return Promise.resolve();
    const pgid = child.pid;
    const done = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    killGroup(pgid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pgid, 'SIGKILL'), this.opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    return done.finally(() => clearTimeout(timer));
  }

  /** SIGKILL to the group at once (synchronous): for a thread that is going away. */
  kill(): void {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const pid = this.child?.pid;
    if (pid !== undefined) {
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    }
  }
}
