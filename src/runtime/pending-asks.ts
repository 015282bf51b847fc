// The asks of one thread that wait for a reply. Each settles exactly once: by its reply,
// by its timeout, or when the thread it went to dies or this one shuts down.

interface PendingAsk {
  resolve: (v: any) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
  worker: number;
}

export class PendingAsks {
  private readonly waiting = new Map<number, PendingAsk>();
  private next = 1;

  /** A new ask to a thread; `id` goes into the envelope, `reply` to the caller. */
  open<R>(worker: number, timeoutMs: number, timedOut: () => Error): { id: number; reply: Promise<R> } {
    const id = this.next++;
    const reply = new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(timedOut());
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer, worker });
    });
    return { id, reply };
  }

  settle(id: number, ok: boolean, value: unknown): void {
    const a = this.waiting.get(id);
    if (a === undefined) return;
    this.waiting.delete(id);
    clearTimeout(a.timer);
    if (ok) a.resolve(value);
    else a.reject(value);
  }

  /** Rejects every ask that went to `worker` (or every ask, with null). */
  fail(worker: number | null, error: () => Error): void {
    for (const [id, a] of this.waiting) if (worker === null || a.worker === worker) this.settle(id, false, error());
  }
}
