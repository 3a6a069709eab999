/** Polls `read` until `pred` holds or `ms` pass; returns the last value read. */
export async function pollUntil<T>(read: () => Promise<T>, pred: (value: T) => boolean, ms = 60_000, everyMs = 250): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (pred(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
