/**
 * Who is signed in, and the sign-in page (a "Token" field and a "Sign in" button). The bearer token is pasted once and kept in sessionStorage (gone when the tab
 * closes, never in the URL, never in a cookie the browser would send by itself).
 */
import { Api, ApiError } from './api';
import { field, h, setFieldError } from './dom';
import type { View } from './types';

const KEY = 'workbay.token';

/** The signed-in caller. */
export interface Session {
  token: string;
  admin: boolean;
  /** Known for admins (from the token list); a user's owner name shows on their workspaces. */
  owner?: string;
}

/** The token of this tab, if signed in. */
export const storedToken = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;

/** Forgets the token (sign-out). */
export const forgetToken = (): void => sessionStorage.removeItem(KEY);

/** The public prefix of a token, as GET /v1/tokens lists it (lib/api/tokens.ts tokenHint). */
async function tokenHint(token: string): Promise<string | undefined> {
  if (token.startsWith('wbt_') && token.length >= 40) return token.slice(0, 10);
  if (!crypto.subtle) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return `wbh_${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 10)}`;
}

/**
 * Checks the token against the API and finds out the role: the token list answers admins only.
 * @throws ApiError 401 for a wrong, revoked or expired token.
 */
export async function signIn(token: string): Promise<Session> {
  const api = new Api(token);
  await api.listWorkspaces({});
  let session: Session = { token, admin: false };
  try {
    const { items } = await api.tokens();
    const hint = await tokenHint(token);
    session = { token, admin: true, owner: items.find((t) => t.prefix === hint)?.owner };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 403) throw err;
  }
  sessionStorage.setItem(KEY, token);
  return session;
}

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
