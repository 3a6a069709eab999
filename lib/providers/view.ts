import type { OptionDef, ResolvedAgent, ResolvedProvider } from '../config';
import type { ProviderRecord } from '../store';

/** Shown instead of a password option's value, everywhere. */
export const MASK = '********';

/** One option as the API shows it. */
export interface OptionView extends OptionDef {
  name: string;
  /** The effective value (masked for `password` options); absent when unset. */
  value?: string;
  source: 'set' | 'default' | 'unset';
}

/** A provider as the API shows it: resolved, with secrets masked. */
export interface ProviderView {
  name: string;
  version?: string;
  description?: string;
  driver: ResolvedAgent['driver'];
  inactivityTimeoutSeconds: number;
  agent: ResolvedAgent;
  options: OptionView[];
  exec: Record<string, unknown>;
  warnings: string[];
  createdAt: string;
  updatedAt: string;
}

/** Replaces every occurrence of the secret values inside a JSON-able value. */
export function maskSecrets<T>(value: T, secrets: string[]): T {
  const live = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (!live.length) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return live.reduce((s, secret) => s.split(secret).join(MASK), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Values of the provider's password options, which must never leave the control plane. */
export function secretValues(r: ResolvedProvider): string[] {
  return Object.entries(r.definition.options)
    .filter(([, def]) => def.password)
    .map(([name]) => r.values[name] ?? '');
}

/** Builds the API view of a stored, resolved provider. */
export function providerView(rec: ProviderRecord, r: ResolvedProvider): ProviderView {
  const options: OptionView[] = Object.entries(r.definition.options).map(([name, def]) => {
    const value = r.values[name];
    const source = name in r.setValues ? 'set' : value !== undefined ? 'default' : 'unset';
    return {
      name, ...def,
      ...(def.password && def.default !== undefined ? { default: MASK } : {}),
      ...(value === undefined ? {} : { value: def.password ? MASK : value }),
      source,
    };
  });
  const view: ProviderView = {
    name: rec.name,
    version: r.definition.version,
    description: r.definition.description,
    driver: r.agent.driver,
    inactivityTimeoutSeconds: r.agent.containerInactivityTimeoutSeconds,
    agent: maskSecrets(r.agent, secretValues(r)),
    options,
    exec: r.definition.exec,
    warnings: r.definition.warnings,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
  };
  return view;
}
