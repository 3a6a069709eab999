import { hashToken, isExpired } from '../tokens';
import { isWorkbayError, WorkbayError } from '../errors';
import type { Store, WorkspaceRecord, WorkspaceSource } from '../store';
import type { Actor, WorkspaceService } from '../workspaces';
import { callbackProblem } from './callbacks';
import type { SlackConfig } from './config';
import { ephemeral, SLACK_HELP, type SlackMessage } from './slack-messages';

/** One verified slash command being handled. */
export interface SlackContext {
  store: Store;
  workspaces: WorkspaceService;
  integrationId: string;
  config: SlackConfig;
  allowLoopback: boolean;
  form: URLSearchParams;
  /** Stable per invocation (Slack's trigger_id): the create's Idempotency-Key, so a retry adopts. */
  invocation: string;
}

/** A git repository when it looks like one (as the CLI decides), else an image; `#ref` picks a branch. */
export function parseSource(text: string): WorkspaceSource {
  const looksGit = /^(git|ssh|https?):\/\//.test(text) || /^git@[^:]+:/.test(text) || /\.git(#.*)?$/.test(text);
  if (!looksGit) return { image: text };
  const [url, ref] = text.split('#', 2) as [string, string | undefined];
  return { git: { url, ...(ref ? { ref } : {}) } };
}

async function findByName(ctx: SlackContext, actor: Actor, nameOrId: string): Promise<WorkspaceRecord> {
  const claim = await ctx.store.names.get(actor.owner, nameOrId);
  return ctx.workspaces.get(actor, claim?.workspaceId ?? nameOrId);
}

async function note(ctx: SlackContext, type: string, message: string, data: Record<string, unknown>, ws?: WorkspaceRecord): Promise<void> {
  const user = ctx.form.get('user_id') ?? '';
  await ctx.store.integrations.appendEvent({ integrationId: ctx.integrationId, type, message, data: { user, ...data, ...(ws ? { workspaceId: ws.id } : {}) } });
  if (ws) await ctx.workspaces.event(ws, type, message, `slack:${user}`, data);
}

/** Records where the command's follow-ups go; a URL that is not Slack's (or loopback in tests) is not kept. */
async function followUp(ctx: SlackContext, ws: WorkspaceRecord): Promise<void> {
  const url = ctx.form.get('response_url');
  if (url && !callbackProblem(url, ctx.allowLoopback)) {
    await ctx.store.integrations.putFollowUp({ workspaceId: ws.id, integrationId: ctx.integrationId, responseUrl: url });
  }
}

/** `/workbay link <token>`: proves the owner with a valid workbay token; the token is neither stored nor shown. */
async function link(ctx: SlackContext, token: string | undefined): Promise<SlackMessage> {
  if (!token) return ephemeral('usage: `/workbay link <token>` with a workbay token issued to you');
  const rec = await ctx.store.tokens.get(hashToken(token));
  if (!rec || isExpired(rec, Date.now())) {
    await note(ctx, 'integration.slack.linkRefused', 'a /workbay link with an invalid token was refused', { command: 'link' });
    return ephemeral('That token is not valid (unknown, revoked or expired); nothing was linked.');
  }
  const team = ctx.form.get('team_id')!;
  const user = ctx.form.get('user_id')!;
  await ctx.store.integrations.putLink(ctx.integrationId, team, user, rec.owner);
  await note(ctx, 'integration.slack.linked', `Slack user ${user} linked to owner ${rec.owner}`, { team, owner: rec.owner, tokenPrefix: rec.prefix });
  return ephemeral(`Linked: your commands act as workbay owner *${rec.owner}*. Revoke the token if you pasted it anywhere else.`);
}

/** Runs one slash command as the linked owner and returns the acknowledgement; follow-ups go to response_url. */
export async function runSlashCommand(ctx: SlackContext): Promise<SlackMessage> {
  const [verb = 'help', ...args] = (ctx.form.get('text') ?? '').trim().split(/\s+/).filter(Boolean);
  if (verb === 'link') return link(ctx, args[0]);
  if (verb === 'help') {
    await note(ctx, 'integration.slack.command', '/workbay help', { command: 'help' });
    return ephemeral(SLACK_HELP);
  }
  const team = ctx.form.get('team_id')!;
  const user = ctx.form.get('user_id') ?? '';
  const owner = await ctx.store.integrations.getLink(ctx.integrationId, team, user);
  if (!owner) {
    await note(ctx, 'integration.slack.command', `/workbay ${verb} by an unlinked user was refused`, { command: verb, refused: true });
    return ephemeral('You are not linked to a workbay owner yet: run `/workbay link <token>` with your workbay token, or ask an admin to link you.');
  }
  const actor: Actor = { owner, role: 'user' };
  try {
    return await dispatch(ctx, actor, verb, args);
  } catch (err) {
    // Refusals (policy, quota, not found) are told to the user; the messages carry no secrets.
    if (err instanceof WorkbayError && err.code !== 'internal' && err.code !== 'store.unavailable') {
      const fields = err.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return ephemeral(`:warning: ${err.message}${fields ? ` (${fields})` : ''}`);
    }
    throw err;
  }
}

async function dispatch(ctx: SlackContext, actor: Actor, verb: string, args: string[]): Promise<SlackMessage> {
  switch (verb) {
    case 'up': {
      if (!args[0]) return ephemeral('usage: `/workbay up <image | git-url[#ref]> [provider]`');
      const provider = args[1] ?? ctx.config.provider;
      if (!provider) return ephemeral('This integration has no default provider: `/workbay up <source> <provider>`');
      const { workspace, created } = await ctx.workspaces.create(actor, { provider, source: parseSource(args[0]) }, `slack:${ctx.integrationId}:${ctx.invocation}`);
      await followUp(ctx, workspace);
      await note(ctx, 'integration.slack.command', `/workbay up by Slack user: workspace ${workspace.name}`, { command: 'up', created }, workspace);
      return ephemeral(`Creating workspace *${workspace.name}* on ${provider}; I will tell you here when it is running.`);
    }
    case 'list': {
      await note(ctx, 'integration.slack.command', '/workbay list', { command: 'list' });
      const page = await ctx.workspaces.list(actor, { limit: 20 });
      if (!page.items.length) return ephemeral('You have no workspaces. `/workbay up <source>` makes one.');
      return ephemeral(page.items.map((w) => `• *${w.name}* ${w.status} (${w.provider})`).join('\n'));
    }
    case 'status': case 'stop': case 'start': case 'delete': {
      if (!args[0]) return ephemeral(`usage: \`/workbay ${verb} <ws>\``);
      const ws = await findByName(ctx, actor, args[0]).catch((err: unknown) => {
        if (isWorkbayError(err, 'workspace.notFound')) return undefined;
        throw err;
      });
      if (!ws) return ephemeral(`You have no workspace named *${args[0]}*.`);
      if (verb === 'status') {
        await note(ctx, 'integration.slack.command', '/workbay status', { command: 'status' }, ws);
        return ephemeral(`*${ws.name}* is ${ws.status}${ws.statusReason ? ` (${ws.statusReason})` : ''}; provider ${ws.provider}; attach with \`workbay ssh ${ws.name}\``);
      }
      const desired = verb === 'stop' ? 'Stopped' : verb === 'start' ? 'Running' : 'Deleted';
      await note(ctx, 'integration.slack.command', `/workbay ${verb} by Slack user`, { command: verb }, ws);
      await ctx.workspaces.setDesired(actor, ws.id, desired);
      if (verb === 'start') await followUp(ctx, ws);
      return ephemeral(`${verb === 'stop' ? 'Stopping' : verb === 'start' ? 'Starting' : 'Deleting'} *${ws.name}*.`);
    }
    default:
      return ephemeral(`Unknown command \`${verb}\`.\n${SLACK_HELP}`);
  }
}
