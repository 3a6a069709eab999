import { needsWork, type WorkspaceRecord } from '../store';
import type { Lease } from './lease';
import type { WorkspaceService } from './service';

/**
 * Passes begun on one workspace that never finished before it is given up. A pass that ends, even in
 * failure, resets the count; only a process dying (or hanging until it is restarted) mid-pass leaves
 * it raised, so a normal crash-and-resume stays well below.
 */
export const MAX_UNFINISHED_PASSES = 3;

/** A counted pass: `poisoned` when the workspace was given up instead; `finish` records that it ended. */
export interface CountedPass {
  poisoned: boolean;
  finish(): Promise<void>;
}

const uncounted: CountedPass = { poisoned: false, finish: async () => {} };

/**
 * The count a pass writes with its lease, before it acts: undefined when the pass is not counted (a
 * settled workspace) or the workspace is to be given up (countPass does that).
 */
export function passCount(ws: WorkspaceRecord): { unfinishedPasses: number } | undefined {
  if (!needsWork(ws)) return undefined;
  const before = ws.unfinishedPasses ?? 0;
  return before < MAX_UNFINISHED_PASSES ? { unfinishedPasses: before + 1 } : undefined;
}

/**
 * Counts a pass in the record before it acts, so a record that takes the process down on every
 * attempt is seen by the next process: after MAX_UNFINISHED_PASSES it goes to Error with the reason
 * and is no longer re-driven (a delete ends with the record removed; the orphan collector finds the
 * labelled engine objects). Settled workspaces are not counted: observing them costs no write.
 * `countedWithLease`: the lease's own write counted it already (passCount).
 */
export async function countPass(lease: Lease, workspaces: WorkspaceService, countedWithLease = false): Promise<CountedPass> {
  const ws = lease.current;
  if (countedWithLease) return counted(lease);
  if (!needsWork(ws)) return uncounted;
  const before = ws.unfinishedPasses ?? 0;
  if (before >= MAX_UNFINISHED_PASSES) {
    if (ws.desiredState === 'Deleted') {
      await workspaces.finalizeDelete(ws, 'reconciler');
      return { poisoned: true, finish: async () => {} };
    }
    const reason = `the control plane stopped ${before} times while working on this workspace (status ${ws.status}); ` +
      'it is not retried automatically: ask for the desired state again to retry, or delete it';
    await lease.save({ status: 'Error', statusReason: reason, unfinishedPasses: undefined, attempts: 0 }, {
      type: 'workspace.error', message: reason, data: { code: 'workspace.unfinishedPasses', passes: before },
    });
    return { poisoned: true, finish: async () => {} };
  }
  await lease.save({ unfinishedPasses: before + 1 });
  return counted(lease);
}

/** A pass whose count is in the record (written with the lease, or just now). */
function counted(lease: Lease): CountedPass {
  return {
    poisoned: false,
    // Another holder or a delete may have taken the record meanwhile: then there is nothing to reset.
    finish: async () => {
      if (lease.current.unfinishedPasses === undefined) return;
      await lease.save({ unfinishedPasses: undefined }).catch(() => undefined);
    },
  };
}
