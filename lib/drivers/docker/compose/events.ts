import type Docker from 'dockerode';

/**
 * The container actions a dependency wait wakes on. Docker names a health change
 * `health_status: healthy` (its filter matches the prefix) and an exit `die`; Podman 4 sends
 * `health_status` and `die` but filters an exit by its own name, `died`. Each engine ignores the
 * other's spelling.
 */
const ACTIONS = ['start', 'die', 'died', 'health_status'];

/** A subscription to one container's events. */
export interface ContainerEvents {
  /** Settles when the stream ends: the engine closed it, it failed, or close() was called. */
  ended: Promise<void>;
  /** Ends the subscription: aborts the request, or destroys the stream once it is open. */
  close(): void;
}

/**
 * Follows the engine's events for one container from `sinceSec` (engine clock, seconds), calling
 * `onEvent` with each event's action. Events from `sinceSec` on are replayed, so nothing is missed
 * between an inspect that read `State.StartedAt` and the subscription: Podman 4.3 answers the
 * request only with its first event, so the subscription cannot be awaited before inspecting.
 */
export function followContainer(docker: Docker, id: string, sinceSec: number | undefined, onEvent: (action: string) => void): ContainerEvents {
  const abort = new AbortController();
  const ended = new Promise<void>((resolve) => {
    const options = {
      ...(sinceSec !== undefined ? { since: sinceSec } : {}),
      filters: { type: ['container' as const], container: [id], event: ACTIONS },
      abortSignal: abort.signal,
    } as Docker.GetEventsOptions;
    docker.getEvents(options).then((stream) => {
      if (abort.signal.aborted) {
        (stream as unknown as { destroy(): void }).destroy();
        return;
      }
      abort.signal.addEventListener('abort', () => (stream as unknown as { destroy(): void }).destroy(), { once: true });
      let rest = '';
      stream.on('data', (chunk: Buffer | string) => {
        const lines = `${rest}${chunk.toString()}`.split('\n');
        rest = lines.pop() ?? '';
        // An event is a few hundred bytes: a line that never ends is dropped, not buffered.
        if (rest.length > 1 << 20) rest = '';
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            const e = JSON.parse(line) as { Action?: string; status?: string };
            onEvent(e.Action ?? e.status ?? '');
          } catch {
            // Not an event line: a wake-up costs one inspect, so treat it as one.
            onEvent('');
          }
        }
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    }, () => resolve());
  });
  return { ended, close: () => abort.abort() };
}
