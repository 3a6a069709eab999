import type { Store, PullRequestRecord, WorkspaceRecord } from '../store';
import { isWorkbayError } from '../errors';
import type { WorkspaceService, Actor } from '../workspaces';
import type { GitHubConfig } from './config';

/** What one inbound delivery did, as answered to GitHub (shown in the hook's delivery log). */
export interface InboundOutcome {
  status: 'accepted' | 'ignored' | 'refused' | 'duplicate' | 'pong';
  message: string;
  workspaceId?: string;
}

/** The fields of a `pull_request` payload workbay reads. */
export interface PullRequestPayload {
  action: string;
  repository: { full_name: string };
  pull_request: {
    number: number; draft?: boolean; merged?: boolean; html_url?: string;
    user: { login: string };
    head: { ref: string; sha: string; repo: { full_name: string; clone_url: string; fork?: boolean } | null };
    base: { repo: { full_name: string } };
  };
}

/** One delivery being handled: the integration, its settings and where to record what happened. */
export interface GitHubContext {
  store: Store;
  workspaces: WorkspaceService;
  integrationId: string;
  config: GitHubConfig;
  delivery: string;
}

const CREATE_ACTIONS = new Set(['opened', 'reopened', 'ready_for_review', 'synchronize']);

/** The workbay owner a GitHub user's pull request belongs to: the logins map first, then the bot owner. */
export function ownerFor(cfg: GitHubConfig, login: string): string | undefined {
  const map = cfg.owner.logins ?? {};
  const hit = Object.entries(map).find(([l]) => l.toLowerCase() === login.toLowerCase());
  return hit?.[1] ?? cfg.owner.bot;
}

/** True when the integration's allowlist holds the repository (GitHub names are case-insensitive). */
export function allowedRepo(cfg: GitHubConfig, fullName: string): boolean {
  return cfg.repositories.some((r) => r.toLowerCase() === fullName.toLowerCase());
}

/** `<repo>-pr-<n>-<sha7>`, a DNS-1123 label: one name per head, so a new head never waits for the old name. */
export function pullRequestWorkspaceName(repo: string, number: number, sha: string): string {
  const tail = `-pr-${number}-${sha.slice(0, 7).toLowerCase()}`;
  const base = (repo.split('/').pop() ?? 'repo').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '')
    .slice(0, 63 - tail.length).replace(/-+$/, '');
  return `${base || 'repo'}${tail}`;
}

/** Records an event on the integration and, when there is one, on the workspace the delivery touched. */
export async function record(ctx: GitHubContext, type: string, message: string, ws?: WorkspaceRecord, data: Record<string, unknown> = {}): Promise<void> {
  const all = { delivery: ctx.delivery, ...data };
  await ctx.store.integrations.appendEvent({ integrationId: ctx.integrationId, type, message, data: ws ? { ...all, workspaceId: ws.id } : all });
  if (ws) await ctx.workspaces.event(ws, type, message, `github:${ctx.integrationId}`, all);
}

/**
 * Makes (or adopts) the workspace of one pull request head. The create goes through the workspace
 * service with an Idempotency-Key of integration, repository, number and head, so a redelivery or a
 * retry after a crash adopts the workspace instead of making another.
 */
export async function ensureHeadWorkspace(ctx: GitHubContext, pr: PullRequestRecord, known?: PullRequestRecord): Promise<WorkspaceRecord> {
  const actor: Actor = { owner: pr.owner, role: 'user' };
  // The Idempotency-Key expires after a day; the PR item keeps adopting the same head's workspace after that.
  const same = known?.workspaceId && known.sha === pr.sha && known.owner === pr.owner
    ? await ctx.workspaces.get(actor, known.workspaceId).catch(() => undefined) : undefined;
  if (same && same.desiredState !== 'Deleted') {
    return same.desiredState === 'Running' ? same : (await ctx.workspaces.setDesired(actor, same.id, 'Running')) ?? same;
  }
  const { workspace } = await ctx.workspaces.create(actor, {
    name: pullRequestWorkspaceName(pr.repo, pr.number, pr.sha),
    provider: ctx.config.provider,
    source: { git: { url: pr.url, ref: pr.ref } },
  }, `github:${ctx.integrationId}:${pr.repo}#${pr.number}@${pr.sha}`);
  return workspace.desiredState === 'Running' ? workspace : (await ctx.workspaces.setDesired(actor, workspace.id, 'Running')) ?? workspace;
}

/** Sets a desired state on a pull request's workspace as its owner; a workspace already gone is fine. */
export async function desire(ctx: GitHubContext, pr: PullRequestRecord, state: 'Running' | 'Stopped' | 'Deleted'): Promise<WorkspaceRecord | undefined> {
  if (!pr.workspaceId) return undefined;
  try {
    return await ctx.workspaces.setDesired({ owner: pr.owner, role: 'user' }, pr.workspaceId, state);
  } catch (err) {
    if (isWorkbayError(err, 'workspace.notFound')) return undefined;
    throw err;
  }
}

/** `pull_request`: opened/reopened/ready_for_review/synchronize make the head's workspace, closed ends it. */
export async function onPullRequest(ctx: GitHubContext, p: PullRequestPayload): Promise<InboundOutcome> {
  const repo = p.repository.full_name;
  const { number, head, user } = p.pull_request;
  const ignore = async (message: string): Promise<InboundOutcome> => {
    await record(ctx, 'integration.github.ignored', message, undefined, { repo, number, action: p.action });
    return { status: 'ignored', message };
  };
  if (!allowedRepo(ctx.config, repo)) return ignore(`repository ${repo} is not in this integration's allowlist`);
  const fork = !head.repo || head.repo.fork === true || head.repo.full_name.toLowerCase() !== p.pull_request.base.repo.full_name.toLowerCase();
  if (fork && !ctx.config.forks) return ignore(`pull request #${number} comes from a fork; forks are off for this integration`);
  const prior = await ctx.store.integrations.getPullRequest(ctx.integrationId, repo, number);
  if (p.action === 'closed') return onClosed(ctx, p, prior);
  if (!CREATE_ACTIONS.has(p.action)) return ignore(`action ${p.action} does not act`);
  const owner = ownerFor(ctx.config, user.login);
  if (!owner) return ignore(`no workbay owner for GitHub user ${user.login}; add them to owner.logins or set owner.bot`);
  const pr: PullRequestRecord = {
    repo, number, owner, url: head.repo!.clone_url, ref: head.ref, sha: head.sha,
    workspaceId: prior?.workspaceId, updatedAt: new Date().toISOString(),
  };
  const acting = ctx.config.events.includes('pull_request') && !p.pull_request.draft;
  if (!acting) {
    await ctx.store.integrations.putPullRequest(ctx.integrationId, pr);
    return ignore(p.pull_request.draft ? `pull request #${number} is a draft; its head is tracked` : `pull_request events do not act here; the head of #${number} is tracked for /workbay up`);
  }
  const ws = await ensureHeadWorkspace(ctx, pr, prior);
  // A new head is a new workspace (recreate on the new sha); the previous head's goes.
  const previous = prior?.workspaceId && prior.workspaceId !== ws.id ? await desire(ctx, prior, 'Deleted') : undefined;
  await ctx.store.integrations.putPullRequest(ctx.integrationId, { ...pr, workspaceId: ws.id });
  const message = `pull request #${number} ${p.action} by ${user.login}: workspace ${ws.name} on ${head.sha.slice(0, 7)}`;
  await record(ctx, 'integration.github.pullRequest', message, ws, { repo, number, action: p.action, sha: head.sha, ...(prior?.workspaceId && prior.workspaceId !== ws.id ? { replaces: prior.workspaceId } : {}) });
  if (previous) await record(ctx, 'integration.github.pullRequest', `pull request #${number} moved to ${head.sha.slice(0, 7)}; replaced by ${ws.name}`, previous, { repo, number, action: p.action });
  return { status: 'accepted', message, workspaceId: ws.id };
}

async function onClosed(ctx: GitHubContext, p: PullRequestPayload, prior: PullRequestRecord | undefined): Promise<InboundOutcome> {
  const repo = p.repository.full_name;
  const number = p.pull_request.number;
  const verb = ctx.config.onClose === 'stop' ? 'stopped' : 'deleted';
  const how = p.pull_request.merged ? 'merged' : 'closed';
  if (!prior?.workspaceId || !ctx.config.events.includes('pull_request')) {
    await record(ctx, 'integration.github.ignored', `pull request #${number} ${how}; it has no workspace`, undefined, { repo, number, action: p.action });
    return { status: 'ignored', message: `pull request #${number} has no workspace` };
  }
  const ws = await ctx.workspaces.get({ owner: prior.owner, role: 'user' }, prior.workspaceId).catch(() => undefined);
  const message = `pull request #${number} ${how}: workspace ${ws?.name ?? prior.workspaceId} ${verb}`;
  // Recorded first: the workspace's events must say why it went before it goes.
  await record(ctx, 'integration.github.pullRequest', message, ws, { repo, number, action: p.action, merged: !!p.pull_request.merged });
  await desire(ctx, prior, ctx.config.onClose === 'stop' ? 'Stopped' : 'Deleted');
  await ctx.store.integrations.putPullRequest(ctx.integrationId, {
    ...prior, workspaceId: ctx.config.onClose === 'stop' ? prior.workspaceId : undefined, updatedAt: new Date().toISOString(),
  });
  return { status: 'accepted', message, workspaceId: prior.workspaceId };
}
