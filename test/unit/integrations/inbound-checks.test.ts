import { sign, verify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { callbackProblem, githubSignature, pullRequestWorkspaceName, verifyGitHub, verifySlack, slackSignature } from '../../../lib/integrations';

const enc = (s: string) => new TextEncoder().encode(s);

describe('GitHub signatures', () => {
  it('match GitHub\'s documented test vector and Octokit\'s signer', async () => {
    const secret = "It's a Secret to Everybody";
    expect(githubSignature(secret, enc('Hello, World!'))).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    const body = JSON.stringify({ zen: 'Keep it logically awesome.' });
    expect(verifyGitHub(secret, enc(body), await sign(secret, body))).toBe(true);
    expect(await verify(secret, body, githubSignature(secret, enc(body)))).toBe(true);
  });

  it('refuse a wrong secret, another body, a malformed or missing header', () => {
    const good = githubSignature('s', enc('a'));
    expect(verifyGitHub('t', enc('a'), good)).toBe(false);
    expect(verifyGitHub('s', enc('b'), good)).toBe(false);
    expect(verifyGitHub('s', enc('a'), good.toUpperCase())).toBe(false);
    expect(verifyGitHub('s', enc('a'), 'sha1=abc')).toBe(false);
    expect(verifyGitHub('s', enc('a'), undefined)).toBe(false);
  });
});

describe('Slack signatures', () => {
  const now = 1_700_000_000;
  const body = enc('team_id=T1&text=help');
  it('accept within five minutes either side and refuse outside it', () => {
    for (const ts of [now, now - 300, now + 300]) expect(verifySlack('x', String(ts), body, slackSignature('x', String(ts), body), now)).toBe('ok');
    for (const ts of [now - 301, now + 301]) expect(verifySlack('x', String(ts), body, slackSignature('x', String(ts), body), now)).toBe('stale');
  });
  it('refuse a bad signature and report missing headers', () => {
    expect(verifySlack('x', String(now), body, slackSignature('y', String(now), body), now)).toBe('bad');
    expect(verifySlack('x', undefined, body, 'v0=00', now)).toBe('missing');
    expect(verifySlack('x', 'soon', body, slackSignature('x', 'soon', body), now)).toBe('stale');
  });
});

describe('callback URLs', () => {
  it('allow only https://hooks.slack.com, and loopback only when allowed', () => {
    expect(callbackProblem('https://hooks.slack.com/commands/T1/2/3', false)).toBeUndefined();
    expect(callbackProblem('http://hooks.slack.com/commands/T1/2/3', false)).toMatch(/https/);
    expect(callbackProblem('https://hooks.slack.com.evil.example/x', false)).toMatch(/hooks\.slack\.com/);
    expect(callbackProblem('https://user:pw@hooks.slack.com/x', false)).toMatch(/credentials/);
    expect(callbackProblem('http://127.0.0.1:9000/x', false)).toBeDefined();
    expect(callbackProblem('http://127.0.0.1:9000/x', true)).toBeUndefined();
    expect(callbackProblem('http://169.254.169.254/latest', true)).toBeDefined();
    expect(callbackProblem('not a url', true)).toBe('not a URL');
  });
});

describe('pull request workspace names', () => {
  it('are DNS-1123 labels of at most 63 characters', () => {
    expect(pullRequestWorkspaceName('Codertocat/Hello-World', 2, 'EC26C3E57CA3A959')).toBe('hello-world-pr-2-ec26c3e');
    const long = pullRequestWorkspaceName('o/' + 'A_'.repeat(60), 12345, 'abcdef0123');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(pullRequestWorkspaceName('o/___', 1, 'abcdef0')).toBe('repo-pr-1-abcdef0');
  });
});
