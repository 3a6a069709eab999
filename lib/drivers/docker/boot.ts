import type Docker from 'dockerode';
import { remoteEnvOf, type RuntimeMeta } from '../devcontainer';
import { ACTIVITY_FILE, type Progress } from '../driver';
import { CREATE_HOOKS, runHookStages } from '../lifecycle';
import { RUNTIME_LABEL } from './container-spec';
import { engine, translate } from './errors';
import { execIn } from './exec';
import { makeMarkerDir, readMarkers } from './markers';

/**
 * The container a boot acts on: an inspect of it, or (a container this create just made) what its
 * create request said, which is all a boot needs before the start.
 */
export type BootTarget =
  | { info: Docker.ContainerInspectInfo }
  | { id: string; labels: Record<string, string>; workingDir: string };

/** What start and exec need of a container, from its runtime label (RUNTIME_LABEL). */
export function metaOfLabels(labels: Record<string, string> | undefined, workingDir: string | undefined): RuntimeMeta {
  try {
    return JSON.parse(labels?.[RUNTIME_LABEL] ?? '') as RuntimeMeta;
  } catch {
    return { workspaceFolder: workingDir || '/', remoteEnv: {}, ports: [] };
  }
}

/**
 * Starts the container if needed, creates the activity file and runs the hooks that are due; returns
 * the container as inspected after the start. A container this create just made has no markers to
 * read; the hooks' own execs make the marker directory (ADR 0016), and the activity file is touched
 * beside them. The inspect after a start (for its start time, which keys `postStartCommand`) runs
 * beside the create hooks, which are keyed to the container id.
 */
export async function bootContainer(docker: Docker, target: BootTarget, progress: Progress, fresh = false): Promise<Docker.ContainerInspectInfo> {
  const id = 'info' in target ? target.info.Id : target.id;
  const c = docker.getContainer(id);
  const meta = 'info' in target ? metaOfLabels(target.info.Config.Labels, target.info.Config.WorkingDir) : metaOfLabels(target.labels, target.workingDir);
  let inspected: Promise<Docker.ContainerInspectInfo>;
  if ('info' in target && target.info.State.Running) {
    inspected = Promise.resolve(target.info);
  } else {
    progress({ step: 'start', message: 'starting container' });
    try {
      await c.start();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 304) throw translate(err, 'starting the container');
    }
    inspected = engine('inspecting the container', () => c.inspect());
    inspected.catch(() => undefined);
  }
  const touched = meta.overrideCommand ? undefined : execIn(c, ['/bin/sh', '-c', `touch ${ACTIVITY_FILE}`], { user: '0' });
  touched?.catch(() => undefined);
  const hasHooks = [...CREATE_HOOKS, 'postStartCommand' as const].some((h) => meta[h]?.length || meta.contributed?.[h]?.length);
  const markers = fresh || !hasHooks ? new Map<string, string>() : await engine('reading run-once markers', () => readMarkers(c));
  const exec = (argv: string[]) => execIn(c, argv, { user: meta.user, workingDir: meta.workspaceFolder, env: remoteEnvOf(meta) });
  let dir: Promise<void> | undefined;
  const ctx = { exec, progress, markers, makeMarkerDir: () => (dir ??= makeMarkerDir(c)) };
  // Create hooks are keyed to the container id, so a start after a crash mid-create finishes them.
  for (const hook of CREATE_HOOKS) await runHookStages(ctx, hook, meta, id);
  const info = await inspected;
  await runHookStages(ctx, 'postStartCommand', meta, info.State.StartedAt);
  await touched;
  return info;
}
