/**
 * The workspace list: a row per workspace with its name, status word and dot, provider, source,
 * last activity, a live idle-stop countdown and stop reason, and its actions. Rows are updated in
 * place on every poll, so focus and a half-finished click are never lost to a re-render.
 */
import { workspaceActions, type ActionBar } from './actions';
import { alertProblem, announce } from './feedback';
import type { Api } from './api';
import { field, h, replace, setText } from './dom';
import { idleText, inFlight, since, sourceText, statusBadge, updateBadge } from './format';
import type { Session } from './sign-in';
import type { View, Workspace } from './types';

const STATUSES = ['Pending', 'Creating', 'Running', 'Stopping', 'Stopped', 'Starting', 'Deleting', 'Error'];

type CellName = 'name' | 'status' | 'provider' | 'source' | 'activity' | 'idle' | 'stopReason' | 'actions';
interface Row { tr: HTMLTableRowElement; ws: Workspace; badge: HTMLElement; cells: Record<CellName, HTMLElement>; bar: ActionBar }

/** The list page (`#/`). */
export function listView(api: Api, session: Session): View {
  const rows = new Map<string, Row>();
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No workspaces yet. Press "New workspace" to create one.');
  const statusFilter = field('Status', h('select', {}, h('option', { value: '' }, 'All'), ...STATUSES.map((s) => h('option', { value: s }, s))));
  const ownerFilter = session.admin ? field('Owner', h('input', { type: 'text', autocomplete: 'off', placeholder: 'your own' }), 'Admins: list another owner\'s workspaces.') : undefined;
  let timer = 0;
  let stopped = false;

  const refresh = async () => {
    window.clearTimeout(timer);
    // A tab in the background does not poll; it catches up when it is shown again.
    if (document.hidden) {
      document.addEventListener('visibilitychange', () => void refresh(), { once: true });
      return;
    }
    try {
      const { items } = await api.listWorkspaces({ status: statusFilter.control.value, owner: ownerFilter?.control.value.trim() });
      if (stopped) return;
      render(items);
    } catch (err) {
      if (!stopped) alertProblem(err instanceof Error ? err.message : String(err));
    }
    if (!stopped) timer = window.setTimeout(refresh, [...rows.values()].some((r) => inFlight(r.ws)) ? 1000 : 3000);
  };

  const render = (items: Workspace[]) => {
    const seen = new Set(items.map((w) => w.id));
    for (const [id, row] of rows) {
      if (seen.has(id)) continue;
      row.tr.remove();
      rows.delete(id);
      announce(`${row.ws.name} is gone`);
    }
    for (const ws of items) {
      const row = rows.get(ws.id);
      if (!row) {
        const made = makeRow(ws);
        rows.set(ws.id, made);
        tbody.appendChild(made.tr);
      } else {
        if (row.ws.status !== ws.status) announce(`${ws.name} is ${ws.status}`);
        update(row, ws);
      }
    }
    // Newest first, as the API answers.
    for (const ws of items) tbody.appendChild(rows.get(ws.id)!.tr);
    empty.hidden = rows.size > 0;
    tick();
  };

  const makeRow = (ws: Workspace): Row => {
    const cells: Record<CellName, HTMLElement> = {
      name: h('th', { scope: 'row' }, h('a', { href: `#/workspaces/${ws.id}` }, ws.name)),
      status: h('td'), provider: h('td'), source: h('td', { class: 'source' }), activity: h('td'),
      idle: h('td', {}, h('time', { class: 'countdown' })), stopReason: h('td'), actions: h('td'),
    };
    const badge = statusBadge(ws.status);
    cells.status.append(badge, h('span', { class: 'reason' }));
    const bar = workspaceActions(api, ws, () => void refresh());
    cells.actions.append(bar.el);
    const tr = h('tr', { 'data-id': ws.id }, ...Object.values(cells));
    const row = { tr, ws, badge, cells, bar };
    update(row, ws);
    return row;
  };

  const update = (row: Row, ws: Workspace) => {
    row.ws = ws;
    updateBadge(row.badge, ws.status);
    setText(row.cells.status.querySelector('.reason')!, ws.statusReason ? ` ${ws.statusReason}` : '');
    setText(row.cells.provider, ws.provider);
    setText(row.cells.source, sourceText(ws));
    setText(row.cells.stopReason, ws.stopReason ?? '');
    const time = row.cells.idle.querySelector('time')!;
    if (ws.idleDeadline) time.setAttribute('datetime', ws.idleDeadline);
    else time.removeAttribute('datetime');
    row.bar.update(ws);
  };

  const tick = () => {
    const now = Date.now();
    for (const row of rows.values()) {
      setText(row.cells.idle.querySelector('time')!, idleText(row.ws, now));
      setText(row.cells.activity, row.ws.lastActivityAt ? `${since(row.ws.lastActivityAt, now)}${row.ws.lastActivitySource ? ` (${row.ws.lastActivitySource})` : ''}` : 'never');
    }
  };
  const ticker = window.setInterval(tick, 1000);

  statusFilter.control.addEventListener('change', () => void refresh());
  ownerFilter?.control.addEventListener('change', () => void refresh());

  const heading = h('h1', { tabindex: '-1' }, 'Workspaces');
  const newButton = h('button', { type: 'button', class: 'primary', onclick: () => { location.hash = '#/new'; } }, 'New workspace');
  const table = h('table', { class: 'workspaces' },
    h('caption', { class: 'visually-hidden' }, 'Workspaces, newest first'),
    h('thead', {}, h('tr', {}, ...['Name', 'Status', 'Provider', 'Source', 'Last activity', 'Idle stop', 'Stop reason', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  const el = h('section', { 'aria-labelledby': 'list-title' },
    h('div', { class: 'title-row' }, heading, newButton),
    h('div', { class: 'filters' }, statusFilter.wrap, ownerFilter?.wrap),
    h('div', { class: 'table-wrap' }, table), empty);
  heading.id = 'list-title';
  replace(tbody);
  void refresh();
  return {
    el,
    focus: heading,
    dispose: () => {
      stopped = true;
      window.clearTimeout(timer);
      window.clearInterval(ticker);
    },
  };
}
