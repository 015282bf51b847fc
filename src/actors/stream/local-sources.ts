// The StreamSources of one worker thread, held by its WorkerServices.

import type { ActorRef } from '../../runtime/index.ts';
import type { StreamSource } from './stream-source.ts';

/**
 * The StreamSources living on one thread: a reload reaches them, and their publisher's
 * session (on the same thread) hands them media by a plain call.
 */
export class LocalSources {
  private readonly sources = new Map<number, { ref: ActorRef; source: StreamSource }>();

  add(ref: ActorRef, source: StreamSource): void {
    this.sources.set(ref.id, { ref, source });
  }

  remove(ref: ActorRef): void {
    this.sources.delete(ref.id);
  }

  refs(): ActorRef[] {
    return [...this.sources.values()].map((s) => s.ref);
  }

  /** The StreamSource object behind a ref of this thread, or null. */
  objectOf(ref: ActorRef): StreamSource | null {
    const s = this.sources.get(ref.id);
    return s && s.ref.worker === ref.worker ? s.source : null;
  }
}
