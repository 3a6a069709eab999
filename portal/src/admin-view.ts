/**
 * Admins: the providers (options as the API returns them, secrets already masked) and the tokens
 * (issue, list, revoke). The page only reads what the public API gives; nothing is unmasked here.
 */
import { ApiError, type Api } from './api';
import { alertProblem, announce, confirmAction } from './feedback';
import { field, h, replace, setFieldError, setText } from './dom';
import { duration, since } from './format';
import type { Provider, TokenInfo, View } from './types';

const table = (caption: string, head: string[], body: HTMLTableSectionElement) => h('div', { class: 'table-wrap' },
  h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))), body));

function providerRow(p: Provider): HTMLTableRowElement {
  const options = h('ul', { class: 'options' }, ...p.options.map((o) => h('li', {},
    h('code', {}, o.name), ' = ', h('code', { class: 'option-value' }, o.value ?? '(unset)'), o.password ? ' (secret)' : '', ` · ${o.source}`)));
  return h('tr', { 'data-provider': p.name },
    h('th', { scope: 'row' }, p.name), h('td', {}, p.driver),
    h('td', {}, p.inactivityTimeoutSeconds ? duration(p.inactivityTimeoutSeconds) : 'never'),
    h('td', {}, p.options.length ? options : 'none'),
    h('td', {}, p.warnings.length ? h('ul', {}, ...p.warnings.map((w) => h('li', {}, w))) : 'none'));
}

/** The admin page (`#/admin`). */
export function adminView(api: Api): View {
  const providers = h('tbody');
  const tokens = h('tbody');
  const heading = h('h1', { tabindex: '-1' }, 'Administration');

  const loadProviders = async () => {
    const { items } = await api.providers();
    replace(providers, ...(items.length ? items.map(providerRow) : [h('tr', {}, h('td', { colspan: '5' }, 'No providers yet (add them with `workbay provider add`).'))]));
  };

  const tokenRow = (t: TokenInfo) => {
    const revoke = h('button', { type: 'button', class: 'danger' }, 'Revoke');
    revoke.addEventListener('click', async () => {
      if (!(await confirmAction({ title: `Revoke ${t.prefix}?`, body: `${t.owner}'s token stops working with the next request.`, confirm: 'Revoke' }))) return;
      try {
        await api.revokeToken(t.prefix);
        announce(`Token ${t.prefix} revoked`);
      } catch (err) {
        alertProblem(err instanceof Error ? err.message : String(err));
      }
      void loadTokens();
    });
    return h('tr', {}, h('th', { scope: 'row' }, h('code', {}, t.prefix)), h('td', {}, t.owner), h('td', {}, t.role),
      h('td', {}, t.description ?? ''), h('td', {}, since(t.lastUsedAt)),
      h('td', {}, t.expired ? 'expired' : t.expiresAt ? new Date(t.expiresAt).toLocaleString() : 'never'), h('td', {}, revoke));
  };
  const loadTokens = async () => {
    const { items } = await api.tokens();
    replace(tokens, ...items.map(tokenRow));
  };

  const owner = field('Owner', h('input', { type: 'text', autocomplete: 'off', required: true }));
  const role = field('Role', h('select', {}, h('option', { value: 'user' }, 'user'), h('option', { value: 'admin' }, 'admin')));
  const description = field('Description', h('input', { type: 'text', autocomplete: 'off' }));
  const expires = field('Expires in', h('input', { type: 'text', autocomplete: 'off', placeholder: '90d' }), 'Optional: 12h, 90d; empty = never.');
  const issued = h('output', { class: 'issued', hidden: true });
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'issue-title' },
    h('h3', { id: 'issue-title' }, 'Issue a token'), owner.wrap, role.wrap, description.wrap, expires.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Issue token')), issued);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const x of [owner, description, expires]) setFieldError(x, undefined);
    try {
      const t = await api.issueToken({
        owner: owner.control.value.trim(), role: role.control.value,
        ...(description.control.value.trim() ? { description: description.control.value.trim() } : {}),
        ...(expires.control.value.trim() ? { expiresIn: expires.control.value.trim() } : {}),
      });
      issued.hidden = false;
      setText(issued, `Token for ${t.owner} (shown once, copy it now): ${t.token}`);
      announce(`Token ${t.prefix} issued for ${t.owner}`);
      void loadTokens();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const byName = { owner, description, expiresIn: expires, expiresAt: expires } as const;
      let shown = false;
      for (const fe of err.errors) {
        const key = fe.field.replace(/^(body|json)\./, '') as keyof typeof byName;
        if (byName[key]) { setFieldError(byName[key], fe.message); shown = true; }
      }
      if (!shown) alertProblem(err.message);
    }
  });

  void Promise.all([loadProviders(), loadTokens()]).catch((err: unknown) => alertProblem(err instanceof Error ? err.message : String(err)));
  const el = h('section', { 'aria-labelledby': 'admin-title' }, heading,
    h('section', { 'aria-labelledby': 'prov-title' }, h('h2', { id: 'prov-title' }, 'Providers'),
      table('Providers (secret option values are masked by the API)', ['Name', 'Driver', 'Idle stop', 'Options', 'Warnings'], providers)),
    h('section', { 'aria-labelledby': 'tok-title' }, h('h2', { id: 'tok-title' }, 'Tokens'),
      table('Tokens (the secrets are never listed)', ['Prefix', 'Owner', 'Role', 'Description', 'Last used', 'Expires', 'Actions'], tokens), form));
  heading.id = 'admin-title';
  return { el, focus: heading, dispose: () => undefined };
}
