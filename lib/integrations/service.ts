import { WorkbayError } from '../errors';
import type { SecretResolver } from '../secrets';
import type { IntegrationRecord, Store } from '../store';
import type { WorkspaceService } from '../workspaces';
import { CreateIntegration, GitHubConfig, SlackConfig } from './config';
import { onIssueComment, type IssueCommentPayload } from './github-comments';
import { onPullRequest, record, type GitHubContext, type InboundOutcome, type PullRequestPayload } from './github-pull-requests';
import { verifyGitHub, verifySlack } from './signatures';
import { runSlashCommand } from './slack-commands';
import { ephemeral, type SlackMessage } from './slack-messages';

/** Options of the integration service, read once at process start. */
export interface IntegrationOptions {
  store: Store;
  workspaces: WorkspaceService;
  secrets: SecretResolver;
  /** Embedded mode for tests: loopback response_urls are called (WORKBAY_ALLOW_LOOPBACK_CALLBACKS). */
  allowLoopback: boolean;
  log?: (entry: Record<string, unknown>) => void;
}

/** Headers of a GitHub delivery that workbay reads. */
export interface GitHubHeaders { event?: string; delivery?: string; signature?: string }
/** Headers of a Slack request that workbay reads. */
export interface SlackHeaders { timestamp?: string; signature?: string; retryNum?: string }

const notFound = (id: string, kind: string) => new WorkbayError('integration.notFound', `no ${kind} integration "${id}"`);
const badSignature = (what: string) => new WorkbayError('integration.badSignature', what);

/** Admin CRUD of integrations and the signed inbound endpoints of GitHub and Slack. */
export class IntegrationService {
  constructor(private readonly o: IntegrationOptions) {}

  /** Adds an integration after checking that its secret reference resolves (the value is not kept). */
  async create(input: CreateIntegration): Promise<IntegrationRecord> {
    const { kind, name, ...rest } = input;
    const { links, ...config } = rest as typeof rest & { links?: Record<string, string> };
    const ref = kind === 'github' ? (config as GitHubConfig).webhookSecret : (config as SlackConfig).signingSecret;
    await this.o.secrets(ref, kind === 'github' ? 'body.webhookSecret' : 'body.signingSecret');
    const now = new Date().toISOString();
    const rec: IntegrationRecord = { id: name, kind, config, createdAt: now, updatedAt: now };
    await this.o.store.integrations.create(rec);
    if (kind === 'slack') {
      for (const [user, owner] of Object.entries(links ?? {})) await this.o.store.integrations.putLink(name, (config as SlackConfig).teamId, user, owner);
    }
    await this.o.store.integrations.appendEvent({ integrationId: name, type: 'integration.created', message: `${kind} integration ${name} added` });
    return rec;
  }

  async get(id: string): Promise<IntegrationRecord> {
    const rec = await this.o.store.integrations.get(id);
    if (!rec) throw notFound(id, 'such');
    return rec;
  }

  private async ofKind(id: string, kind: 'github' | 'slack'): Promise<IntegrationRecord> {
    const rec = await this.o.store.integrations.get(id);
    if (!rec || rec.kind !== kind) throw notFound(id, kind === 'github' ? 'GitHub' : 'Slack');
    return rec;
  }

  /** Fetches a signing secret at use; a broken reference is the operator's problem and says so without the value. */
  private async secret(ref: string, field: string): Promise<string> {
    try {
      return await this.o.secrets(ref, field);
    } catch (err) {
      this.o.log?.({ level: 'error', msg: 'integration secret unavailable', field, error: err instanceof Error ? err.message : String(err) });
      throw new WorkbayError('internal', 'the integration\'s secret cannot be read; an admin must fix its reference', { cause: err });
    }
  }

  /**
   * One GitHub delivery. The signature is checked over the raw bytes before anything is parsed or
   * written; a refused request leaves the table as it was. Work is recorded (desired states) and
   * answered at once; the reconciler does it.
   */
  async github(id: string, h: GitHubHeaders, raw: Uint8Array): Promise<{ status: 200 | 202; body: InboundOutcome & { delivery?: string } }> {
    const rec = await this.ofKind(id, 'github');
    const config = GitHubConfig.parse(rec.config);
    if (!h.signature) throw badSignature('missing X-Hub-Signature-256');
    if (!verifyGitHub(await this.secret(config.webhookSecret, 'webhookSecret'), raw, h.signature)) throw badSignature('X-Hub-Signature-256 does not match the body under this integration\'s secret');
    if (!h.event || !h.delivery || !/^[A-Za-z0-9-]{1,100}$/.test(h.delivery)) {
      throw new WorkbayError('request.invalid', 'X-GitHub-Event and X-GitHub-Delivery are required', { errors: [{ field: 'header.x-github-delivery', message: 'send GitHub\'s headers as they are' }] });
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
    } catch {
      throw new WorkbayError('request.invalid', 'the body is not JSON; set the webhook\'s content type to application/json', { errors: [{ field: 'body', message: 'not JSON' }] });
    }
    const ctx: GitHubContext = { store: this.o.store, workspaces: this.o.workspaces, integrationId: id, config, delivery: h.delivery };
    if (h.event === 'ping') {
      await record(ctx, 'integration.github.ping', `ping from hook ${String(payload.hook_id ?? '')}`.trim());
      return { status: 200, body: { status: 'pong', message: String(payload.zen ?? 'pong'), delivery: h.delivery } };
    }
    if (!(await this.o.store.integrations.claimDelivery(id, `github:${h.delivery}`))) {
      return { status: 200, body: { status: 'duplicate', message: `delivery ${h.delivery} was handled before`, delivery: h.delivery } };
    }
    try {
      const out = h.event === 'pull_request' ? await onPullRequest(ctx, payload as unknown as PullRequestPayload)
        : h.event === 'issue_comment' ? await onIssueComment(ctx, payload as unknown as IssueCommentPayload)
          : await this.ignored(ctx, `event ${h.event} does not act`);
      return { status: 202, body: { ...out, delivery: h.delivery } };
    } catch (err) {
      // Nothing was done: give the claim back so a redelivery from GitHub's log can do it.
      await this.o.store.integrations.releaseDelivery(id, `github:${h.delivery}`).catch(() => undefined);
      if (err instanceof WorkbayError && ['policy.denied', 'quota.exceeded', 'provider.notFound', 'config.invalid', 'workspace.conflict'].includes(err.code)) {
        await record(ctx, 'integration.github.refused', err.message, undefined, { code: err.code }).catch(() => undefined);
        return { status: 202, body: { status: 'refused', message: err.message, delivery: h.delivery } };
      }
      throw err;
    }
  }

  private async ignored(ctx: GitHubContext, message: string): Promise<InboundOutcome> {
    await record(ctx, 'integration.github.ignored', message);
    return { status: 'ignored', message };
  }

  /**
   * One Slack slash command: signature and five-minute window first, then the command, answered with
   * an ephemeral message. Only table writes happen before the answer; engines are the reconciler's.
   */
  async slack(id: string, h: SlackHeaders, raw: Uint8Array): Promise<SlackMessage> {
    const rec = await this.ofKind(id, 'slack');
    const config = SlackConfig.parse(rec.config);
    const secret = await this.secret(config.signingSecret, 'signingSecret');
    const verdict = verifySlack(secret, h.timestamp, raw, h.signature, Math.floor(Date.now() / 1000));
    if (verdict === 'missing') throw badSignature('missing X-Slack-Signature or X-Slack-Request-Timestamp');
    if (verdict === 'stale') throw badSignature('X-Slack-Request-Timestamp is more than 5 minutes from now');
    if (verdict === 'bad') throw badSignature('X-Slack-Signature does not match the body under this integration\'s signing secret');
    const form = new URLSearchParams(new TextDecoder().decode(raw));
    if (form.get('team_id') !== config.teamId) return ephemeral('This workbay integration serves another Slack workspace.');
    const invocation = form.get('trigger_id') || `${h.timestamp}:${h.signature}`;
    if (!(await this.o.store.integrations.claimDelivery(id, `slack:${invocation}`))) {
      return ephemeral(h.retryNum ? 'Already on it (Slack retried this command).' : 'This command was handled already.');
    }
    try {
      return await runSlashCommand({ store: this.o.store, workspaces: this.o.workspaces, integrationId: id, config, allowLoopback: this.o.allowLoopback, form, invocation });
    } catch (err) {
      await this.o.store.integrations.releaseDelivery(id, `slack:${invocation}`).catch(() => undefined);
      throw err;
    }
  }
}
