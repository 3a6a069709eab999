/**
 * Live regions: status changes go to the `role=status` region (polite), failures to the
 * `role=alert` one, so a screen reader hears both without moving focus.
 */

const region = (id: string) => document.getElementById(id);

/** Announces a status change, e.g. "demo is Running". */
export function announce(message: string): void {
  const el = region('announcer');
  if (!el) return;
  // Same text twice in a row is still news (a second Stop); clearing first makes it read again.
  el.textContent = '';
  window.setTimeout(() => { el.textContent = message; }, 30);
}

/** Shows (or clears, with undefined) a failure at the top of the page. */
export function alertProblem(message: string | undefined): void {
  const el = region('alert');
  if (!el) return;
  el.hidden = !message;
  el.textContent = message ?? '';
}
