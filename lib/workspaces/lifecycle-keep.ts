import { parseProviderYaml } from '../config';
import { isWorkbayError } from '../errors';
import { assertAllowed, DEFAULT_POLICY } from '../policy';
import type { Store, WorkspaceRecord } from '../store';
import { mayKeep } from './lifecycle-request';
import type { Actor, WorkspaceService } from './service';

/**
 * Sets or clears a workspace's `keep` flag (exempt from retention): an admin, or the owner where the
 * provider's `lifecycle.keep` is `owners` (judged on the provider as stored now). Store conflicts
 * with the reconciler or a sweep are retried, so a user's request never sees `store.conflict`.
 */
export async function setKeep(store: Store, workspaces: WorkspaceService, actor: Actor, id: string, keep: boolean): Promise<WorkspaceRecord> {
  for (let attempt = 0; ; attempt++) {
    const ws = await workspaces.get(actor, id);
    const provider = await store.providers.get(ws.provider);
    const policy = provider ? parseProviderYaml(provider.yaml, { name: provider.name, stored: true }).policy : DEFAULT_POLICY;
    const refused = mayKeep(policy.lifecycle, actor.role);
    assertAllowed(refused ? [refused] : []);
    if (!!ws.keep === keep) return ws;
    try {
      const next = await workspaces.updateWithEvent(ws, { ...ws, keep: keep || undefined },
        keep ? 'workspace.kept' : 'workspace.unkept', keep ? 'kept: exempt from retention' : 'no longer kept: retention applies', actor.owner, { keep });
      workspaces.changes.notify(id);
      return next;
    } catch (err) {
      if (!isWorkbayError(err, 'store.conflict') || attempt >= 9) throw err;
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}
