import { ulid } from 'ulid';
import type { ProviderService } from '../providers';
import type { Store, WorkspaceRecord, WorkspaceSource, WorkspaceStatus, DesiredState, EventRecord, Page } from '../store';
import { isWorkbayError, WorkbayError } from '../errors';
import { defaultWorkspaceName, fingerprint } from './names';
import { ChangeNotifier } from './notifier';
import { effectiveTimeout } from './timeout';
import type { Policy } from '../policy';
import { workspaceBuiltins, type PendingEvent } from './model';
import { pendingAfter, pendingEvent } from './pending-events';
import type { DriverFor } from './drivers';
import { QuotaGate } from './quota-gate';
import { assertRecordFits } from './record-size';
import { secretOptionNames } from './view';
import { newEventId } from '../store/events';
import { EventWriter, type EventListener } from './event-writer';
import { lifecycleFields } from './lifecycle-request';
import { uploadSource, type UploadCatalog } from '../uploads/workspace-source';

/** Who acts; admins may act on every owner's workspaces. */
export interface Actor { owner: string; role: 'admin' | 'user' }

/** A validated create request (the API's zod schema produced it). */
export interface CreateWorkspaceInput {
  name?: string;
  provider: string;
  source: WorkspaceSource;
  devcontainer?: string | Record<string, unknown>;
  /** Where devcontainer.json is in the source (validated by the API schema). */
  devcontainerPath?: string;
  options?: Record<string, string>;
  env?: Record<string, string>;
  inactivityTimeout?: number | string;
  /** How long it is kept once Stopped (0 = delete on stop; `""`/null = never), within the provider's maximum. */
  retention?: number | string | null;
  /** How long it may run after a start whatever its activity (`""`/0 = never), within the provider's maximum. */
  maxLifetime?: number | string | null;
}

/** The parsers and policy checks of a create or start, loaded on first use: reads never need them (ADR 0020). */
const checks = async () => {
  const [config, policy, check] = await Promise.all([import('../config'), import('../policy'), import('./policy-check')]);
  return { parseDevcontainer: config.parseDevcontainer, parseProviderYaml: config.parseProviderYaml, ...policy, ...check };
};

const notFound = (id: string) => new WorkbayError('workspace.notFound', `workspace ${id} does not exist`);

/** How long a name claim may point at a workspace that was never written before it is taken over. */
const ABANDONED_CLAIM_MS = 60_000;

/** Workspace records: create (idempotent), read, list, desired-state changes, events. */
export class WorkspaceService {
  /** Starts reconciling a workspace now (embedded: in-process; AWS: the table stream does it). */
  kick: (id: string) => void = () => {};
  /** Signals in-process waiters (`?wait=`) that a workspace changed. */
  readonly changes = new ChangeNotifier();
  /** Told of every appended event, synchronously; listeners must not throw or block (Slack follow-ups). */
  readonly eventListeners: EventListener[] = [];
  private readonly writer: EventWriter;
  /** Folder uploads (embedded mode); without them an `upload` source is refused. */
  uploads?: UploadCatalog;

  constructor(
    private readonly store: Store,
    private readonly providers: ProviderService,
    /** When given, an image the engine already has is judged with its label before anything is written. */
    private readonly driverFor?: DriverFor,
  ) {
    this.writer = new EventWriter(store, this.eventListeners);
  }

  /**
   * Creates a workspace record in `Pending`. Without transactions the steps are single-item writes in
   * an order that a retry (same Idempotency-Key) or a later create can always finish or take over.
   */
  async create(actor: Actor, input: CreateWorkspaceInput, idempotencyKey?: string): Promise<{ workspace: WorkspaceRecord; created: boolean }> {
    // Before the idempotency and name claims: a record DynamoDB would refuse must leave nothing behind.
    assertRecordFits({ devcontainer: devcontainerText(input.devcontainer), env: input.env, options: input.options, source: input.source });
    const fp = fingerprint(input);
    let id = ulid();
    if (idempotencyKey) {
      const held = await this.store.idempotency.take(actor.owner, idempotencyKey, { workspaceId: id, fingerprint: fp, createdAt: new Date().toISOString() });
      if (held) {
        if (held.fingerprint !== fp) {
          throw new WorkbayError('idempotency.conflict', 'this Idempotency-Key was used with a different request body', {
            errors: [{ field: 'header.idempotency-key', message: 'reuse a key only to retry the identical request' }],
          });
        }
        const existing = await this.store.workspaces.get(held.workspaceId);
        if (existing) return { workspace: existing, created: false };
        id = held.workspaceId; // an earlier attempt died halfway: finish it under the same id
      }
    }
    let rec: WorkspaceRecord;
    try {
      rec = await this.buildRecord(actor, input, id, idempotencyKey);
      await this.admitQuota(rec);
    } catch (err) {
      // A refused request leaves nothing behind, not even its Idempotency-Key.
      if (idempotencyKey) await this.store.idempotency.release(actor.owner, idempotencyKey, id);
      throw err;
    }
    await this.claimName(actor.owner, rec.name, id).catch(async (err: unknown) => {
      await this.quotas.release(['workspaces', 'running'], rec);
      throw err;
    });
    await this.store.providers.markUse(rec.provider, id);
    const provider = await this.store.providers.get(rec.provider);
    if (!provider || provider.deleting) {
      await this.store.providers.unmarkUse(rec.provider, id);
      await this.store.names.release(actor.owner, rec.name, id);
      await this.quotas.release(['workspaces', 'running'], rec);
      throw new WorkbayError('provider.notFound', `provider "${rec.provider}" does not exist`);
    }
    const createdEvent = pendingEvent('workspace.created', `workspace ${rec.name} created`, actor.owner);
    rec.pendingEvents = [createdEvent];
    try {
      await this.store.workspaces.create(rec);
      // After the write: a bound upload never expires, so it must not be bound to a workspace that never was.
      if ('upload' in rec.source) await this.uploads?.bind(rec.source.upload.id, rec.id);
    } catch (err) {
      // A concurrent retry with the same Idempotency-Key wrote it first: that one is the answer.
      const winner = idempotencyKey && isWorkbayError(err, 'store.conflict') ? await this.store.workspaces.get(id) : undefined;
      if (winner) return { workspace: winner, created: false };
      throw err;
    }
    // The event takes its id (and so its place in the log) now; the reconciler starts while it is written.
    const created = this.writeEvent(rec, createdEvent);
    this.kick(rec.id);
    await created;
    return { workspace: rec, created: true };
  }

  private async buildRecord(actor: Actor, input: CreateWorkspaceInput, id: string, idempotencyKey?: string): Promise<WorkspaceRecord> {
    const resolved = await this.providers.resolveForWorkspace(input.provider, input.options ?? {}, actor.role, workspaceBuiltins(id));
    const { assertAllowed, judgeTimeout, labelViolations, parseDevcontainer, requestViolations } = await checks();
    const devcontainer = devcontainerText(input.devcontainer);
    if (devcontainer !== undefined) parseDevcontainer(devcontainer, 'devcontainer');
    const timeout = effectiveTimeout(resolved, input.inactivityTimeout);
    const now = new Date().toISOString();
    const rec: WorkspaceRecord = {
      id, name: input.name ?? defaultWorkspaceName(input.source), owner: actor.owner,
      provider: input.provider, driver: resolved.agent.driver, source: await uploadSource(this.uploads, actor.owner, id, input.source), devcontainer,
      ...(input.devcontainerPath ? { devcontainerPath: input.devcontainerPath } : {}),
      options: input.options ?? {}, env: input.env ?? {}, secretOptions: secretOptionNames(resolved, input.options),
      desiredState: 'Running', status: 'Pending',
      inactivityTimeoutSeconds: timeout.seconds, inactivityTimeoutSource: timeout.source,
      idempotencyKey, instance: await this.store.instance.id(), version: 1, createdAt: now, updatedAt: now,
    };
    const policy = resolved.definition.policy;
    assertAllowed(requestViolations(policy, rec, input.inactivityTimeout !== undefined && input.inactivityTimeout !== null));
    rec.inactivityTimeoutSeconds = judgeTimeout(policy, rec.inactivityTimeoutSeconds, false).seconds;
    const lifecycle = lifecycleFields(policy.lifecycle, input);
    assertAllowed(lifecycle.violations);
    Object.assign(rec, lifecycle.fields);
    // A driver that cannot be built now fails the create later, with its reason, as before.
    const driver = await this.driverFor?.(rec).catch(() => undefined);
    if (driver) {
      try {
        assertAllowed(await labelViolations(policy, rec, driver));
      } finally {
        await driver.close?.();
      }
    }
    return rec;
  }

  private get quotas(): QuotaGate {
    return new QuotaGate(this.store);
  }

  /** The provider's policy as stored now (an admin may have changed it since the workspace was created). */
  private async policyOf(provider: string): Promise<Policy> {
    const rec = await this.store.providers.get(provider);
    const { DEFAULT_POLICY, parseProviderYaml } = await checks();
    return rec ? parseProviderYaml(rec.yaml, { name: rec.name, stored: true }).policy : DEFAULT_POLICY;
  }

  /** Takes room in the owner's quotas for a new workspace (it is meant to run): 403 `quota.exceeded` when full. */
  private async admitQuota(rec: WorkspaceRecord): Promise<void> {
    const policy = await this.policyOf(rec.provider);
    await this.quotas.admit('workspaces', rec, policy);
    try {
      await this.quotas.admit('running', rec, policy);
    } catch (err) {
      await this.quotas.release(['workspaces'], rec);
      throw err;
    }
  }

  private async claimName(owner: string, name: string, id: string): Promise<void> {
    const claim = { workspaceId: id, createdAt: new Date().toISOString() };
    const held = await this.store.names.take(owner, name, claim);
    if (!held || held.workspaceId === id) return;
    const abandoned = !(await this.store.workspaces.get(held.workspaceId))
      && Date.now() - Date.parse(held.createdAt) > ABANDONED_CLAIM_MS;
    if (abandoned && await this.store.names.takeOver(owner, name, held.workspaceId, claim)) return;
    throw new WorkbayError('workspace.conflict', `a workspace named "${name}" exists already`, {
      errors: [{ field: 'body.name', message: 'names are unique per owner; pick another name or delete the other workspace' }],
      extensions: { name, workspaceId: held.workspaceId },
    });
  }

  /** The workspace if the actor may see it; another owner's workspace is reported as missing. */
  async get(actor: Actor, id: string): Promise<WorkspaceRecord> {
    const ws = await this.store.workspaces.get(id);
    if (!ws || (actor.role !== 'admin' && ws.owner !== actor.owner)) throw notFound(id);
    return ws;
  }

  async list(actor: Actor, opts: { limit: number; cursor?: string; status?: WorkspaceStatus; owner?: string }): Promise<Page<WorkspaceRecord>> {
    const owner = actor.role === 'admin' && opts.owner ? opts.owner : actor.owner;
    return this.store.workspaces.listByOwner(owner, opts);
  }

  /**
   * Records the desired state; the reconciler does the work. A never-provisioned workspace is deleted
   * at once. Asking again for the state of a workspace in Error retries it.
   */
  async setDesired(actor: Actor, id: string, desired: DesiredState, reason: 'user' | 'admin' = 'user'): Promise<WorkspaceRecord | undefined> {
    // A user's own sequential requests never see store.conflict: a race with the reconciler is retried here.
    for (let attempt = 0; ; attempt++) {
      const ws = await this.get(actor, id);
      try {
        return await this.applyDesired(actor, ws, desired, reason);
      } catch (err) {
        if (!isWorkbayError(err, 'store.conflict') || attempt >= 9) throw err;
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
  }

  private async applyDesired(actor: Actor, ws: WorkspaceRecord, desired: DesiredState, reason: 'user' | 'admin'): Promise<WorkspaceRecord | undefined> {
    const id = ws.id;
    // Pending (or stopped while Pending) means no driver call was ever made: nothing to clean up remotely.
    if (desired === 'Deleted' && !ws.driverRef && (ws.status === 'Pending' || ws.status === 'Stopped')) {
      await this.finalizeDelete(ws, actor.owner);
      return undefined;
    }
    const retry = ws.status === 'Error' && desired !== 'Deleted';
    if (ws.desiredState === desired && !retry) {
      this.kick(id);
      return ws;
    }
    if (desired === 'Running') {
      // A start is judged like a create, on the provider's policy as it is now.
      const policy = await this.policyOf(ws.provider);
      const { assertAllowed, requestViolations } = await checks();
      assertAllowed(requestViolations(policy, ws, undefined));
      await this.quotas.admit('running', ws, policy);
    }
    const verb = desired === 'Running' ? 'start' : desired === 'Stopped' ? 'stop' : 'delete';
    const requested = pendingEvent(`workspace.${verb}Requested`, `desired state set to ${desired}`, actor.owner);
    const next = await this.store.workspaces.update(ws, {
      ...ws, desiredState: desired, attempts: 0, pendingEvents: pendingAfter(ws, new Set(), requested),
      ...(retry ? { status: ws.driverRef ? 'Stopped' as const : 'Pending' as const, statusReason: undefined } : {}),
      ...(desired === 'Deleted' ? { status: 'Deleting' as const, statusReason: undefined, deleteReason: reason } : {}),
      ...(desired === 'Stopped' ? { stopReason: reason } : {}),
    });
    if (desired !== 'Running') await this.quotas.release(desired === 'Deleted' ? ['workspaces', 'running'] : ['running'], next);
    await this.writeEvent(next, requested);
    this.kick(id);
    return next;
  }

  /**
   * Admin only: removes the record whatever the engine says (a delete that ended in Error because the
   * engine is gone). Returns what may be left behind; the orphan collector removes it once reachable.
   */
  async forceDelete(actor: Actor, id: string): Promise<string[]> {
    if (actor.role !== 'admin') throw new WorkbayError('auth.forbidden', 'only an admin may force a delete', { errors: [{ field: 'query.force', message: 'admin tokens only' }] });
    for (let attempt = 0; ; attempt++) {
      const ws = await this.get(actor, id);
      const left = Object.values(ws.driverRef ?? {});
      try {
        await this.finalizeDelete(ws, actor.owner, { forced: true, mayRemain: left });
        return left;
      } catch (err) {
        if (!isWorkbayError(err, 'store.conflict') || attempt >= 9) throw err;
      }
    }
  }

  /**
   * Removes the record and everything that points at it, in an order a crash can resume from: the
   * `workspace.deleted` delivery is queued, under an id kept on the record, before the record goes, so a
   * delete resumed after a crash queues the same event again (idempotent) and none is ever lost.
   */
  async finalizeDelete(ws: WorkspaceRecord, actor?: string, data?: Record<string, unknown>): Promise<void> {
    // What the record still carries unwritten goes out before the record does: nothing would resume it after.
    if (ws.pendingEvents?.length) await this.flushPendingEvents(ws);
    if (!ws.deleteEventId) ws = await this.store.workspaces.update(ws, { ...ws, deleteEventId: newEventId() });
    const deleted = { id: ws.deleteEventId!, at: new Date().toISOString(), type: 'workspace.deleted', message: `workspace ${ws.name} deleted`,
      data: ws.deleteReason ? { deleteReason: ws.deleteReason, ...data } : data };
    await this.quotas.release(['workspaces', 'running'], ws);
    await this.store.providers.unmarkUse(ws.provider, ws.id);
    if (ws.idempotencyKey) await this.store.idempotency.release(ws.owner, ws.idempotencyKey, ws.id);
    await this.store.names.release(ws.owner, ws.name, ws.id);
    // Queued the write before the removal: a receiver told of the delete finds the record gone but for that one write.
    await this.writer.queue(ws, deleted);
    await this.store.workspaces.remove(ws);
    if ('upload' in ws.source) await this.uploads?.delete(ws.source.upload.id).catch(() => undefined);
    // The audit entry follows the removal, so whoever reads it finds the record gone; waiters
    // (`DELETE ?wait`) are told after it is written.
    try {
      await this.writer.append(ws, deleted, actor);
    } finally {
      this.changes.notify(ws.id);
    }
  }

  async events(actor: Actor, id: string, opts: { limit: number; after?: string }): Promise<EventRecord[]> {
    await this.get(actor, id);
    return this.store.events.list(id, opts);
  }

  /** Writes an event that goes with no state change of the record (progress, attach, a follow-up's). */
  async event(ws: WorkspaceRecord, type: string, message: string, actor?: string, data?: Record<string, unknown>): Promise<EventRecord> {
    return this.writeEvent(ws, pendingEvent(type, message, actor, data));
  }

  /** Writes `next` over `prev` with the event that reports the change riding on it, then the event (EventWriter). */
  updateWithEvent(prev: WorkspaceRecord, next: WorkspaceRecord, type: string, message: string, actor?: string, data?: Record<string, unknown>): Promise<WorkspaceRecord> {
    return this.writer.updateWith(prev, next, type, message, actor, data);
  }

  /** Writes the pending events a dead writer left on `ws` (EventWriter.flushPending); the ids now written. */
  flushPendingEvents(ws: WorkspaceRecord): Promise<Set<string>> {
    return this.writer.flushPending(ws);
  }

  /** Writes one event for `ws` (EventWriter.write). */
  writeEvent(ws: WorkspaceRecord, e: PendingEvent, tellListeners = true): Promise<EventRecord> {
    return this.writer.write(ws, e, tellListeners);
  }
}

/** The devcontainer.json text a record stores: as submitted, or the object pretty-printed. */
function devcontainerText(value: CreateWorkspaceInput['devcontainer']): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}
