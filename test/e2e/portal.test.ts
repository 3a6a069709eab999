/**
 * The self-service portal (issue 14) in Debian's Chromium against an embedded control plane whose
 * workspaces are real containers on the test engine: what a person sees and presses, nothing mocked.
 * Also loads the page from the built api Lambda bundle, as AWS would serve it.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, bundleStats } from '../../infra/build';
import { httpEvent } from '../bundle/events';
import { startLambda } from '../bundle/lambda-process';
import { launchBrowser, screenshot, seriousViolations, type TestBrowser } from '../support/browser';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';

const IMAGE = 'workbay-test/busybox:local';
const XSS = '<img src=x onerror=alert(1)>';
const SECRET = 'hunter2-portal-secret';

let cp: TestControlPlane;
let tb: TestBrowser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tb = await launchBrowser();
  cp = await startControlPlane();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local\ndescription: the test engine\ncontainerInactivityTimeout: 600\n' })).status).toBe(201);
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: strict\nworkbay:\n  policy:\n    images: [allowed/]\n' })).status).toBe(201);
  const secretive = 'name: secretive\noptions:\n  API_KEY:\n    password: true\n    required: true\nagent:\n  docker:\n    env:\n      SOME_TOKEN: ${API_KEY}\n';
  expect((await cp.call('POST', '/v1/providers', { json: { yaml: secretive, options: { API_KEY: SECRET } } })).status).toBe(201);
  tokens.alice = await cp.tokenFor('alice');
  tokens.bob = await cp.tokenFor('bob');
  tokens.admin = cp.adminToken;
});

afterAll(async () => {
  await tb?.close();
  if (cp) {
    // Whatever a failed test left behind goes, so the shared engine keeps no containers of ours.
    for (const who of ['alice', 'bob'] as const) {
      const { body } = await cp.call('GET', '/v1/workspaces', { token: tokens[who] });
      for (const w of body?.items ?? []) await cp.call('DELETE', `/v1/workspaces/${w.id}?wait=20`);
    }
    await cp.dispose();
  }
});

/** A fresh tab (own sessionStorage) signed in with `token`, on the list page. */
async function signedIn(token: string) {
  const tab = await tb.page();
  await tab.page.goto(cp.url);
  await tab.page.getByLabel('Token').fill(token);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('heading', { name: 'Workspaces' }).waitFor();
  return tab;
}

const rowOf = (page: Page, name: string) => page.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
const statusWord = (page: Page, name: string) => rowOf(page, name).locator('.status-word').textContent();
const announced = (page: Page) => page.getByRole('status').textContent();

describe('the page', () => {
  it('comes with a strict Content-Security-Policy and no inline script', async () => {
    const res = await fetch(`${cp.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).toMatch(/<script type="module" src="portal\/app\.js\?v=[0-9a-f]+"><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    const js = await fetch(`${cp.url}/portal/app.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await js.text()).length).toBeGreaterThan(1000);
  });

  it('signs in with a pasted token kept in sessionStorage, never in the URL, and signs out', async () => {
    const { page, errors } = await tb.page();
    await page.goto(cp.url);
    await page.getByLabel('Token').fill('wbt_not-a-real-token-at-all-000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/Not accepted/);
    // Keyboard only: Enter in the field signs in, Enter on a focused button presses it.
    await page.getByLabel('Token').fill(tokens.alice!);
    await page.getByLabel('Token').press('Enter');
    await page.getByRole('heading', { name: 'Workspaces' }).waitFor();
    await page.getByRole('button', { name: 'New workspace' }).press('Enter');
    await page.getByRole('heading', { name: 'New workspace' }).waitFor();
    // Focus moves to the new page's heading, where a screen reader or the next Tab starts.
    expect(await page.evaluate('[document.activeElement.tagName, document.activeElement.textContent]')).toEqual(['H1', 'New workspace']);
    expect(page.url()).not.toContain(tokens.alice);
    expect(await page.evaluate('sessionStorage.getItem("workbay.token")')).toBe(tokens.alice);
    // A reload keeps the tab signed in and on its page.
    await page.reload();
    await page.getByRole('heading', { name: 'New workspace' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("workbay.token")')).toBeNull();
    // The wrong token's 401 and the role probe's 403 (GET /v1/tokens answers admins only) are expected.
    expect(errors.filter((e) => !/status of (401|403)/.test(e))).toEqual([]);
  });
});

describe('a workspace from the portal', () => {
  let page: Page;
  let id: string;

  it('is created from an image and goes Creating -> Running without a reload, with progress and the attach command', async () => {
    ({ page } = await signedIn(tokens.alice!));
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'New workspace' }).click();
    await page.getByRole('heading', { name: 'New workspace' }).waitFor();
    await expect.poll(() => page.getByLabel('Provider').locator('option').allTextContents()).toContain('local — the test engine');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'create');
    // Page code runs in the browser: passed as text, since the tests' types have no DOM.
    await page.evaluate('window.notReloaded = true');
    await page.getByLabel('Name').fill('portal-one');
    await page.getByLabel('Provider').selectOption('local');
    await page.getByLabel('Image').fill(IMAGE);
    // A lifecycle command that takes a moment, so Creating is on screen long enough to be seen.
    await page.getByLabel('devcontainer.json').fill('{ "postCreateCommand": "sleep 3" }');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'portal-one' }).waitFor();
    id = /#\/workspaces\/([0-9A-Z]{26})$/.exec(page.url())![1]!;
    await expect.poll(() => page.locator('.title-row .status-word').textContent(), { timeout: 30_000 }).toBe('Creating');
    await expect.poll(() => page.locator('.title-row .status-word').textContent(), { timeout: 60_000 }).toBe('Running');
    await expect.poll(() => announced(page)).toBe('portal-one is Running');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    const events = page.getByRole('log', { name: 'Events' });
    await expect.poll(() => events.textContent()).toMatch(/running postCreateCommand[\s\S]*postCreateCommand done[\s\S]*workspace portal-one is running/);
    await expect.poll(() => page.locator('code.attach').textContent()).toMatch(new RegExp(`docker exec -it .*workbay-${id.toLowerCase()} `));
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'workspace');
  });

  it('shows a live countdown in the list, and Keep alive moves the idle deadline later', async () => {
    await page.getByRole('link', { name: 'Workspaces', exact: true }).click();
    const row = rowOf(page, 'portal-one');
    await expect.poll(() => statusWord(page, 'portal-one')).toBe('Running');
    const countdown = row.locator('time.countdown');
    const first = await countdown.textContent();
    expect(first).toMatch(/^stops in 9m \d\ds$/);
    await expect.poll(() => countdown.textContent(), { timeout: 5000 }).not.toBe(first);
    const before = Date.parse((await countdown.getAttribute('datetime'))!);
    await row.getByRole('button', { name: 'Keep alive' }).click();
    await expect.poll(async () => Date.parse((await countdown.getAttribute('datetime'))!), { timeout: 10_000 }).toBeGreaterThan(before);
    await expect.poll(() => announced(page)).toBe('portal-one kept alive');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'list');
  });

  it('copies the attach command (shown beside the button as well)', async () => {
    const row = rowOf(page, 'portal-one');
    await row.getByRole('button', { name: 'Copy attach command' }).click();
    await expect.poll(() => row.locator('code.attach-line').textContent()).toMatch(new RegExp(`docker exec -it .*workbay-${id.toLowerCase()} `));
    await expect.poll(() => announced(page)).toMatch(/^Attach command (copied|shown below)/);
  });

  it('stops, starts and, after a confirmation, deletes it', async () => {
    const row = rowOf(page, 'portal-one');
    await row.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => statusWord(page, 'portal-one'), { timeout: 60_000 }).toBe('Stopped');
    expect(await row.locator('time.countdown').textContent()).toBe('not running');
    expect(await row.locator('td').nth(5).textContent()).toBe('user');
    expect((await cp.call('GET', `/v1/workspaces/${id}`)).body).toMatchObject({ status: 'Stopped', stopReason: 'user' });
    await row.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => statusWord(page, 'portal-one'), { timeout: 60_000 }).toBe('Running');
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete portal-one?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await cp.call('GET', `/v1/workspaces/${id}`)).status).toBe(200);
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => rowOf(page, 'portal-one').count(), { timeout: 60_000 }).toBe(0);
    expect((await cp.call('GET', `/v1/workspaces/${id}`)).status).toBe(404);
  });
});

describe('who sees what', () => {
  it('a user sees only their own workspaces and no admin page', async () => {
    const mine = await cp.call('POST', '/v1/workspaces', { token: tokens.alice, json: { name: 'alice-box', provider: 'local', source: { image: IMAGE } } });
    const theirs = await cp.call('POST', '/v1/workspaces', { token: tokens.bob, json: { name: 'bob-box', provider: 'local', source: { image: IMAGE } } });
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    const alice = await signedIn(tokens.alice!);
    await rowOf(alice.page, 'alice-box').waitFor();
    expect(await rowOf(alice.page, 'bob-box').count()).toBe(0);
    expect(await alice.page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    const bob = await signedIn(tokens.bob!);
    await rowOf(bob.page, 'bob-box').waitFor();
    expect(await rowOf(bob.page, 'alice-box').count()).toBe(0);
  });

  it('an admin sees the providers with secrets masked, and issues and revokes tokens', async () => {
    const { page } = await signedIn(tokens.admin!);
    await page.getByRole('link', { name: 'Admin' }).click();
    const secretive = page.locator('tr[data-provider="secretive"]');
    await secretive.waitFor();
    expect(await secretive.locator('.option-value').allTextContents()).toEqual(['********']);
    expect(await page.content()).not.toContain(SECRET);
    await page.getByLabel('Owner').fill('carol');
    await page.getByRole('button', { name: 'Issue token' }).click();
    await expect.poll(() => page.locator('output.issued').textContent()).toMatch(/^Token for carol \(shown once, copy it now\): wbt_\S+$/);
    const carol = /(wbt_\S+)$/.exec((await page.locator('output.issued').textContent())!)![1]!;
    expect((await cp.call('GET', '/v1/workspaces', { token: carol })).status).toBe(200);
    const row = page.locator('tbody tr').filter({ hasText: 'carol' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await cp.call('GET', '/v1/workspaces', { token: carol })).status).toBe(401);
  });
});

describe('problems and hostile text', () => {
  it('shows a policy refusal next to the field it names', async () => {
    const { page } = await signedIn(tokens.alice!);
    await page.getByRole('button', { name: 'New workspace' }).click();
    await expect.poll(() => page.getByLabel('Provider').locator('option').allTextContents()).toContain('strict');
    await page.getByLabel('Provider').selectOption('strict');
    await page.getByLabel('Image').fill(IMAGE);
    await page.getByRole('button', { name: 'Create' }).click();
    const image = page.getByLabel('Image');
    await expect.poll(() => image.getAttribute('aria-invalid')).toBe('true');
    const imageError = page.locator(`#${await image.getAttribute('id')}-error`);
    expect(await imageError.textContent()).toMatch(/is not allowed \(allowed prefixes: allowed\/\)/);
    expect(await image.getAttribute('aria-describedby')).toContain(`${await image.getAttribute('id')}-error`);
    // A host bind mount in the devcontainer.json: refused by the default policy, shown at that field.
    await page.getByLabel('Provider').selectOption('local');
    await page.getByLabel('devcontainer.json').fill('{ "mounts": ["source=/,target=/host,type=bind"] }');
    await page.getByRole('button', { name: 'Create' }).click();
    const dc = page.getByLabel('devcontainer.json');
    await expect.poll(() => dc.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await dc.getAttribute('id')}-error`).textContent()).toMatch(/bind/);
    expect(await image.getAttribute('aria-invalid')).toBeNull();
    expect((await cp.call('GET', '/v1/workspaces', { token: tokens.alice })).body.items.map((w: { name: string }) => w.name)).toEqual(['alice-box']);
  });

  it(`shows ${XSS} in an event message as text and runs nothing`, async () => {
    const created = await cp.call('POST', '/v1/workspaces', {
      token: tokens.alice,
      json: { name: 'hostile', provider: 'local', source: { image: IMAGE }, devcontainer: { image: IMAGE, postCreateCommand: `echo '${XSS}'; exit 3` } },
    });
    expect(created.status).toBe(202);
    const { page, dialogs, errors } = await signedIn(tokens.alice!);
    await expect.poll(() => statusWord(page, 'hostile'), { timeout: 60_000 }).toBe('Error');
    await page.goto(`${cp.url}/#/workspaces/${created.body.id}`);
    await page.getByRole('heading', { name: 'hostile' }).waitFor();
    const events = page.getByRole('log', { name: 'Events' });
    await expect.poll(() => events.textContent(), { timeout: 20_000 }).toContain(`postCreateCommand failed with exit code 3: ${XSS}`);
    expect(await page.locator('p.reason').textContent()).toContain(XSS);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    // No CSP refusal or script error; only the role probe's expected 403 (GET /v1/tokens is for admins).
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
    expect(await page.evaluate('document.querySelectorAll("[onerror]").length')).toBe(0);
  });
});

describe('the api Lambda bundle', () => {
  it('serves the page and its assets from a lazy chunk, keeping the initial chunk under 1 MB', async () => {
    const out = mkdtempSync(join(tmpdir(), 'workbay-portal-bundle-'));
    try {
      const b = await bundle(join(import.meta.dirname, '..', '..', 'functions', 'api.ts'), join(out, 'api'));
      const stats = bundleStats(b.metafile, 'functions/api.ts');
      expect(stats.initialBytes).toBeLessThan(1_000_000);
      expect(stats.initialInputs.filter((i) => i.startsWith('portal/'))).toEqual([]);
      const fn = startLambda(join(out, 'api'), {
        WORKBAY_TABLE: 'workbay-portal', AWS_REGION: 'us-east-1', WORKBAY_SECRET_PREFIX: 'workbay/test/',
        // Never reached: serving the page touches no table.
        WORKBAY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      try {
        const page = await fn.invoke(httpEvent('GET', '/', { headers: { accept: 'text/html' } }));
        expect(page.error).toBeUndefined();
        expect(page.result).toMatchObject({ statusCode: 200, isBase64Encoded: false });
        expect(page.result.headers['content-security-policy']).toContain("script-src 'self'");
        const version = /app\.js\?v=([0-9a-f]+)/.exec(page.result.body)![1]!;
        const js = await fn.invoke(httpEvent('GET', '/portal/app.js', { query: `v=${version}` }));
        expect(js.result).toMatchObject({ statusCode: 200, isBase64Encoded: false, headers: { 'cache-control': 'public, max-age=31536000, immutable' } });
        expect(js.result.body).toBe(await (await fetch(`${cp.url}/portal/app.js`)).text());
      } finally {
        await fn.close();
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

afterAll(() => {
  // The README's picture is the list page; refreshed by hand with WORKBAY_UPDATE_DOCS=1.
  if (process.env.WORKBAY_UPDATE_DOCS === '1') copyFileSync(join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots', 'list.png'), join(import.meta.dirname, '..', '..', 'docs', 'portal.png'));
});
