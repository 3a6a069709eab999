import { decodeTime } from 'ulid';
import { WorkbayError } from '../errors';
import type { Policy } from '../policy';
import type { QuotaKind, Store, WorkspaceRecord } from '../store';

/** A holding younger than this may belong to a create still writing its record. */
const IN_FLIGHT_MS = 60_000;

type Holder = Pick<WorkspaceRecord, 'id' | 'owner' | 'provider'>;

/**
 * Per-owner quotas of a provider's policy (`quotas.workspaces`, `quotas.running`). Admission is one
 * conditional write on the owner's quota item (QuotaRepo), so the limit holds under concurrent
 * creates. When the item is full, holdings whose workspace no longer counts (gone, stopped by the
 * sweeper, in Error) are dropped and admission is tried once more: the item heals itself after
 * crashes and after stops that did not pass through here.
 */
export class QuotaGate {
  constructor(private readonly store: Store) {}

  /** Takes room for `ws`, or throws 403 `quota.exceeded`. A limit of 0 means none. */
  async admit(kind: QuotaKind, ws: Holder, policy: Policy): Promise<void> {
    const max = policy.quotas[kind];
    if (!max) return;
    const repo = this.store.quotas;
    if ((await repo.members(kind, ws.provider, ws.owner)) === undefined) await this.seed(kind, ws);
    if (await repo.reserve(kind, ws.provider, ws.owner, ws.id, max)) return;
    for (const id of (await repo.members(kind, ws.provider, ws.owner)) ?? []) {
      if (id !== ws.id && !(await this.counts(kind, id))) await repo.release(kind, ws.provider, ws.owner, id);
    }
    if (await repo.reserve(kind, ws.provider, ws.owner, ws.id, max)) return;
    const what = kind === 'workspaces' ? 'workspaces' : 'running workspaces';
    throw new WorkbayError('quota.exceeded', `${ws.owner} has ${max} ${what} on provider "${ws.provider}", the most its policy allows`, {
      errors: [{
        field: kind === 'workspaces' ? 'body.provider' : 'desiredState', rule: `policy.quotas.${kind}`,
        message: `at most ${max} ${what} per owner; ${kind === 'workspaces' ? 'delete one' : 'stop or delete one'} to make room`,
      }],
    });
  }

  /** Gives the room back (a stop frees `running`, a delete both). */
  async release(kinds: QuotaKind[], ws: Holder): Promise<void> {
    for (const kind of kinds) await this.store.quotas.release(kind, ws.provider, ws.owner, ws.id);
  }

  private async counts(kind: QuotaKind, id: string): Promise<boolean> {
    const rec = await this.store.workspaces.get(id);
    if (!rec) return Date.now() - safeTime(id) < IN_FLIGHT_MS;
    if (rec.desiredState === 'Deleted') return false;
    return kind === 'workspaces' || (rec.desiredState === 'Running' && rec.status !== 'Error');
  }

  /** First use for this owner and provider: the workspaces that exist already hold room (GSI2, no Scan). */
  private async seed(kind: QuotaKind, ws: Holder): Promise<void> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.workspaces.listByOwner(ws.owner, { limit: 100, cursor });
      for (const r of page.items) {
        if (r.provider === ws.provider && r.desiredState !== 'Deleted' && (kind === 'workspaces' || r.desiredState === 'Running')) ids.push(r.id);
      }
      cursor = page.cursor;
    } while (cursor);
    await this.store.quotas.seed(kind, ws.provider, ws.owner, ids);
  }
}

function safeTime(id: string): number {
  try {
    return decodeTime(id);
  } catch {
    return 0;
  }
}
