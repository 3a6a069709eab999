/**
 * The buttons every workspace gets, in the list and on its own page: Stop, Start, Delete (after a
 * confirmation), Keep alive (the activity heartbeat) and Copy attach command.
 */
import { ApiError, type Api } from './api';
import { alertProblem, announce, confirmAction } from './feedback';
import { h, setText } from './dom';
import { attachLine } from './format';
import type { Workspace } from './types';

/** The buttons of one workspace; `update` enables what makes sense for its current state. */
export interface ActionBar {
  el: HTMLElement;
  update(ws: Workspace): void;
}

/** Builds the action bar; `changed` re-reads the workspace after an action. */
export function workspaceActions(api: Api, initial: Workspace, changed: () => void): ActionBar {
  let ws = initial;
  const copied = h('code', { class: 'attach-line', hidden: true });
  const run = (button: HTMLButtonElement, act: () => Promise<string | undefined>) => async () => {
    button.disabled = true;
    alertProblem(undefined);
    try {
      const said = await act();
      if (said) announce(said);
    } catch (err) {
      alertProblem(`${ws.name}: ${err instanceof ApiError || err instanceof Error ? err.message : String(err)}`);
    } finally {
      changed();
      bar.update(ws);
    }
  };
  const button = (label: string, cls: string, act: () => Promise<string | undefined>) => {
    const b = h('button', { type: 'button', class: cls });
    b.textContent = label;
    b.addEventListener('click', run(b, act));
    return b;
  };
  const stop = button('Stop', 'secondary', async () => { await api.stop(ws.id); return `Stopping ${ws.name}`; });
  const start = button('Start', 'secondary', async () => { await api.start(ws.id); return `Starting ${ws.name}`; });
  const del = button('Delete', 'danger', async () => {
    const yes = await confirmAction({
      title: `Delete ${ws.name}?`,
      body: 'This removes the container and the workspace volume. Work that is not pushed is lost.',
      confirm: 'Delete',
    });
    if (!yes) return undefined;
    await api.remove(ws.id);
    return `Deleting ${ws.name}`;
  });
  const keep = button('Keep alive', 'secondary', async () => {
    await api.keepAlive(ws.id);
    return `${ws.name} kept alive`;
  });
  const copy = button('Copy attach command', 'secondary', async () => {
    const line = attachLine(await api.connection(ws.id));
    copied.hidden = false;
    setText(copied, line);
    try {
      await navigator.clipboard.writeText(line);
      return 'Attach command copied';
    } catch {
      // No clipboard (plain http to a remote host, or denied): the command is shown to copy by hand.
      return 'Attach command shown below; copy it by hand';
    }
  });
  const bar: ActionBar = {
    el: h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${initial.name}` }, stop, start, keep, copy, del, copied),
    update(next) {
      ws = next;
      const gone = next.status === 'Deleting' || next.desiredState === 'Deleted';
      stop.disabled = gone || next.desiredState !== 'Running' || next.status === 'Error';
      start.disabled = gone || !(next.desiredState === 'Stopped' || next.status === 'Error');
      keep.disabled = next.status !== 'Running';
      copy.disabled = next.status !== 'Running';
      del.disabled = gone;
    },
  };
  bar.update(ws);
  return bar;
}
