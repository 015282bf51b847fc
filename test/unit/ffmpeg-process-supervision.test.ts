import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SupervisedProcess, type ProcessLog } from '../../src/actors/ffmpeg/ffmpeg-process.ts';

interface Line {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

function recorder(): { log: ProcessLog; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn') }, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(fn: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('each stderr line becomes a log line: trouble at warn, the rest at debug', async () => {
  const { log, lines } = recorder();
  const p = new SupervisedProcess({
    name: 't', command: 'sh', args: ['-c', 'printf "frame= 1\\rframe= 2\\nError opening input\\n" >&2; sleep 5'], log,
  });
  p.start();
  await until(() => lines.some((l) => l.obj.line === 'Error opening input'), 3000, 'stderr lines');
  await p.stop();
  const stderr = lines.filter((l) => l.msg === 'process stderr');
  assert.deepEqual(stderr.map((l) => [l.level, l.obj.line]), [['debug', 'frame= 1'], ['debug', 'frame= 2'], ['warn', 'Error opening input']]);
  assert.ok(lines.some((l) => l.msg === 'process started' && typeof l.obj.childPid === 'number'));
});

test('a process that dies is restarted with doubling delays, capped', async () => {
  const { log, lines } = recorder();
  const p = new SupervisedProcess({ name: 't', command: 'sh', args: ['-c', 'exit 3'], log, initialBackoffMs: 50, maxBackoffMs: 200 });
  p.start();
  await until(() => p.startCount >= 5, 3000, 'five starts');
  await p.stop();
  const delays = lines.filter((l) => l.msg === 'process exited: restarting').map((l) => l.obj.restartInMs);
  assert.deepEqual(delays.slice(0, 4), [50, 100, 200, 200]);
  const n = p.startCount;
  await sleep(300);
  assert.equal(p.startCount, n, 'no restart after stop');
});

test('a run longer than stableMs resets the backoff', async () => {
  const { log, lines } = recorder();
  const p = new SupervisedProcess({ name: 't', command: 'sh', args: ['-c', 'sleep 0.15'], log, initialBackoffMs: 30, stableMs: 100 });
  p.start();
  await until(() => p.startCount >= 3, 3000, 'three starts');
  await p.stop();
  const delays = lines.filter((l) => l.msg === 'process exited: restarting').map((l) => l.obj.restartInMs);
  assert.deepEqual(delays.slice(0, 2), [30, 30]);
});

test('stop kills the whole process group: a grandchild does not survive', async () => {
  const { log } = recorder();
  let grandchild = 0;
  const capture: ProcessLog = { ...log, debug: (obj) => { const l = (obj as { line?: string }).line; if (l && /^\d+$/.test(l)) grandchild = Number(l); } };
  const q = new SupervisedProcess({ name: 't', command: 'sh', args: ['-c', 'sleep 30 & echo $! >&2; wait'], log: capture });
  q.start();
  await until(() => grandchild > 0, 3000, 'grandchild pid');
  const pid = q.pid!;
  assert.ok(alive(grandchild));
  await q.stop();
  await until(() => !alive(grandchild) && !alive(pid), 3000, 'group gone');
});

test('a process that ignores SIGTERM is killed after the grace period', async () => {
  const { log, lines } = recorder();
  const p = new SupervisedProcess({ name: 't', command: 'sh', args: ['-c', 'trap "" TERM; echo ready >&2; while :; do sleep 0.05; done'], log, killGraceMs: 300 });
  p.start();
  await until(() => lines.some((l) => l.obj.line === 'ready'), 3000, 'ready');
  const started = Date.now();
  await p.stop();
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 2000, `stop took ${took} ms`);
  assert.equal(p.running, false);
});

test('kill() is synchronous SIGKILL; a missing command is retried, not thrown', async () => {
  const { log, lines } = recorder();
  const p = new SupervisedProcess({ name: 't', command: 'sh', args: ['-c', 'sleep 30'], log });
  p.start();
  const pid = p.pid!;
  p.kill();
  await until(() => !alive(pid), 3000, 'killed');
  const missing = new SupervisedProcess({ name: 'm', command: '/nonexistent/ffmpeg', args: [], log, initialBackoffMs: 20 });
  missing.start();
  await until(() => missing.startCount >= 2, 3000, 'retry');
  await missing.stop();
  assert.ok(lines.some((l) => l.msg === 'process error' && /ENOENT/.test(String(l.obj.err))));
});
