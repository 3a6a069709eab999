/**
 * Debian's Chromium driven by playwright-core, for the portal's browser tests. No browser is
 * downloaded: the tests use /usr/bin/chromium (Debian package `chromium`, in provision.ts's list),
 * and a missing one is a failure that names the package, never a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Result } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots the tests write; CI keeps this folder (it is git-ignored). */
export const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

/**
 * Flags of a headless Chromium on a closed network: without the background-networking ones it keeps
 * trying to reach Google's hosts at every start.
 */
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A running Chromium with a fresh profile. */
export interface TestBrowser {
  browser: Browser;
  /** A new isolated context (its own sessionStorage) with one page; page errors are collected. */
  page(): Promise<{ context: BrowserContext; page: Page; errors: string[]; dialogs: string[] }>;
  close(): Promise<void>;
}

/** Launches Debian's Chromium; throws naming the package when it is not installed. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the portal browser tests need Debian's chromium package (apt-get install -y --no-install-recommends chromium)`);
  }
  // playwright gives every launch a fresh, empty profile (--user-data-dir) of its own and removes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    page: async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      const dialogs: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      // A dialog the test did not expect (alert from injected markup) is recorded and dismissed.
      page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
      return { context, page, errors, dialogs };
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Serious and critical axe-core violations on the page as it is now, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return violations.filter((v: Result) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: Result) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Writes a full-page screenshot to test-artifacts/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
