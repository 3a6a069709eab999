import type { ProviderBuiltins, ProviderDefinition, ResolvedProvider } from '../config';
import { allowedWorkspaceOptions, workspaceOptionErrors, type OptionSetter } from '../config/provider-user-options';
import type { ProviderRecord, Store } from '../store';
import { WorkbayError } from '../errors';
import { providerView, type ProviderView } from './view';

/** The provider file parser (YAML and all), loaded by the first operation that parses: a cold start that only reads workspaces never needs it (ADR 0020). */
const parser = () => import('../config');
const secretCheck = () => import('./secret-check');

const STALE_USE_MS = 60_000;

/** Admin operations on providers: add, list, show, set options, delete. */
export class ProviderService {
  /** Parsed definitions by provider name and version: every driver lookup used to parse the YAML again. */
  private readonly parsed = new Map<string, { version: number; yaml: string; def: ProviderDefinition }>();

  constructor(private readonly store: Store) {}

  /** The provider's parsed definition, parsed once per stored version. */
  private async definition(rec: ProviderRecord): Promise<ProviderDefinition> {
    const hit = this.parsed.get(rec.name);
    if (hit && hit.version === rec.version && hit.yaml === rec.yaml) return hit.def;
    const def = (await parser()).parseProviderYaml(rec.yaml, { name: rec.name, stored: true });
    this.parsed.set(rec.name, { version: rec.version, yaml: rec.yaml, def });
    return def;
  }

  /** Parses and resolves the YAML (nothing is stored when that fails), then stores it; 409 on a taken name. */
  async add(yaml: string, opts: { name?: string; options?: Record<string, string> } = {}): Promise<ProviderView> {
    const resolved = (await parser()).loadProvider(yaml, opts);
    (await secretCheck()).refuseInlineSecrets(resolved, resolved.setValues);
    const now = new Date().toISOString();
    const rec: ProviderRecord = {
      name: resolved.definition.name, yaml, optionValues: resolved.setValues,
      version: 1, createdAt: now, updatedAt: now,
    };
    await this.store.providers.create(rec);
    return providerView(rec, resolved);
  }

  async list(): Promise<ProviderView[]> {
    const recs = await this.store.providers.list();
    return Promise.all(recs.map(async (r) => providerView(r, await this.resolveRecord(r))));
  }

  async get(name: string): Promise<ProviderView> {
    const rec = await this.store.providers.require(name);
    return providerView(rec, await this.resolveRecord(rec));
  }

  /**
   * The stored provider, resolved with a workspace's stored option values on top of the admin's.
   * Values the provider no longer lets workspaces set (its admin withdrew `userSettable`) are
   * dropped, not applied: they never reach a host or file, and the workspace can still be stopped
   * and deleted.
   */
  async resolve(name: string, workspaceOptions: Record<string, string> = {}, builtins?: ProviderBuiltins): Promise<ResolvedProvider> {
    const rec = await this.store.providers.require(name);
    const def = await this.definition(rec);
    return (await parser()).resolveProvider(def, { ...rec.optionValues, ...allowedWorkspaceOptions(def, workspaceOptions) }, builtins);
  }

  /**
   * Resolves the provider for a new (or changed) workspace, refusing every option value the
   * workspace may not set, admins included (see workspaceOptionErrors).
   *
   * @throws WorkbayError `option.notUserSettable` (400) naming each refused option in `errors[].field`.
   */
  async resolveForWorkspace(name: string, workspaceOptions: Record<string, string>, setter: OptionSetter, builtins?: ProviderBuiltins): Promise<ResolvedProvider> {
    const rec = await this.store.providers.require(name);
    const def = await this.definition(rec);
    const errors = workspaceOptionErrors(def, workspaceOptions, setter);
    if (errors.length > 0) {
      const names = errors.map((e) => e.field.slice('options.'.length)).join(', ');
      throw new WorkbayError('option.notUserSettable', `provider "${rec.name}" does not let a workspace set ${names}`, { errors });
    }
    return (await parser()).resolveProvider(def, { ...rec.optionValues, ...workspaceOptions }, builtins);
  }

  /** Sets option values (like `devpod provider set-options`); an empty string unsets a value. */
  async setOptions(name: string, values: Record<string, string>): Promise<ProviderView> {
    const rec = await this.store.providers.require(name);
    const merged = { ...rec.optionValues };
    for (const [k, v] of Object.entries(values)) {
      if (v === '') delete merged[k];
      else merged[k] = v;
    }
    const { parseProviderYaml, resolveProvider } = await parser();
    const resolved = resolveProvider(parseProviderYaml(rec.yaml, { name: rec.name, stored: true }), merged);
    (await secretCheck()).refuseInlineSecrets(resolved, values);
    const next: ProviderRecord = { ...rec, optionValues: resolved.setValues, version: rec.version + 1, updatedAt: new Date().toISOString() };
    await this.store.providers.replace(next, rec.version);
    return providerView(next, resolved);
  }

  /**
   * Deletes a provider unless a workspace uses it. The provider is first marked `deleting` so a
   * workspace created meanwhile sees it gone (ADR 0002); if a use is found the mark is undone.
   */
  async delete(name: string): Promise<void> {
    const rec = await this.store.providers.require(name);
    const marked: ProviderRecord = { ...rec, deleting: true, version: rec.version + 1 };
    await this.store.providers.replace(marked, rec.version);
    if (await this.inUse(name)) {
      await this.store.providers.replace({ ...rec, version: marked.version + 1 }, marked.version);
      throw new WorkbayError('provider.inUse', `provider "${name}" is used by workspaces; delete them first`);
    }
    await this.store.providers.remove(name, marked.version);
  }

  /**
   * A use marker whose workspace is gone was left by a crash mid-delete: drop it rather than block.
   * A fresh one may belong to a create in flight, so it counts as a use.
   */
  private async inUse(name: string): Promise<boolean> {
    for (const use of await this.store.providers.uses(name)) {
      const stale = Date.now() - Date.parse(use.createdAt) > STALE_USE_MS;
      if (!stale || await this.store.workspaces.get(use.workspaceId)) return true;
      await this.store.providers.unmarkUse(name, use.workspaceId);
    }
    return false;
  }

  private async resolveRecord(rec: ProviderRecord): Promise<ResolvedProvider> {
    const { parseProviderYaml, resolveProvider } = await parser();
    return resolveProvider(parseProviderYaml(rec.yaml, { name: rec.name, stored: true }), rec.optionValues);
  }
}
