/** The sign-in page: one "Token" field and a "Sign in" button. */
import { ApiError } from './api';
import { field, h, setFieldError } from './dom';
import { signIn, type Session } from './session';
import type { View } from './view';

/** Shows the sign-in form; `done` gets the session once the API accepted the token. */
export function signInView(done: (s: Session) => void, notice?: string): View {
  const token = field('Token', h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false', required: true }),
    'A workbay bearer token (wbt_…) from your admin. It is kept in this tab only, until you sign out or close it.');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const heading = h('h1', { tabindex: '-1' }, 'Sign in to workbay');
  const form = h('form', { class: 'card sign-in', novalidate: true }, token.wrap, button);
  if (notice) setFieldError(token, notice);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (token.control as HTMLInputElement).value.trim();
    if (!value) return setFieldError(token, 'Paste your token.');
    setFieldError(token, undefined);
    button.disabled = true;
    try {
      done(await signIn(value));
    } catch (err) {
      setFieldError(token, err instanceof ApiError && err.status === 401 ? `Not accepted: ${err.message}.` : err instanceof Error ? err.message : String(err));
      token.control.focus();
    } finally {
      button.disabled = false;
    }
  });
  return { el: h('section', {}, heading, form), focus: token.control, dispose: () => undefined };
}
