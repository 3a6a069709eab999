/**
 * The portal's entry: signs in (or restores the tab's session), then routes by the URL's hash —
 * `#/` the list, `#/new` the create form, `#/workspaces/<id>` one workspace, `#/admin` for admins.
 * The token never appears in the URL; the hash holds only the page.
 */
import { adminView } from './admin-view';
import { alertProblem, announce } from './feedback';
import { Api } from './api';
import { createView } from './create-view';
import { h, replace } from './dom';
import { listView } from './list-view';
import { forgetToken, signIn, signInView, storedToken, type Session } from './sign-in';
import type { View } from './types';
import { workspaceView } from './workspace-view';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
let session: Session | undefined;
let current: View | undefined;
let notice: string | undefined;

function show(view: View, title: string): void {
  current?.dispose();
  current = view;
  alertProblem(undefined);
  replace(main, view.el);
  document.title = `${title} · workbay`;
  view.focus?.focus();
}

function signOut(message?: string): void {
  forgetToken();
  session = undefined;
  notice = message;
  if (!message) announce('Signed out');
  route();
}

function renderNav(page: string): void {
  if (!session) return replace(nav);
  const link = (href: string, label: string, name: string) => h('a', { href, 'aria-current': page === name ? 'page' : undefined }, label);
  const out = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
  out.addEventListener('click', () => signOut());
  replace(nav, link('#/', 'Workspaces', 'list'), session.admin ? link('#/admin', 'Admin', 'admin') : null,
    h('span', { class: 'who' }, session.admin ? `Signed in as ${session.owner ?? 'an admin'} (admin)` : 'Signed in'), out);
}

function route(): void {
  if (!session) {
    renderNav('sign-in');
    show(signInView((s) => {
      session = s;
      notice = undefined;
      announce('Signed in');
      if (location.hash && location.hash !== '#/') route();
      else route();
    }, notice), 'Sign in');
    return;
  }
  const api = new Api(session.token, (message) => signOut(`Signed out: ${message}. Sign in again.`));
  const hash = location.hash || '#/';
  const ws = /^#\/workspaces\/([0-9A-HJKMNP-TV-Z]{26})$/.exec(hash);
  if (ws) {
    renderNav('workspace');
    return show(workspaceView(api, ws[1]!), 'Workspace');
  }
  if (hash === '#/new') {
    renderNav('new');
    return show(createView(api), 'New workspace');
  }
  if (hash === '#/admin' && session.admin) {
    renderNav('admin');
    return show(adminView(api), 'Administration');
  }
  renderNav('list');
  show(listView(api, session), 'Workspaces');
}

async function boot(): Promise<void> {
  const token = storedToken();
  if (token) {
    try {
      session = await signIn(token);
    } catch (err) {
      forgetToken();
      notice = `Signed out: ${err instanceof Error ? err.message : String(err)}. Sign in again.`;
    }
  }
  window.addEventListener('hashchange', route);
  route();
}

void boot();
