/** A modal confirmation (a native <dialog>: focus stays inside, Escape cancels). */
import { h } from './dom';

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
