/**
 * The portal's create form offers the dev container configs of a Git URL (GET
 * /v1/providers/{name}/devcontainers), in Debian's Chromium against an embedded control plane, a
 * local git daemon and the test engine: the person types the URL, finds the configs, picks one, and
 * the workspace runs that config. Nothing mocked.
 */
import { createServer, type Socket } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, seriousViolations, type TestBrowser } from '../support/browser';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';

const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let tb: TestBrowser;
let git: GitServer;
let token = '';
let three = '';
let two = '';

beforeAll(async () => {
  tb = await launchBrowser();
  cp = await startControlPlane();
  git = await startGitServer();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local\ndescription: the test engine\n' })).status).toBe(201);
  token = await cp.tokenFor('dana');
  // The fixture of test/integration/config-listing.test.ts: a root config, then two nested ones.
  three = git.repo('three-configs', {
    '.devcontainer.json': `// the root one\n{ "name": "Root config", "image": "${IMAGE}", }\n`,
    '.devcontainer/python/devcontainer.json': JSON.stringify({ name: 'Python 3', image: IMAGE, containerEnv: { PICKED: 'python' } }),
    '.devcontainer/node/devcontainer.json': JSON.stringify({ image: IMAGE }),
    'README.md': 'hello\n',
  });
  two = git.repo('two-configs', {
    '.devcontainer/b/devcontainer.json': JSON.stringify({ name: 'B', image: IMAGE }),
    '.devcontainer/a/devcontainer.json': JSON.stringify({ name: 'A', image: IMAGE }),
  });
  // Same git server, but only its approved/ folder: the fixtures above are outside it.
  const guarded = `name: guarded\ndescription: approved repositories only\nworkbay:\n  policy:\n    gitSources: ["${three.slice(0, three.lastIndexOf('/'))}/approved"]\n`;
  expect((await cp.call('POST', '/v1/providers', { yaml: guarded })).status).toBe(201);
});

afterAll(async () => {
  await tb?.close();
  if (cp) {
    const { body } = await cp.call('GET', '/v1/workspaces', { token });
    for (const w of body?.items ?? []) await cp.call('DELETE', `/v1/workspaces/${w.id}?wait=20`);
    await cp.dispose();
  }
  await git?.close();
});

/** A signed-in tab on the create form, provider `local` chosen. */
async function createForm() {
  const tab = await tb.page();
  const { page } = tab;
  await page.goto(cp.url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'New workspace' }).click();
  await page.getByRole('heading', { name: 'New workspace' }).waitFor();
  await expect.poll(() => page.getByLabel('Provider').locator('option').allTextContents()).toContain('local — the test engine');
  await page.getByLabel('Provider').selectOption('local');
  return tab;
}

const configSelect = (page: Page) => page.getByLabel('Dev container config');
const options = (select: Locator) => select.locator('option').allTextContents();
/** The text of the config field's live region (polite; the page's announcer keeps role=status). */
const statusOf = async (page: Page) => page.locator(`#${await configSelect(page).getAttribute('id')}-status`);
const errorOf = async (page: Page, label: string) => page.locator(`#${await page.getByLabel(label).getAttribute('id')}-error`);

/**
 * Records every text of the config status region and every aria-busy of the select, so the progress
 * shown while listing is asserted after the fact, however fast the listing was.
 */
async function recordProgress(page: Page): Promise<() => Promise<{ status: string[]; busy: (string | null)[] }>> {
  const id = await configSelect(page).getAttribute('id');
  await page.evaluate(`(() => {
    const select = document.getElementById(${JSON.stringify(id)});
    const status = document.getElementById(${JSON.stringify(`${id}-status`)});
    window.progress = { status: [], busy: [] };
    new MutationObserver(() => window.progress.status.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    new MutationObserver(() => window.progress.busy.push(select.getAttribute('aria-busy'))).observe(select, { attributes: true, attributeFilter: ['aria-busy'] });
  })()`);
  return () => page.evaluate('window.progress') as Promise<{ status: string[]; busy: (string | null)[] }>;
}

describe('choosing a dev container config in the create form', () => {
  it('lists the three configs with the default selected; the one picked is the workspace\'s config', async () => {
    const { page, errors } = await createForm();
    const select = configSelect(page);
    expect(await options(select)).toEqual(['The default: the spec\'s search order']);
    await page.getByLabel('Git URL').fill(three);
    await page.getByLabel('Git ref').fill('main');
    const progress = await recordProgress(page);
    await page.getByRole('button', { name: 'Find configs' }).click();
    await expect.poll(() => options(select), { timeout: 90_000 }).toEqual([
      'Root config — .devcontainer.json (default)',
      '.devcontainer/node/devcontainer.json',
      'Python 3 — .devcontainer/python/devcontainer.json',
    ]);
    expect(await select.inputValue()).toBe('.devcontainer.json');
    const seen = await progress();
    expect(seen.status[0]).toBe('Listing the repository\'s configs…');
    expect(await (await statusOf(page)).textContent()).toBe('3 configs found; the default is selected.');
    expect(seen.busy).toEqual(['true', null]);
    expect(await page.getByRole('button', { name: 'Find configs' }).isEnabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'create-configs');

    await select.selectOption({ label: 'Python 3 — .devcontainer/python/devcontainer.json' });
    await page.getByLabel('Name').fill('picked-python');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'picked-python' }).waitFor();
    const id = /#\/workspaces\/([0-9A-Z]{26})$/.exec(page.url())![1]!;
    const record = (await cp.call('GET', `/v1/workspaces/${id}`, { token })).body;
    expect(record).toMatchObject({ devcontainerPath: '.devcontainer/python/devcontainer.json', source: { git: { url: three, ref: 'main' } } });
    // It runs that config, not the default one: the python config's containerEnv is in the container.
    await expect.poll(() => page.locator('.title-row .status-word').textContent(), { timeout: 90_000 }).toBe('Running');
    const docker = testDocker();
    const [container] = (await objectsOf(docker, id)).containers;
    expect((await docker.getContainer(container!.Id).inspect()).Config.Env).toContain('PICKED=python');
    // The role probe's 403 (GET /v1/tokens answers admins only) is expected.
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  }, 240_000);

  it('several nested configs and no default: asks for a choice; editing the URL drops the stale list', async () => {
    const { page } = await createForm();
    const select = configSelect(page);
    await page.getByLabel('Git URL').fill(two);
    await page.getByRole('button', { name: 'Find configs' }).click();
    await expect.poll(() => options(select), { timeout: 90_000 }).toEqual(['Choose a config…', 'A — .devcontainer/a/devcontainer.json', 'B — .devcontainer/b/devcontainer.json']);
    expect(await select.inputValue()).toBe('');
    expect(await (await statusOf(page)).textContent()).toBe('2 configs found, and no default: choose one.');
    await select.selectOption({ label: 'B — .devcontainer/b/devcontainer.json' });
    await page.getByLabel('Git URL').fill(three);
    expect(await options(select)).toEqual(['The default: the spec\'s search order']);
    expect(await (await statusOf(page)).textContent()).toBe('The source changed: find configs again to choose one.');
  }, 120_000);
});

describe('problems while listing', () => {
  it('a URL the API refuses is shown at Git URL, without its password; a missing repository at the config', async () => {
    const { page } = await createForm();
    const gitUrl = page.getByLabel('Git URL');
    await page.getByRole('button', { name: 'Find configs' }).click();
    expect(await (await errorOf(page, 'Git URL')).textContent()).toBe('Give a Git URL to list its configs.');
    expect(await page.evaluate('document.activeElement.id')).toBe(await gitUrl.getAttribute('id'));

    await gitUrl.fill('https://bob:hunter2@git.example.com/r.git');
    await page.getByRole('button', { name: 'Find configs' }).click();
    await expect.poll(() => gitUrl.getAttribute('aria-invalid')).toBe('true');
    expect(await (await errorOf(page, 'Git URL')).textContent()).toMatch(/^the git URL must not carry a password/);
    expect(await (await statusOf(page)).textContent()).toBe('Listing failed (HTTP 400).');
    expect(await gitUrl.getAttribute('aria-describedby')).toContain(`${await gitUrl.getAttribute('id')}-error`);
    // The typed value is the input's property, not markup: nothing on the page repeats the password.
    expect(await page.content()).not.toContain('hunter2');

    await gitUrl.fill(three.replace('three-configs', 'no-such-repo'));
    await page.getByRole('button', { name: 'Find configs' }).click();
    const select = configSelect(page);
    await expect.poll(() => select.getAttribute('aria-invalid'), { timeout: 90_000 }).toBe('true');
    expect(await (await errorOf(page, 'Dev container config')).textContent()).toMatch(/cloning the repository .* failed \(exit \d+\)/);
    expect(await gitUrl.getAttribute('aria-invalid')).toBeNull();
    expect(await (await statusOf(page)).textContent()).toBe('Listing failed (HTTP 422).');
    expect(await options(select)).toEqual(['The default: the spec\'s search order']);
    expect(await seriousViolations(page)).toEqual([]);
  }, 120_000);

  it('a repository the provider\'s gitSources refuses: says so at Git URL, announced, and lists nothing', async () => {
    const { page, errors } = await createForm();
    const select = configSelect(page);
    const gitUrl = page.getByLabel('Git URL');
    const before = (await cp.call('GET', '/v1/workspaces', { token })).body.items.length;
    // A list found with the open provider must not stay on offer for the guarded one.
    await gitUrl.fill(three);
    await page.getByRole('button', { name: 'Find configs' }).click();
    await expect.poll(() => options(select), { timeout: 90_000 }).toHaveLength(3);
    await page.getByLabel('Provider').selectOption('guarded');
    // Userinfo (a token as the user name) is allowed in a URL, and must not come back in the refusal.
    await gitUrl.fill(three.replace('git://', 'git://sekrit-user-token@'));
    await page.getByRole('button', { name: 'Find configs' }).click();
    await expect.poll(() => gitUrl.getAttribute('aria-invalid')).toBe('true');
    const message = await (await errorOf(page, 'Git URL')).textContent();
    // The API's own reason (the normalised location, no userinfo), then what the person can do.
    expect(message).toBe(`Not allowed by this provider's policy: ${three.replace(/\.git$/, '')} is not under the one git source this provider allows. `
      + 'Use a repository the provider allows, or ask an admin to allow this one.');
    expect(await (await statusOf(page)).getAttribute('aria-live')).toBe('polite');
    expect(await (await statusOf(page)).textContent()).toBe('Listing refused (HTTP 403): the provider\'s policy does not allow this repository; see Git URL.');
    expect(await page.evaluate('document.activeElement.id')).toBe(await gitUrl.getAttribute('id'));
    expect(await gitUrl.getAttribute('aria-describedby')).toContain(`${await gitUrl.getAttribute('id')}-error`);
    expect(await select.getAttribute('aria-invalid')).toBeNull();
    expect(await options(select)).toEqual(['The default: the spec\'s search order']);
    expect(await page.content()).not.toContain('sekrit-user-token');
    expect((await cp.call('GET', '/v1/workspaces', { token })).body.items).toHaveLength(before);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'create-configs-policy-denied');
    // Only the refusal itself is logged by the browser (a 403, as the role probe's).
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  }, 120_000);

  it('shows progress while a listing runs and lets the person cancel it', async () => {
    // A git server that accepts and never answers: the listing is in flight for as long as the test wants.
    const held: Socket[] = [];
    const silent = createServer((sock) => { held.push(sock); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { page } = await createForm();
      const select = configSelect(page);
      await page.getByLabel('Git URL').fill(`git://127.0.0.1:${(silent.address() as { port: number }).port}/r.git`);
      await page.getByRole('button', { name: 'Find configs' }).click();
      const busyButton = page.getByRole('button', { name: 'Finding configs…' });
      await busyButton.waitFor();
      expect(await busyButton.isDisabled()).toBe(true);
      expect(await select.getAttribute('aria-busy')).toBe('true');
      expect(await (await statusOf(page)).textContent()).toBe('Listing the repository\'s configs…');
      const cancel = page.getByRole('button', { name: 'Cancel listing' });
      // The pressed button is disabled: focus goes to Cancel, not to the page.
      await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('Cancel listing');
      await cancel.click();
      expect(await (await statusOf(page)).textContent()).toBe('Listing cancelled.');
      expect(await page.getByRole('button', { name: 'Find configs' }).isEnabled()).toBe(true);
      expect(await select.getAttribute('aria-busy')).toBeNull();
      expect(await select.getAttribute('aria-invalid')).toBeNull();
      expect(await cancel.isHidden()).toBe(true);
      // The API still stops its helper at its own limit (60 s); wait for that, so the engine keeps nothing of ours.
      const docker = testDocker();
      await expect.poll(async () => (await docker.listContainers({ all: true, filters: { label: ['workbay.dev/helper=config-listing'] } })).length, { timeout: 90_000, interval: 2000 }).toBe(0);
    } finally {
      held.forEach((sock) => sock.destroy());
      silent.close();
    }
  }, 150_000);
});
