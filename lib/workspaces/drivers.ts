import type { Driver, DriverRuntime, DriverWorkspace } from '../drivers';
import type { ProviderService } from '../providers';
import type { WorkspaceRecord } from '../store';
import { workspaceBuiltins } from './model';

/** The drivers' entry (and the devcontainer.json parser it carries), loaded by the first driver built, not at start (ADR 0020). */
const createDriver: typeof import('../drivers').createDriver = async (...args) => (await import('../drivers')).createDriver(...args);

/** Builds the driver of a workspace; the one place where the store's records meet drivers. */
export type DriverFor = (ws: WorkspaceRecord) => Promise<Driver>;

/** A DriverFor that resolves the workspace's provider (with its per-workspace options) each time. */
export function driversFrom(providers: ProviderService, runtime: DriverRuntime): DriverFor {
  return async (ws) => {
    const resolved = await providers.resolve(ws.provider, ws.options, workspaceBuiltins(ws.id));
    return createDriver(resolved.agent, runtime, resolved.definition.policy);
  };
}

/** A driver for a provider as such (no workspace options): the orphan collector lists engines with it. */
export function providerDrivers(providers: ProviderService, runtime: DriverRuntime) {
  return async (name: string): Promise<Driver> => {
    const resolved = await providers.resolve(name, {}, { WORKSPACE_ID: '', WORKSPACE_UID: '' });
    return createDriver(resolved.agent, runtime, resolved.definition.policy);
  };
}

/** Runs `fn` with the workspace's driver and always releases the driver's clients afterwards. */
export async function withDriver<T>(driverFor: DriverFor, ws: WorkspaceRecord, fn: (driver: Driver, dws: DriverWorkspace) => Promise<T>): Promise<T> {
  const driver = await driverFor(ws);
  try {
    return await fn(driver, driverWorkspace(ws));
  } finally {
    await driver.close?.();
  }
}

/** The driver's view of a workspace record. */
export function driverWorkspace(ws: WorkspaceRecord): DriverWorkspace {
  return { id: ws.id, name: ws.name, owner: ws.owner, source: ws.source, devcontainer: ws.devcontainer, ...(ws.devcontainerPath ? { devcontainerPath: ws.devcontainerPath } : {}), env: ws.env, ...(ws.instance ? { instance: ws.instance } : {}) };
}
