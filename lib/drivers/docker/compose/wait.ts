import type Docker from 'dockerode';
import { WorkbayError } from '../../../errors';
import type { ComposeDependency } from '../../../compose/types';
import { engine } from '../errors';
import { demuxText } from '../source';
import { followContainer } from './events';
import { isPodmanEngine, runPodmanHealthcheck } from './podman';

/** Longest wait for one dependency to become healthy or to complete. */
export const DEPENDENCY_WAIT_MS = 5 * 60_000;
/**
 * A wait also re-inspects this often: the backstop for an event the engine never delivers (once,
 * under heavy load, a wait on Podman 4.3 for a one-shot service ran to its deadline although the
 * container had exited).
 */
const BACKSTOP_MS = 5_000;
/** The engines' healthcheck interval when the service sets none. */
const DEFAULT_INTERVAL_MS = 30_000;

type Condition = ComposeDependency['condition'];
/** What one inspect says about a condition: met, failed (what the service did), or not yet (undefined). */
type Verdict = { met: true } | { failed: string } | undefined;

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

/** The last healthcheck result the engine kept, for an error message. */
function lastHealth(info: Docker.ContainerInspectInfo): string {
  const log = (info.State.Health as { Log?: { ExitCode?: number; Output?: string }[] } | undefined)?.Log ?? [];
  const last = log[log.length - 1];
  if (!last) return '; its healthcheck has not run yet';
  const out = (last.Output ?? '').trim();
  return `; last healthcheck: exit code ${last.ExitCode}${out ? `, output: ${out.slice(-500)}` : ', no output'}`;
}

/** Judges a condition from one inspect. */
export function verdictOf(info: Docker.ContainerInspectInfo, condition: Condition): Verdict {
  const s = info.State;
  if (condition === 'service_started') return { met: true };
  if (condition === 'service_completed_successfully') {
    if (s.Status !== 'exited' && s.Status !== 'dead') return undefined;
    return s.ExitCode === 0 ? { met: true } : { failed: `exited with code ${s.ExitCode}, and a dependent service needs it to complete successfully` };
  }
  const test = info.Config.Healthcheck?.Test;
  if (!test?.length || test[0] === 'NONE') return { failed: 'has no healthcheck, and a dependent service waits for it to be healthy' };
  const health = s.Health?.Status;
  if (health === 'healthy') return { met: true };
  if (health === 'unhealthy') return { failed: 'is unhealthy (its healthcheck failed)' };
  if (!s.Running) return { failed: `exited with code ${s.ExitCode} before it became healthy` };
  return undefined;
}

/** The events stream's `since` for a container: its last start, on the engine's clock. */
function sinceOf(info: Docker.ContainerInspectInfo): number | undefined {
  const t = Date.parse(info.State.StartedAt);
  return t > 0 ? Math.floor(t / 1000) : undefined;
}

/**
 * Runs a Podman container's healthcheck whenever the engine has logged no health event for a bit
 * more than its interval: with systemd, Podman's own runs keep this quiet; without, it is the only
 * runner (see runPodmanHealthcheck).
 */
function podmanHealthRunner(docker: Docker, info: Docker.ContainerInspectInfo, wake: () => void) {
  const interval = Number(info.Config.Healthcheck?.Interval ?? 0) / 1e6 || DEFAULT_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(run, interval + Math.max(1000, interval / 2));
  };
  const run = async () => {
    await runPodmanHealthcheck(docker, info.Id);
    wake();
    arm();
  };
  arm();
  return { heard: arm, stop: () => { stopped = true; clearTimeout(timer); } };
}

/**
 * Waits on the engine's events for the container (`start`, `die`, `health_status`), judging each
 * wake-up by an inspect, until the condition is met, fails, or `maxMs` pass. The subscription
 * replays from the container's last start, so a change between the first inspect and the
 * subscription is not missed; a slow backstop inspect covers an event the engine loses. Stream,
 * timers and the health runner are closed on every path.
 */
async function follow(docker: Docker, first: Docker.ContainerInspectInfo, condition: Condition, maxMs: number, inspect: () => Promise<Docker.ContainerInspectInfo>) {
  const podman = condition === 'service_healthy' && (await isPodmanEngine(docker));
  let rung = false;
  let ring = () => {};
  const wake = () => { rung = true; ring(); };
  let timedOut = false;
  const runner = podman ? podmanHealthRunner(docker, first, wake) : undefined;
  const events = followContainer(docker, first.Id, sinceOf(first), (action) => {
    if (action.startsWith('health_status')) runner?.heard();
    wake();
  });
  // A stream the engine ends early leaves the backstop to finish the wait.
  void events.ended.then(wake);
  const deadline = setTimeout(() => { timedOut = true; wake(); }, maxMs);
  const backstop = setInterval(wake, BACKSTOP_MS);
  try {
    for (;;) {
      if (!rung) await new Promise<void>((r) => { ring = r; });
      rung = false;
      const info = await inspect();
      const verdict = verdictOf(info, condition);
      if (verdict) return { info, verdict };
      if (timedOut) return { info, verdict: { failed: `did not ${condition === 'service_healthy' ? 'become healthy' : 'complete'} within ${Math.round(maxMs / 1000)} s` } };
    }
  } finally {
    clearTimeout(deadline);
    clearInterval(backstop);
    runner?.stop();
    events.close();
  }
}

/**
 * Waits until the container of service `name` meets a `depends_on` condition: `service_started`
 * needs nothing more (it was started before its dependents), `service_healthy` waits for the
 * engine's health status, `service_completed_successfully` for exit code 0. Event-driven (the
 * engine's events stream), bounded by `maxMs`.
 *
 * @throws WorkbayError `driver.failed` naming the service, what it did, its last healthcheck result
 *   and its last log lines: it turned unhealthy, exited, exited non-zero, has no healthcheck, or
 *   did not get there in time.
 */
export async function waitForCondition(docker: Docker, name: string, id: string, condition: Condition, maxMs = DEPENDENCY_WAIT_MS): Promise<void> {
  if (condition === 'service_started') return;
  const c = docker.getContainer(id);
  const inspect = () => engine(`inspecting service ${name}`, () => c.inspect());
  let info = await inspect();
  let verdict = verdictOf(info, condition);
  if (!verdict) ({ info, verdict } = await follow(docker, info, condition, maxMs, inspect));
  if ('met' in verdict) return;
  const health = condition === 'service_healthy' && info.Config.Healthcheck?.Test?.length && info.Config.Healthcheck.Test[0] !== 'NONE' ? lastHealth(info) : '';
  throw new WorkbayError('driver.failed', `service "${name}" ${verdict.failed}${health}${await lastLines(c, !!info.Config.Tty)}`);
}
