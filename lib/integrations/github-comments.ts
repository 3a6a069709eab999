import { COMMAND_ASSOCIATIONS } from './config';
import { allowedRepo, desire, ensureHeadWorkspace, record, type GitHubContext, type InboundOutcome } from './github-pull-requests';

/** The fields of an `issue_comment` payload workbay reads. */
export interface IssueCommentPayload {
  action: string;
  repository: { full_name: string };
  issue: { number: number; pull_request?: unknown };
  comment: { body: string; author_association: string; user: { login: string } };
}

/** Commands a pull request comment may carry. */
export type PullRequestCommand = 'up' | 'stop' | 'start' | 'status';

/** The first `/workbay <command>` line of a comment, if any. */
export function parseCommentCommand(body: string): PullRequestCommand | undefined {
  const m = /^\s*\/workbay\s+(up|stop|start|status)\b/im.exec(body);
  return m?.[1]?.toLowerCase() as PullRequestCommand | undefined;
}

/**
 * `issue_comment` created on a pull request: runs `/workbay up|stop|start|status` when the commenter's
 * association with the repository is OWNER, MEMBER or COLLABORATOR; others get a refusal as a reply
 * event. The workspace acts as its owner (the integration's mapping), never as the commenter.
 */
export async function onIssueComment(ctx: GitHubContext, p: IssueCommentPayload): Promise<InboundOutcome> {
  const repo = p.repository.full_name;
  const number = p.issue.number;
  const ignore = async (message: string): Promise<InboundOutcome> => {
    await record(ctx, 'integration.github.ignored', message, undefined, { repo, number, action: p.action });
    return { status: 'ignored', message };
  };
  if (p.action !== 'created') return ignore(`comment ${p.action}: only new comments carry commands`);
  if (!p.issue.pull_request) return ignore(`#${number} is an issue, not a pull request`);
  const command = parseCommentCommand(p.comment.body ?? '');
  if (!command) return ignore('the comment has no /workbay command');
  if (!allowedRepo(ctx.config, repo)) return ignore(`repository ${repo} is not in this integration's allowlist`);
  if (!ctx.config.events.includes('issue_comment')) return ignore('issue_comment events do not act here');
  const login = p.comment.user.login;
  const association = p.comment.author_association;
  const pr = await ctx.store.integrations.getPullRequest(ctx.integrationId, repo, number);
  const current = pr?.workspaceId
    ? await ctx.workspaces.get({ owner: pr.owner, role: 'user' }, pr.workspaceId).catch(() => undefined)
    : undefined;
  const reply = async (status: InboundOutcome['status'], message: string, ws = current): Promise<InboundOutcome> => {
    await record(ctx, 'integration.github.reply', message, ws, { repo, number, command, login, association, ...(status === 'refused' ? { refused: true } : {}) });
    return { status, message, ...(ws ? { workspaceId: ws.id } : {}) };
  };
  if (!COMMAND_ASSOCIATIONS.has(association)) {
    return reply('refused', `@${login}: /workbay ${command} is for the repository's owners, members and collaborators (your association is ${association})`);
  }
  if (!pr) return reply('ignored', `@${login}: workbay has not seen pull request #${number} yet; push to it or reopen it`);
  if (command === 'status') {
    return reply('accepted', current
      ? `@${login}: workspace ${current.name} is ${current.status}${current.statusReason ? ` (${current.statusReason})` : ''}`
      : `@${login}: pull request #${number} has no workspace; comment /workbay up to make one`);
  }
  if (command === 'up' && !current) {
    const ws = await ensureHeadWorkspace(ctx, pr);
    await ctx.store.integrations.putPullRequest(ctx.integrationId, { ...pr, workspaceId: ws.id, updatedAt: new Date().toISOString() });
    return reply('accepted', `@${login}: creating workspace ${ws.name} on ${pr.sha.slice(0, 7)}`, ws);
  }
  if (!current) return reply('ignored', `@${login}: pull request #${number} has no workspace; comment /workbay up to make one`);
  const next = await desire(ctx, pr, command === 'stop' ? 'Stopped' : 'Running');
  return reply('accepted', `@${login}: ${command === 'stop' ? 'stopping' : 'starting'} workspace ${current.name}`, next ?? current);
}
