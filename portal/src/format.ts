/** How the portal words times, statuses, sources and attach commands. */
import { h } from './dom';
import type { Connection, Status, Workspace } from './types';

/** `1h 02m 03s`, `4m 59s`, `12s` for a number of seconds. */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (hours) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** The idle-stop column: a live countdown while Running, otherwise why there is none. */
export function idleText(ws: Workspace, now = Date.now()): string {
  if (ws.status !== 'Running') return 'not running';
  if (!ws.inactivityTimeoutSeconds || !ws.idleDeadline) return 'never';
  const left = (Date.parse(ws.idleDeadline) - now) / 1000;
  return left <= 0 ? 'due now' : `stops in ${duration(left)}`;
}

/** `12s ago`, `3m 04s ago`, or the date for anything older than a day. */
export function since(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = (now - Date.parse(iso)) / 1000;
  if (s < 86_400) return `${duration(s)} ago`;
  return new Date(iso).toLocaleString();
}

/** The source as one line: the image, or the git URL with its ref. */
export function sourceText(ws: Workspace): string {
  if ('image' in ws.source) return ws.source.image;
  if ('upload' in ws.source) return `${ws.source.upload.folder ?? 'a folder'} (uploaded)`;
  return ws.source.git.ref ? `${ws.source.git.url} (${ws.source.git.ref})` : ws.source.git.url;
}

const TONE: Record<Status, string> = {
  Running: 'ok', Stopped: 'idle', Error: 'bad', Pending: 'busy', Creating: 'busy', Stopping: 'busy', Starting: 'busy', Deleting: 'busy',
};

/** Status as a word with a coloured dot beside it (the word carries the meaning, the dot only helps). */
export function statusBadge(status: Status): HTMLSpanElement {
  const badge = h('span', { class: `status tone-${TONE[status] ?? 'idle'}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'status-word' }, status));
  return badge;
}

/** Updates a badge made by statusBadge in place. */
export function updateBadge(badge: HTMLElement, status: Status): void {
  badge.className = `status tone-${TONE[status] ?? 'idle'}`;
  const word = badge.querySelector('.status-word');
  if (word && word.textContent !== status) word.textContent = status;
}

/** Whether the workspace is on its way somewhere (the page polls faster then). */
export const inFlight = (ws: Workspace) => ['Pending', 'Creating', 'Stopping', 'Starting', 'Deleting'].includes(ws.status);

/** Quotes one word for a POSIX shell when it needs it (as the CLI prints it). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The attach command as one line to paste into a shell, its environment as `KEY=VALUE ` prefixes. */
export function attachLine(c: Connection): string {
  const env = Object.entries(c.env).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
  return `${env}${c.attach.map(shellQuote).join(' ')}`;
}
