import { EventEmitter } from 'node:events';
import type { WorkspaceRecord } from '../store';

/**
 * In-process "this workspace changed" signal. Waiters poll the store anyway (another process may do
 * the work on AWS); the signal only lets an in-process waiter look again at once instead of after
 * the next poll interval, and hands over the record just written when the notifier has it, so the
 * waiter need not read it back.
 */
export class ChangeNotifier {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  /** `record` is the version just written (absent when unknown, e.g. the workspace is gone). */
  notify(id: string, record?: WorkspaceRecord): void {
    this.emitter.emit(id, record);
  }

  /** Resolves on the next change of `id` (with the record written, if the notifier gave one) or after `ms`, whichever comes first. */
  wait(id: string, ms: number): Promise<WorkspaceRecord | undefined> {
    return new Promise((resolve) => {
      const done = (record?: WorkspaceRecord) => {
        clearTimeout(timer);
        this.emitter.off(id, done);
        resolve(record);
      };
      const timer = setTimeout(done, ms);
      this.emitter.once(id, done);
    });
  }
}
