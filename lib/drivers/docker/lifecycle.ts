import type Docker from 'dockerode';
import type { LifecycleCommand } from '../../config';
import { WorkbayError } from '../../errors';
import type { ExecResult, Progress } from '../driver';
import { execIn } from './exec';

/** Where run-once markers live inside the container (per container, so a new container runs them again). */
const MARKER_DIR = '/var/workbay';

/** Hooks that run once per container, in the reference CLI's order. */
export const CREATE_HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'] as const;

export interface HookContext {
  container: Docker.Container;
  user?: string;
  workingDir: string;
  env: Record<string, string>;
  progress: Progress;
}

const asRoot = (container: Docker.Container, script: string) => execIn(container, ['/bin/sh', '-c', script], { user: '0' });

/** True when the marker holds `stamp` (the hook already ran for this container or this start). */
async function marked(container: Docker.Container, hook: string, stamp: string): Promise<boolean> {
  const r = await asRoot(container, `cat ${MARKER_DIR}/${hook} 2>/dev/null`);
  return r.exitCode === 0 && r.stdout.trim() === stamp;
}

async function mark(container: Docker.Container, hook: string, stamp: string): Promise<void> {
  const r = await asRoot(container, `mkdir -p ${MARKER_DIR} && printf '%s' '${stamp.replace(/'/g, '')}' > ${MARKER_DIR}/${hook}`);
  if (r.exitCode !== 0) throw new WorkbayError('driver.lifecycleFailed', `cannot write the run-once marker for ${hook}: ${r.stderr.trim()}`);
}

/**
 * Runs one hook once per `stamp` (the container id for create hooks, the start time for postStart).
 * Entries of the object form run in parallel; the first failure is reported with its output.
 */
export async function runHook(ctx: HookContext, hook: string, cmd: LifecycleCommand | undefined, stamp: string): Promise<void> {
  if (!cmd?.length || await marked(ctx.container, hook, stamp)) return;
  ctx.progress({ step: 'lifecycle', message: `running ${hook}` });
  const results = await Promise.all(cmd.map(async (c) => {
    const argv = c.argv ?? ['/bin/sh', '-c', c.shell ?? ''];
    return { c, r: await execIn(ctx.container, argv, { user: ctx.user, workingDir: ctx.workingDir, env: ctx.env }) };
  }));
  for (const { c, r } of results) {
    if (r.exitCode !== 0) throw lifecycleError(hook, c.name, r);
  }
  await mark(ctx.container, hook, stamp);
  ctx.progress({ step: 'lifecycle', message: `${hook} done` });
}

function lifecycleError(hook: string, name: string | undefined, r: ExecResult): WorkbayError {
  const output = `${r.stdout}${r.stderr}`.trim().slice(-2000);
  return new WorkbayError('driver.lifecycleFailed', `${hook}${name ? ` (${name})` : ''} failed with exit code ${r.exitCode}${output ? `: ${output}` : ''}`);
}
