/**
 * One workspace: status, details and a live idle countdown, its actions, the events (progress while
 * Creating, polled with `?after=`), the connection (attach command) and the container logs.
 */
import { workspaceActions, type ActionBar } from './actions';
import { alertProblem, announce } from './feedback';
import { ApiError, type Api } from './api';
import { h, replace, setText } from './dom';
import { attachLine, idleText, inFlight, since, sourceText, statusBadge, updateBadge } from './format';
import type { View, Workspace } from './types';

/** The workspace page (`#/workspaces/<id>`). */
export function workspaceView(api: Api, id: string): View {
  const heading = h('h1', { tabindex: '-1' }, 'Workspace');
  const badge = statusBadge('Pending');
  const reason = h('p', { class: 'reason' });
  const details = h('dl', { class: 'details' });
  const countdown = h('time', { class: 'countdown' });
  const events = h('ol', { class: 'events' });
  const eventLog = h('div', { role: 'log', 'aria-label': 'Events' }, events);
  const attach = h('code', { class: 'attach' }, 'available once the workspace is running');
  const logs = h('pre', { class: 'logs', tabindex: '0', 'aria-label': 'Container logs' }, 'Logs appear once the workspace is running.');
  const refreshLogs = h('button', { type: 'button', class: 'secondary' }, 'Refresh logs');
  const actionsSlot = h('div');
  let ws: Workspace | undefined;
  let bar: ActionBar | undefined;
  let after: string | undefined;
  let stopped = false;
  let timer = 0;
  let connected = false;

  const dd = (term: string, value: Node | string) => [h('dt', {}, term), h('dd', {}, value)];

  const render = (next: Workspace) => {
    const before = ws?.status;
    ws = next;
    if (before && before !== next.status) announce(`${next.name} is ${next.status}`);
    setText(heading, next.name);
    document.title = `${next.name} · workbay`;
    updateBadge(badge, next.status);
    setText(reason, next.statusReason ?? '');
    if (next.idleDeadline) countdown.setAttribute('datetime', next.idleDeadline);
    replace(details, ...dd('Owner', next.owner), ...dd('Provider', next.provider), ...dd('Source', sourceText(next)),
      ...dd('Created', new Date(next.createdAt).toLocaleString()), ...dd('Last activity', since(next.lastActivityAt)),
      ...dd('Idle stop', countdown), ...dd('Stop reason', next.stopReason ?? '—'));
    if (!bar) {
      bar = workspaceActions(api, next, () => void poll());
      actionsSlot.appendChild(bar.el);
    }
    bar.update(next);
    if (next.status === 'Running' && !connected) {
      connected = true;
      void loadConnection();
      void loadLogs();
    }
    if (next.status !== 'Running') connected = false;
    tick();
  };

  const loadConnection = async () => {
    try {
      setText(attach, attachLine(await api.connection(id)));
    } catch (err) {
      setText(attach, err instanceof Error ? err.message : String(err));
    }
  };
  const loadLogs = async () => {
    try {
      const text = await api.logs(id);
      setText(logs, text || '(no output yet)');
    } catch (err) {
      setText(logs, err instanceof Error ? err.message : String(err));
    }
  };
  refreshLogs.addEventListener('click', () => void loadLogs());

  const pollEvents = async () => {
    for (;;) {
      const { items } = await api.events(id, after);
      for (const e of items) {
        events.appendChild(h('li', {}, h('time', { datetime: e.at }, new Date(e.at).toLocaleTimeString()), ' ', h('span', { class: 'event-type' }, e.type), ' ', h('span', { class: 'event-message' }, e.message)));
        after = e.id;
      }
      if (items.length < 100) return;
    }
  };

  const poll = async () => {
    window.clearTimeout(timer);
    if (document.hidden) {
      document.addEventListener('visibilitychange', () => void poll(), { once: true });
      return;
    }
    try {
      render(await api.getWorkspace(id));
      await pollEvents();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        if (ws) announce(`${ws.name} is gone`);
        setText(heading, ws ? `${ws.name} (deleted)` : 'Workspace not found');
        replace(actionsSlot, h('p', {}, 'This workspace does not exist (any more). ', h('a', { href: '#/' }, 'Back to the list')));
        return;
      }
      alertProblem(err instanceof Error ? err.message : String(err));
    }
    if (!stopped) timer = window.setTimeout(poll, ws && inFlight(ws) ? 1000 : 3000);
  };

  const tick = () => { if (ws) setText(countdown, idleText(ws)); };
  const ticker = window.setInterval(tick, 1000);
  void poll();

  const el = h('section', { 'aria-labelledby': 'ws-title' },
    h('p', {}, h('a', { href: '#/' }, '← All workspaces')),
    h('div', { class: 'title-row' }, heading, badge), reason, details, actionsSlot,
    h('section', { 'aria-labelledby': 'ev-title', class: 'card' }, h('h2', { id: 'ev-title' }, 'Progress and events'), eventLog),
    h('section', { 'aria-labelledby': 'conn-title', class: 'card' }, h('h2', { id: 'conn-title' }, 'Connection'), h('p', {}, 'Attach command: ', attach)),
    h('section', { 'aria-labelledby': 'logs-title', class: 'card' }, h('h2', { id: 'logs-title' }, 'Logs'), refreshLogs, logs));
  heading.id = 'ws-title';
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
