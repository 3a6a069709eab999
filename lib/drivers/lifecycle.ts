import type { ContributedHook, LifecycleCommand, LifecycleHook } from '../config';
import { WorkbayError } from '../errors';
import { ACTIVITY_FILE, type ExecResult, type Progress } from './driver';

/** Where run-once markers live inside the workspace (Docker: the container; Kubernetes: the PVC). */
export const MARKER_DIR = '/var/workbay';

/**
 * The keep-alive command used unless `overrideCommand: false`, as DevPod and the reference CLI do:
 * exits promptly on SIGTERM so stop is fast, and creates the activity file at every start.
 */
export const KEEPALIVE = `echo Container started; touch ${ACTIVITY_FILE} 2>/dev/null; trap "exit 0" 15; while sleep 1 & wait $!; do :; done`;

/** Hooks that run once per workspace container, in the reference CLI's order. */
export const CREATE_HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'] as const;

/** How a driver runs a hook's argv in the workspace (as the remote user, in the workspace folder). */
export type HookExec = (argv: string[]) => Promise<ExecResult>;

export interface HookContext {
  exec: HookExec;
  progress: Progress;
  /** Marker name -> stamp, read once per boot. */
  markers: Map<string, string>;
  /**
   * Makes MARKER_DIR as root (world-writable, sticky) when a hook's user could not make it itself;
   * the hook then runs again. Absent where the directory always exists (a Kubernetes mount).
   */
  makeMarkerDir?: () => Promise<void>;
}

/** Exit code and stderr of ONCE when MARKER_DIR is missing and its user may not make it. */
export const NO_MARKER_DIR = { exitCode: 213, stderr: 'workbay-once: no marker directory' } as const;

/**
 * Runs one command exactly once per stamp, even when the control plane dies mid-run: an exec keeps
 * running in the container after its caller is gone, so the container itself writes the marker on
 * success, and a lock (a symbolic link whose target is the holder's pid, made in one step so no lock
 * is ever without its holder) makes a resumed run wait for the old one instead of running the command
 * a second time. The marker is read again once the lock is held (the old run may finish while this
 * one sleeps between tries), and a dead holder's lock is taken away by one waiter only, under a reap
 * lock named after the dead pid; a marker directory removed meanwhile ends the wait as a missing one
 * does, instead of trying forever. A lock directory with a `pid` file (what earlier versions made) is
 * waited for and reaped alike. It makes MARKER_DIR itself when its user may (root, the common case),
 * so a first boot costs one exec per hook and nothing else (ADR 0016).
 */
export const ONCE = `d=${MARKER_DIR}; m="$1"; s="$2"; shift 2
workbay_ran() { [ "$(cat "$d/$m" 2>/dev/null)" = "$s" ]; }
workbay_holder() { readlink "$d/$m.lock" 2>/dev/null || cat "$d/$m.lock/pid" 2>/dev/null; }
workbay_nodir() { [ -d "$d" ] || { echo '${NO_MARKER_DIR.stderr}' >&2; exit ${NO_MARKER_DIR.exitCode}; }; }
workbay_lock() { { [ -L "$d/$m.lock" ] || [ ! -d "$d/$m.lock" ]; } && ln -s "$$" "$d/$m.lock" 2>/dev/null; }
workbay_ran && exit 0
[ -d "$d" ] || { mkdir -p "$d" && chmod 1777 "$d"; } 2>/dev/null
workbay_nodir
while ! workbay_lock; do
  workbay_ran && exit 0
  workbay_nodir
  p=$(workbay_holder)
  if [ -n "$p" ] && [ ! -d "/proc/$p" ] && mkdir "$d/$m.reap.$p" 2>/dev/null; then
    [ "$(workbay_holder)" = "$p" ] && [ ! -d "/proc/$p" ] && rm -rf "$d/$m.lock"
    rmdir "$d/$m.reap.$p"
  fi
  sleep 0.2
done
workbay_ran && { rm -f "$d/$m.lock"; exit 0; }
"$@"; rc=$?
[ $rc -eq 0 ] && printf '%s' "$s" > "$d/$m"
rm -f "$d/$m.lock"
exit $rc`;

/**
 * Runs one hook once per `stamp` (the container id for create hooks, the start time for postStart).
 * Entries of the object form run in parallel, each exactly once; the first failure is reported with
 * its output.
 */
export async function runHook(ctx: HookContext, hook: string, cmd: LifecycleCommand | undefined, stamp: string, marker = hook): Promise<void> {
  if (!cmd?.length) return;
  const due = cmd.map((c, i) => ({ c, marker: cmd.length === 1 ? marker : `${marker}.${i}` })).filter((x) => ctx.markers.get(x.marker) !== stamp);
  if (!due.length) return;
  ctx.progress({ step: 'lifecycle', message: `running ${hook}` });
  const results = await Promise.all(due.map(async ({ c, marker }) => {
    const argv = ['/bin/sh', '-c', ONCE, 'workbay-once', marker, stamp, ...(c.argv ?? ['/bin/sh', '-c', c.shell ?? ''])];
    let r = await ctx.exec(argv);
    // The marker directory is made by the hook's own exec when its user may (one exec, not two); else by root, once.
    if (ctx.makeMarkerDir && r.exitCode === NO_MARKER_DIR.exitCode && r.stderr.trim() === NO_MARKER_DIR.stderr) {
      await ctx.makeMarkerDir();
      r = await ctx.exec(argv);
    }
    return { c, r };
  }));
  for (const { c, r } of results) {
    showOutput(ctx, hook, r);
    if (r.exitCode !== 0) throw lifecycleError(hook, c.name, r);
  }
  ctx.progress({ step: 'lifecycle', message: `${hook} done` });
}

/** The hooks of a workspace as its runtime label holds them (see RuntimeMeta). */
export interface HookSet extends Partial<Record<LifecycleHook, LifecycleCommand>> {
  contributed?: Partial<Record<LifecycleHook, ContributedHook[]>>;
}

/**
 * Runs one hook in the spec's order: what the image's metadata and Features contribute (in their
 * order, each its own run-once marker), then the config's own (marker named after the hook, as
 * before Features existed, so older containers keep their markers).
 */
export async function runHookStages(ctx: HookContext, hook: LifecycleHook, hooks: HookSet, stamp: string): Promise<void> {
  for (const [k, c] of (hooks.contributed?.[hook] ?? []).entries()) {
    await runHook(ctx, `${hook} (from ${c.origin})`, c.command, stamp, `${hook}@${k}`);
  }
  await runHook(ctx, hook, hooks[hook], stamp);
}

/**
 * Runs `postAttachCommand` (the contributed ones first) for one attach: no run-once marker, it runs
 * on every attach, as in the reference CLI. Call it when a person attaches (`workbay ssh`, the
 * brokered attach stream, the portal's terminal) with an exec as the remote user in the workspace
 * folder. The first failure stops the rest and is thrown; whether the attach goes on is the
 * caller's decision.
 *
 * @throws WorkbayError `driver.lifecycleFailed` naming the hook, with its output.
 */
export async function runAttachHook(exec: HookExec, hooks: HookSet, progress: Progress = () => undefined): Promise<void> {
  const stages = [...(hooks.contributed?.postAttachCommand ?? []).map((c) => ({ label: `postAttachCommand (from ${c.origin})`, cmd: c.command })), { label: 'postAttachCommand', cmd: hooks.postAttachCommand }];
  for (const { label, cmd } of stages) {
    if (!cmd?.length) continue;
    progress({ step: 'lifecycle', message: `running ${label}` });
    const results = await Promise.all(cmd.map(async (c) => ({ c, r: await exec(c.argv ?? ['/bin/sh', '-c', c.shell ?? '']) })));
    for (const { c, r } of results) {
      showOutput({ progress }, label, r);
      if (r.exitCode !== 0) throw lifecycleError(label, c.name, r);
    }
  }
}

/** Every hook's output goes to progress (and so the events), not only on failure. */
function showOutput(ctx: { progress: Progress }, hook: string, r: ExecResult): void {
  const text = `${r.stdout}${r.stderr}`.trim();
  if (text) ctx.progress({ step: 'lifecycle', message: `${hook}: ${text.slice(-2000)}` });
}

function lifecycleError(hook: string, name: string | undefined, r: ExecResult): WorkbayError {
  const output = `${r.stdout}${r.stderr}`.trim().slice(-2000);
  return new WorkbayError('driver.lifecycleFailed', `${hook}${name ? ` (${name})` : ''} failed with exit code ${r.exitCode}${output ? `: ${output}` : ''}`);
}
