// Ingesters: the ffmpeg processes that pull each enabled `ingest` of every vhost (a file,
// looped as SRS loops it, or a stream URL) and publish it into this server, one per
// engine. One actor for the whole server, on the main thread (spawned by server.ts), so
// that each ingest runs exactly once whatever the number of workers, and a worker that
// dies takes no ffmpeg with it. `reconcile` brings the running set in line with a
// configuration: new jobs start, removed or changed ones stop.

import { registerActor, type Actor, type ActorContext } from '../../runtime/index.ts';
import type { SluiceConfig } from '../../config/types.ts';
import { INGEST_OUTPUT } from '../../config/schema.ts';
import { SupervisedProcess } from './ffmpeg-process.ts';
import { ingestJobs, localRtmpAddress, type IngestJob } from './ffmpeg-args.ts';

export interface IngestersArgs {
  config: SluiceConfig;
}

export type IngestersMsg =
  | { type: 'ingest/reconcile'; config: SluiceConfig }
  | { type: 'ingest/list' };

interface Running {
  job: IngestJob;
  fingerprint: string;
  proc: SupervisedProcess;
}

/** Every ingest job a configuration asks for, by key. */
export function plannedJobs(config: SluiceConfig): Map<string, IngestJob> {
  const { host, port } = localRtmpAddress(config);
  const jobs = new Map<string, IngestJob>();
  for (const [vhost, v] of Object.entries(config.vhosts)) {
    if (!v.enabled) continue;
    for (const ingest of v.ingest) {
      for (const job of ingestJobs(vhost, ingest, port, INGEST_OUTPUT, { config: v.auth, host })) jobs.set(job.key, job);
    }
  }
  return jobs;
}

export class Ingesters implements Actor {
  private readonly running = new Map<string, Running>();
  private readonly ctx: ActorContext;

  constructor(args: IngestersArgs, ctx: ActorContext) {
    this.ctx = ctx;
    this.reconcile(args.config);
  }

  receive(msg: IngestersMsg): unknown {
    switch (msg.type) {
      case 'ingest/reconcile':
        this.reconcile(msg.config);
        return true;
      case 'ingest/list':
        return [...this.running.values()].map((r) => ({ key: r.job.key, pid: r.proc.pid ?? null, starts: r.proc.startCount }));
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  /** Starts what the config has and we do not run; stops what we run and it no longer has. */
  reconcile(config: SluiceConfig): void {
    const wanted = plannedJobs(config);
    for (const [key, r] of this.running) {
      const job = wanted.get(key);
      if (job && fingerprintOf(job) === r.fingerprint) continue;
      this.ctx.log.info({ ingest: key }, 'ingest stopped by the configuration');
      void r.proc.stop();
      this.running.delete(key);
    }
    for (const [key, job] of wanted) {
      if (this.running.has(key)) continue;
      const proc = new SupervisedProcess({ name: job.name, command: job.command, args: job.args, log: this.ctx.log });
      this.running.set(key, { job, fingerprint: fingerprintOf(job), proc });
      proc.start();
    }
  }

  stopped(): void {
    // SIGTERM now; the grace timer (or the thread's exit hook) SIGKILLs stragglers.
    for (const r of this.running.values()) void r.proc.stop();
    this.running.clear();
  }
}

function fingerprintOf(job: IngestJob): string {
  return JSON.stringify([job.command, job.args]);
}

registerActor('server/ingesters', (args: IngestersArgs, ctx: ActorContext) => new Ingesters(args, ctx));
