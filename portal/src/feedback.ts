/**
 * How the portal tells people things: live regions (status changes go to the `role=status` region,
 * politely; failures to the `role=alert` one, so a screen reader hears both without moving focus) and
 * a modal confirmation (a native <dialog>: focus stays inside, Escape cancels).
 */
import { h } from './dom';

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


/** Asks `question`; resolves true when the person presses the confirming button. */
export function confirmAction(o: { title: string; body: string; confirm: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = `dlg-${Date.now()}`;
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const ok = h('button', { type: 'button', class: 'danger' }, o.confirm);
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'confirm' },
      h('h2', { id: titleId }, o.title), h('p', {}, o.body), h('div', { class: 'actions' }, cancel, ok));
    const done = (yes: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(yes);
    };
    cancel.addEventListener('click', () => done(false));
    ok.addEventListener('click', () => done(true));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
