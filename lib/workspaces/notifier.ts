import { EventEmitter } from 'node:events';

/**
 * In-process "this workspace changed" signal. Waiters poll the store anyway (another process may do
 * the work on AWS); the signal only lets an in-process waiter look again at once instead of after
 * the next poll interval.
 */
export class ChangeNotifier {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(id: string): void {
    this.emitter.emit(id);
  }

  /** Resolves on the next change of `id` or after `ms`, whichever comes first. */
  wait(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(id, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.emitter.once(id, done);
    });
  }
}
