import type Docker from 'dockerode';
import { WorkbayError } from '../../../errors';
import type { ComposeDependency } from '../../../compose/types';
import { engine } from '../errors';
import { demuxText } from '../source';

/** Longest wait for one dependency to become healthy or to complete. */
export const DEPENDENCY_WAIT_MS = 5 * 60_000;
const POLL_MS = 250;

/** The last lines a container wrote, for an error message. */
async function lastLines(c: Docker.Container, tty: boolean): Promise<string> {
  try {
    const buf = (await c.logs({ stdout: true, stderr: true, tail: 20, follow: false })) as unknown as Buffer;
    const text = (tty ? buf.toString('utf8') : demuxText(buf)).trim();
    return text ? `; last log lines:\n${text.slice(-2000)}` : '; it wrote no log lines';
  } catch {
    return '';
  }
}

/**
 * Waits until the container of service `name` meets a `depends_on` condition: `service_started`
 * needs nothing more (it was started before its dependents), `service_healthy` waits for the
 * engine's health status, `service_completed_successfully` for exit code 0. Bounded by `maxMs`.
 *
 * @throws WorkbayError `driver.failed` naming the service, what it did and its last log lines: it
 *   turned unhealthy, exited, exited non-zero, has no healthcheck, or did not get there in time.
 */
export async function waitForCondition(docker: Docker, name: string, id: string, condition: ComposeDependency['condition'], maxMs = DEPENDENCY_WAIT_MS): Promise<void> {
  if (condition === 'service_started') return;
  const c = docker.getContainer(id);
  const until = Date.now() + maxMs;
  const fail = async (what: string, tty: boolean) => {
    throw new WorkbayError('driver.failed', `service "${name}" ${what}${await lastLines(c, tty)}`);
  };
  for (;;) {
    const info = await engine(`inspecting service ${name}`, () => c.inspect());
    const s = info.State;
    const tty = !!info.Config.Tty;
    if (condition === 'service_completed_successfully') {
      if (s.Status === 'exited' || s.Status === 'dead') {
        if (s.ExitCode === 0) return;
        return fail(`exited with code ${s.ExitCode}, and a dependent service needs it to complete successfully`, tty);
      }
    } else {
      const health = s.Health?.Status;
      if (!info.Config.Healthcheck?.Test?.length || info.Config.Healthcheck.Test[0] === 'NONE') {
        return fail('has no healthcheck, and a dependent service waits for it to be healthy', tty);
      }
      if (health === 'healthy') return;
      if (health === 'unhealthy') return fail('is unhealthy (its healthcheck failed)', tty);
      if (!s.Running) return fail(`exited with code ${s.ExitCode} before it became healthy`, tty);
    }
    if (Date.now() >= until) {
      return fail(`did not ${condition === 'service_healthy' ? 'become healthy' : 'complete'} within ${Math.round(maxMs / 1000)} s`, tty);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
