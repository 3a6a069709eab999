import type { EventRecord, WorkspaceRecord } from '../store';

/** A Slack message body (response_url or the acknowledgement). */
export interface SlackMessage {
  response_type: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
  text: string;
  blocks?: unknown[];
}

/** An ephemeral reply: only the user who typed the command sees it. */
export function ephemeral(text: string): SlackMessage {
  return { response_type: 'ephemeral', text };
}

/** Event types that are followed up on the response_url of the command that asked for the workspace. */
export const FOLLOWED_EVENTS = new Set(['workspace.running', 'workspace.error', 'workspace.idle-warning', 'workspace.stopped']);

/** True when an event is worth a follow-up: a stop only when inactivity did it (the user asked for the others). */
export function followsUp(e: EventRecord): boolean {
  if (!FOLLOWED_EVENTS.has(e.type)) return false;
  return e.type !== 'workspace.stopped' || e.data?.stopReason === 'inactivity';
}

const mrkdwn = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
/** Slack's mrkdwn treats these three as control characters; everything else from a user is shown as typed. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Block Kit follow-up for one event: what happened, and the command to attach. */
export function followUpMessage(ws: WorkspaceRecord, e: EventRecord): SlackMessage {
  const name = esc(ws.name);
  const attach = `workbay ssh ${ws.name}`;
  const [icon, headline] = e.type === 'workspace.running' ? [':large_green_circle:', `*${name}* is running`]
    : e.type === 'workspace.error' ? [':red_circle:', `*${name}* failed: ${esc(e.message)}`]
      : e.type === 'workspace.idle-warning' ? [':hourglass_flowing_sand:', `*${name}* is idle and will be stopped soon: ${esc(e.message)}`]
        : [':double_vertical_bar:', `*${name}* was stopped for inactivity; \`/workbay start ${name}\` brings it back`];
  const blocks: unknown[] = [mrkdwn(`${icon} ${headline}`)];
  if (e.type !== 'workspace.stopped') blocks.push(mrkdwn(`Attach with \`${attach}\``));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `provider ${esc(ws.provider)} · id ${ws.id}` }] });
  const plain = headline.replace(/\*/g, '');
  return { response_type: 'ephemeral', replace_original: false, text: e.type === 'workspace.stopped' ? plain : `${plain}; attach with ${attach}`, blocks };
}

/** `/workbay help`. */
export const SLACK_HELP = [
  '*workbay* commands:',
  '`/workbay up <image | git-url[#ref]> [provider]` make a workspace (follow-ups come here)',
  '`/workbay list` your workspaces',
  '`/workbay status <ws>` · `/workbay stop <ws>` · `/workbay start <ws>` · `/workbay delete <ws>`',
  '`/workbay link <token>` act as the owner of a workbay token (the token is not stored)',
].join('\n');
