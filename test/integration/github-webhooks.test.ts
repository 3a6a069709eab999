import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { startGitServer, type GitServer } from '../support/git-server';
import { runCli } from '../support/processes';
import { dumpTable } from '../support/table-dump';
import { pollUntil } from '../support/wait';

// Real payloads as GitHub sends them (community-collected by Octokit), adapted only where a test must point
// them at the local git server (head clone URL, ref and sha) or carry a command (comment body, association).
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: any[] }[];
const example = (event: string, action?: string): any => {
  const found = examples.find((d) => d.name === event)!.examples.find((e) => action === undefined || e.action === action);
  return structuredClone(found);
};

const SECRET = "It's a Secret to Everybody";
const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let git: GitServer;
const heads: Record<'v1' | 'v2', { url: string; sha: string }> = {} as never;

async function deliver(event: string, payload: unknown, o: { delivery?: string; secret?: string | null; tamper?: boolean } = {}) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': event, 'x-github-delivery': o.delivery ?? randomUUID(),
  };
  if (o.secret !== null) headers['x-hub-signature-256'] = await sign(o.secret ?? SECRET, body);
  return cp.call('POST', '/v1/integrations/github/gh', { token: null, headers, body: o.tamper ? body.replace('Hello-World', 'Hello-Werld') : body });
}

/** The example PR, its head moved to one of the local repositories. */
function pullRequest(action: string, head: { url: string; sha: string }) {
  const p = example('pull_request', action);
  p.pull_request.head.repo.clone_url = head.url;
  p.pull_request.head.ref = 'main';
  p.pull_request.head.sha = head.sha;
  return p;
}

function comment(body: string, association: string) {
  const p = example('issue_comment', 'created');
  p.issue.number = 2;
  p.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2' };
  p.comment.body = body;
  p.comment.author_association = association;
  return p;
}

const botWorkspaces = async () => (await cp.call('GET', '/v1/workspaces?owner=gh-bot')).body.items as any[];
const readme = async (id: string) => (await cp.call('POST', `/v1/workspaces/${id}/exec`, { json: { command: ['cat', 'README.md'] } })).body.stdout;

beforeAll(async () => {
  cp = await startControlPlane({ env: { GH_SECRET: SECRET } });
  git = await startGitServer();
  for (const v of ['v1', 'v2'] as const) {
    const url = git.repo(`hello-world-${v}`, { '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE }), 'README.md': `${v}\n` });
    heads[v] = { url, sha: git.commitOf(url) };
  }
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  const r = await cp.call('POST', '/v1/integrations', { json: {
    kind: 'github', name: 'gh', webhookSecret: 'env:GH_SECRET', repositories: ['Codertocat/Hello-World'],
    provider: 'local-docker', owner: { bot: 'gh-bot' },
  } });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
});

describe('GitHub integration resource', () => {
  it('shows the secret reference, never the secret; a literal secret is refused and nothing is stored', async () => {
    const shown = await cp.call('GET', '/v1/integrations/gh');
    expect(shown.body).toMatchObject({ kind: 'github', inboundPath: '/v1/integrations/github/gh', config: { webhookSecret: 'env:GH_SECRET', forks: false, onClose: 'delete' } });
    expect(JSON.stringify(shown.body)).not.toContain(SECRET);
    const before = await dumpTable(cp.store);
    const bad = await cp.call('POST', '/v1/integrations', { json: { kind: 'github', name: 'gh2', webhookSecret: SECRET, repositories: ['a/b'], provider: 'local-docker', owner: { bot: 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(JSON.stringify(bad.body)).not.toContain(SECRET);
    expect(await dumpTable(cp.store)).toEqual(before);
  });

  it('workbay integration add, list, show and delete', async () => {
    const env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: cp.adminToken };
    const file = join(mkdtempSync(join(tmpdir(), 'workbay-integ-')), 'github.yaml');
    writeFileSync(file, 'kind: github\nname: gh-cli\nwebhookSecret: env:GH_SECRET\nrepositories: [acme/api]\nprovider: local-docker\nowner:\n  logins: { octocat: alice }\nonClose: stop\n');
    const added = await runCli(['integration', 'add', file], env);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('integration gh-cli added');
    expect(added.stdout).toContain(`inbound:  ${cp.url}/v1/integrations/github/gh-cli`);
    expect((await runCli(['integration', 'list'], env)).stdout).toMatch(/gh-cli\s+github\s+\/v1\/integrations\/github\/gh-cli/);
    const shown = await runCli(['integration', 'show', 'gh-cli', '--output', 'json'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'gh-cli', config: { webhookSecret: 'env:GH_SECRET', onClose: 'stop', forks: false } });
    expect(shown.stdout).not.toContain(SECRET);
    expect((await runCli(['integration', 'delete', 'gh-cli'], env)).stdout).toBe('integration gh-cli deleted\n');
    const gone = await runCli(['integration', 'show', 'gh-cli'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/integration\.notFound/);
  });
});

describe('GitHub webhooks', () => {
  it('refuses bad, missing and stale signatures with 401 and leaves the table as it was', async () => {
    await cp.settle();
    const before = await dumpTable(cp.store);
    const opened = pullRequest('opened', heads.v1);
    const answers = [
      await deliver('pull_request', opened, { secret: null }),
      await deliver('pull_request', opened, { secret: 'the secret before rotation' }),
      await deliver('pull_request', opened, { tamper: true }),
      await cp.call('POST', '/v1/integrations/github/gh', { token: null, headers: { 'x-github-event': 'ping', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': 'sha256=0' }, body: '{}' }),
    ];
    for (const r of answers) {
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('integration.badSignature');
    }
    expect(await dumpTable(cp.store)).toEqual(before);
  });

  it('answers ping with 200', async () => {
    const r = await deliver('ping', example('ping'));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('pong');
  });

  let first = '';
  it('pull request opened: a Running workspace on the head; the same delivery twice makes one', async () => {
    const delivery = randomUUID();
    const r = await deliver('pull_request', pullRequest('opened', heads.v1), { delivery });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'accepted', delivery });
    first = r.body.workspaceId;
    const again = await deliver('pull_request', pullRequest('opened', heads.v1), { delivery });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('duplicate');
    const ws = await pollUntil(() => cp.call('GET', `/v1/workspaces/${first}`), (x) => ['Running', 'Error'].includes(x.body.status), 120_000);
    expect(ws.body).toMatchObject({ status: 'Running', owner: 'gh-bot', name: `hello-world-pr-2-${heads.v1.sha.slice(0, 7)}`, source: { git: { url: heads.v1.url, ref: 'main' } } });
    expect(await readme(first)).toBe('v1\n');
    expect((await botWorkspaces()).map((w) => w.id)).toEqual([first]);
    const events = (await cp.call('GET', `/v1/workspaces/${first}/events`)).body.items as any[];
    expect(events.find((e) => e.type === 'integration.github.pullRequest')).toMatchObject({ data: { delivery, action: 'opened', number: 2 } });
  }, 180_000);

  it('a retry with another delivery id for the same head adopts the workspace', async () => {
    const r = await deliver('pull_request', pullRequest('reopened', heads.v1));
    expect(r.status).toBe(202);
    expect(r.body.workspaceId).toBe(first);
    expect(await botWorkspaces()).toHaveLength(1);
  });

  let second = '';
  it('synchronize: the workspace follows the new head (recreated on the new sha)', async () => {
    const r = await deliver('pull_request', pullRequest('synchronize', heads.v2));
    expect(r.status).toBe(202);
    second = r.body.workspaceId;
    expect(second).not.toBe(first);
    const ws = await pollUntil(() => cp.call('GET', `/v1/workspaces/${second}`), (x) => ['Running', 'Error'].includes(x.body.status), 120_000);
    expect(ws.body.status).toBe('Running');
    expect(await readme(second)).toBe('v2\n');
    expect((await pollUntil(() => cp.call('GET', `/v1/workspaces/${first}`), (x) => x.status === 404, 60_000)).status).toBe(404);
  }, 180_000);

  it('/workbay stop by a NONE association is refused with a reply event; by a MEMBER it stops', async () => {
    const refused = await deliver('issue_comment', comment('/workbay stop', 'NONE'));
    expect(refused.status).toBe(202);
    expect(refused.body.status).toBe('refused');
    const events = (await cp.call('GET', `/v1/workspaces/${second}/events`)).body.items as any[];
    expect(events.find((e) => e.type === 'integration.github.reply')).toMatchObject({ data: { refused: true, association: 'NONE', command: 'stop' } });
    await new Promise((r) => setTimeout(r, 500));
    expect((await cp.call('GET', `/v1/workspaces/${second}`)).body).toMatchObject({ desiredState: 'Running', status: 'Running' });

    const member = await deliver('issue_comment', comment('/workbay stop', 'MEMBER'));
    expect(member.status).toBe(202);
    expect(member.body.status).toBe('accepted');
    const ws = await pollUntil(() => cp.call('GET', `/v1/workspaces/${second}`), (x) => x.body.status === 'Stopped', 60_000);
    expect(ws.body.status).toBe('Stopped');
  }, 120_000);

  it('closed: the workspace is gone', async () => {
    const r = await deliver('pull_request', pullRequest('closed', heads.v2));
    expect(r.status).toBe(202);
    expect((await pollUntil(() => cp.call('GET', `/v1/workspaces/${second}`), (x) => x.status === 404, 60_000)).status).toBe(404);
    expect(await botWorkspaces()).toEqual([]);
    const log = (await cp.call('GET', '/v1/integrations/gh/events?limit=500')).body.items as any[];
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['integration.github.ping', 'integration.github.pullRequest', 'integration.github.reply']));
    expect(JSON.stringify(log)).not.toContain(SECRET);
  }, 90_000);

  it('ignores repositories outside the allowlist and forks (off by default)', async () => {
    const other = pullRequest('opened', heads.v1);
    other.repository.full_name = 'Someone/Else';
    expect((await deliver('pull_request', other)).body.status).toBe('ignored');
    const fork = pullRequest('opened', heads.v1);
    fork.pull_request.head.repo.full_name = 'Forker/Hello-World';
    fork.pull_request.head.repo.fork = true;
    expect((await deliver('pull_request', fork)).body).toMatchObject({ status: 'ignored', message: expect.stringMatching(/fork/) });
    expect(await botWorkspaces()).toEqual([]);
  });
});
