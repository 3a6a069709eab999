import { afterAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import type { Driver, DriverWorkspace, ProgressEvent } from '../../lib/drivers';
import { isWorkbayError } from '../../lib/errors';

/** What a driver's test file hands the shared contract. */
export interface ContractTarget {
  driver: Driver;
  /** An image the engine/cluster can run without pulling (busybox-like: sh, touch, cat, sleep). */
  image: string;
  /** An image reference that does not exist anywhere. */
  missingImage: string;
  /** Cases the driver cannot support, each with the written reason. */
  skip?: Partial<Record<string, string>>;
}

// Hooks write into the workspace folder: the one place every driver keeps across stop and start.
const devcontainer = (image: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  image,
  containerEnv: { GREETING: 'hello from containerEnv' },
  remoteEnv: { REMOTE_ONE: 'r1' },
  postCreateCommand: 'echo created >> .post-create.log',
  postStartCommand: ['/bin/sh', '-c', 'echo started >> .post-start.log'],
  ...extra,
});

/**
 * The driver contract (DESIGN §4): every driver passes the same cases, with written reasons for any
 * skip. Each case makes its own workspace and deletes it.
 */
export function driverContract(name: string, target: () => ContractTarget): void {
  describe(`driver contract: ${name}`, () => {
    const made: DriverWorkspace[] = [];
    const ws = (extra: Record<string, unknown> = {}, image?: string): DriverWorkspace => {
      const t = target();
      const w: DriverWorkspace = { id: ulid(), name: `c-${made.length}`, owner: 'contract', source: { image: image ?? t.image }, devcontainer: devcontainer(image ?? t.image, extra), env: {} };
      made.push(w);
      return w;
    };
    const cases = (id: string, title: string, fn: () => Promise<void>, timeout = 120_000) => {
      const reason = target().skip?.[id];
      if (reason) it.skip(`${title} (skipped: ${reason})`, fn);
      else it(title, fn, timeout);
    };
    afterAll(async () => {
      for (const w of made) await target().driver.delete(w).catch(() => undefined);
    }, 120_000);

    cases('lifecycle', 'create runs the container with env and hooks; stop/start run postStart again and postCreate not; delete removes it', async () => {
      const { driver } = target();
      const w = ws();
      const steps: ProgressEvent[] = [];
      const obs = await driver.create(w, (e) => steps.push(e));
      expect(obs.state).toBe('running');
      expect(steps.some((s) => s.step === 'lifecycle')).toBe(true);
      const env = await driver.exec(w, ['/bin/sh', '-c', 'echo "$GREETING|$REMOTE_ONE"']);
      expect(env).toMatchObject({ exitCode: 0, stdout: 'hello from containerEnv|r1\n' });
      expect((await driver.exec(w, ['cat', '.post-create.log'])).stdout).toBe('created\n');
      expect((await driver.exec(w, ['cat', '.post-start.log'])).stdout).toBe('started\n');
      await driver.stop(w);
      expect((await driver.find(w))?.state).toBe('stopped');
      await driver.stop(w);
      await driver.start(w, () => {});
      expect((await driver.find(w))?.state).toBe('running');
      expect((await driver.exec(w, ['cat', '.post-create.log'])).stdout).toBe('created\n');
      expect((await driver.exec(w, ['cat', '.post-start.log'])).stdout).toBe('started\nstarted\n');
      await driver.delete(w);
      expect(await driver.find(w)).toBeUndefined();
      await driver.delete(w);
    });

    cases('adopt', 'create is idempotent: a second create adopts the same workspace and runs no hook twice', async () => {
      const { driver } = target();
      const w = ws();
      const a = await driver.create(w, () => {});
      const b = await driver.create(w, () => {});
      expect(b.ref).toEqual(a.ref);
      expect((await driver.exec(w, ['cat', '.post-create.log'])).stdout).toBe('created\n');
    });

    cases('exec', 'exec returns exit code, stdout and stderr separately, and kills on timeout', async () => {
      const { driver } = target();
      const w = ws({ postCreateCommand: undefined, postStartCommand: undefined });
      await driver.create(w, () => {});
      expect(await driver.exec(w, ['/bin/sh', '-c', 'echo out; echo err >&2; exit 7'])).toMatchObject({ exitCode: 7, stdout: 'out\n', stderr: 'err\n' });
      const slow = await driver.exec(w, ['sleep', '30'], { timeoutMs: 500 });
      expect(slow.timedOut).toBe(true);
      expect(slow.exitCode).toBe(124);
      const ws2 = await driver.exec(w, ['pwd']);
      expect(ws2.stdout.trim()).toBe(`/workspaces/${w.name}`);
    });

    cases('activity', 'lastActivity is the mtime of /tmp/devpod.activity, created at start and moved by touch', async () => {
      const { driver } = target();
      const w = ws({ postCreateCommand: undefined, postStartCommand: undefined });
      await driver.create(w, () => {});
      const first = await driver.lastActivity(w);
      expect(first).toBeInstanceOf(Date);
      await driver.exec(w, ['touch', '-d', '@4102444800', '/tmp/devpod.activity'], { user: '0' });
      expect((await driver.lastActivity(w))?.getTime()).toBe(4102444800_000);
      await driver.stop(w);
      expect(await driver.lastActivity(w)).toBeUndefined();
    });

    cases('logs', 'logs return the container output', async () => {
      const { driver } = target();
      const w = ws({ postCreateCommand: undefined, postStartCommand: undefined });
      await driver.create(w, () => {});
      expect(await driver.logs(w, { tail: 50 })).toContain('Container started');
    });

    cases('hook-failure', 'a failing lifecycle command fails create with its output', async () => {
      const { driver } = target();
      const w = ws({ postCreateCommand: 'echo about to fail; exit 3' });
      const err = await driver.create(w, () => {}).catch((e: unknown) => e);
      expect(isWorkbayError(err, 'driver.lifecycleFailed')).toBe(true);
      expect((err as Error).message).toMatch(/postCreateCommand failed with exit code 3: about to fail/);
    });

    cases('missing-image', 'an image that cannot be pulled fails with driver.imageUnavailable', async () => {
      const t = target();
      const w = ws({}, t.missingImage);
      const err = await t.driver.create(w, () => {}).catch((e: unknown) => e);
      expect(isWorkbayError(err, 'driver.imageUnavailable')).toBe(true);
      expect((err as Error).message).toContain(t.missingImage);
    });

    cases('connection', 'connection info names the provider CLI and the workspace folder', async () => {
      const { driver } = target();
      const w = ws({ postCreateCommand: undefined, postStartCommand: undefined });
      await driver.create(w, () => {});
      const c = await driver.connection(w);
      expect(c.workspaceFolder).toBe(`/workspaces/${w.name}`);
      expect(c.attach.length).toBeGreaterThan(2);
    });
  });
}
