// An actor's queue: one flat array holding (message, askId, replyWorker) triples and a
// head index, so a tell costs three pushes and no allocation once the array has grown.
export class Mailbox {
  private q: unknown[] = [];
  private head = 0;

  get length(): number {
    return (this.q.length - this.head) / 3;
  }

  push(msg: unknown, askId: number, replyWorker: number): void {
    this.q.push(msg, askId, replyWorker);
  }

  /** Fields of the oldest entry; read them, then call shift(). */
  peekMsg(): unknown {
    return this.q[this.head];
  }
  peekAsk(): number {
    return this.q[this.head + 1] as number;
  }
  peekReplyWorker(): number {
    return this.q[this.head + 2] as number;
  }

  shift(): void {
    this.q[this.head] = undefined;
    this.head += 3;
    if (this.head === this.q.length) {
      this.q.length = 0;
      this.head = 0;
    } else if (this.head >= 3072 && this.head * 2 >= this.q.length) {
      this.q = this.q.slice(this.head);
      this.head = 0;
    }
  }

  /** Empties the queue, handing each pending ask to `onAsk` (to reject it). */
  drain(onAsk: (askId: number, replyWorker: number) => void): void {
    for (let i = this.head; i < this.q.length; i += 3) {
      const askId = this.q[i + 1] as number;
      if (askId !== 0) onAsk(askId, this.q[i + 2] as number);
    }
    this.q = [];
    this.head = 0;
  }
}
