/**
 * `load` run on the first call and its promise kept for every later call; a load that fails is
 * forgotten, so the next call tries again instead of every caller getting the old failure.
 */
export function onceUntilFailed<T>(load: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => (kept ??= load().catch((err: unknown) => {
    kept = undefined;
    throw err;
  }));
}
