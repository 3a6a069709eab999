import { z } from 'zod';
import { isSecretRef } from '../secrets';

const Label = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63 characters');
/** A workbay owner, with the grammar tokens use. */
export const OwnerName = z.string().min(1).max(128).regex(/^[A-Za-z0-9@._-]+$/, 'letters, digits and @ . _ -');
const SecretRef = z.string().min(1).max(2048).refine(isSecretRef, {
  message: 'must be a secret reference (env:NAME, file:/path or aws-sm:name); the secret itself is never accepted',
});
const Login = z.string().regex(/^[A-Za-z0-9-]{1,39}(\[bot\])?$/, 'must be a GitHub login');
const Repo = z.string().max(200).regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name');
/** A Slack user id (U…, W… for Enterprise Grid). */
export const SlackUser = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id such as U012AB3CD');

/** Settings of a GitHub integration (stored as given, defaults filled in). */
export const GitHubConfig = z.object({
  webhookSecret: SecretRef.describe('reference to the webhook secret; the value is fetched at use and never shown'),
  repositories: z.array(Repo).min(1).max(100).describe('allowlist of owner/name; deliveries for others are ignored'),
  provider: Label.describe('provider of the workspaces made for pull requests'),
  owner: z.object({
    bot: OwnerName.optional().describe('owner of every workspace (a bot owner), or of those whose author is not in logins'),
    logins: z.record(Login, OwnerName).optional().describe('GitHub login -> workbay owner'),
  }).strict().refine((o) => o.bot || Object.keys(o.logins ?? {}).length, 'give a bot owner, a logins map, or both'),
  forks: z.boolean().default(false).describe('act on pull requests from forks (off by default: their code is not the repository\'s)'),
  events: z.array(z.enum(['pull_request', 'issue_comment'])).min(1).default(['pull_request', 'issue_comment'])
    .describe('which events act; pull request heads are tracked either way, for /workbay up'),
  onClose: z.enum(['delete', 'stop']).default('delete').describe('what a closed pull request does to its workspace'),
}).strict();
export type GitHubConfig = z.output<typeof GitHubConfig>;

/** Settings of a Slack integration. */
export const SlackConfig = z.object({
  signingSecret: SecretRef.describe('reference to the app\'s signing secret'),
  teamId: z.string().regex(/^T[A-Z0-9]{2,20}$/, 'must be a Slack team id such as T012AB3CD'),
  provider: Label.optional().describe('provider for `/workbay up <source>` without one'),
}).strict();
export type SlackConfig = z.output<typeof SlackConfig>;

/** POST /v1/integrations body: a kind, a name (the id in the inbound URL) and the kind's settings. */
export const CreateIntegration = z.discriminatedUnion('kind', [
  GitHubConfig.extend({ kind: z.literal('github'), name: Label }).strict(),
  SlackConfig.extend({
    kind: z.literal('slack'), name: Label,
    links: z.record(SlackUser, OwnerName).optional().describe('Slack user id -> workbay owner'),
  }).strict(),
]);
export type CreateIntegration = z.output<typeof CreateIntegration>;

/** Associations whose comments may run `/workbay` commands on a pull request. */
export const COMMAND_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
