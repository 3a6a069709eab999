import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { Provider } from '../lib/api/schemas';
import type { Client } from './http';
import { seconds, table } from './format';
import { parseKeyValues, UsageError, type Output } from './args';

// The server's view type, imported for its type only.
type ProviderView = z.infer<typeof Provider>;

/** Parses repeated `-o KEY=VALUE` flags. */
export function parseOptionFlags(flags: string[]): Record<string, string> {
  return parseKeyValues(flags, 'option');
}

/** The inactivity timeout, or the mask when a password option sets it. */
const timeout = (t: ProviderView['inactivityTimeoutSeconds']) => (typeof t === 'number' ? seconds(t) : t);

function describe(p: ProviderView): string {
  const driverCfg = (p.agent[p.driver] ?? {}) as Record<string, unknown>;
  const lines = [
    `name:        ${p.name}${p.version ? ` (${p.version})` : ''}`,
    `driver:      ${p.driver}`,
    `inactivity:  ${timeout(p.inactivityTimeoutSeconds)}`,
    `${p.driver}:`,
    ...Object.entries(driverCfg).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`),
  ];
  if (p.options.length) {
    lines.push('options:', table(['NAME', 'VALUE', 'SOURCE'], p.options.map((o) => [o.name, o.value ?? '', o.source])).replace(/^/gm, '  '));
  }
  for (const w of p.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** `workbay provider ...` */
export async function providerCommand(client: Client, args: string[], flags: { name?: string; option: string[]; output: Output }): Promise<string> {
  const [verb, target] = args;
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  switch (verb) {
    case 'add': {
      if (!target) throw new UsageError('usage: workbay provider add ./provider.yaml [--name N] [-o KEY=VALUE ...]');
      let yaml: string;
      try {
        yaml = readFileSync(target, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${target}: ${(err as Error).message}`);
      }
      const p = await client.request<ProviderView>('POST', '/v1/providers', { json: { yaml, name: flags.name, options: parseOptionFlags(flags.option) } });
      return flags.output === 'json' ? json(p) : `provider ${p.name} added\n${describe(p)}`;
    }
    case 'list': {
      const { items } = await client.request<{ items: ProviderView[] }>('GET', '/v1/providers');
      if (flags.output === 'json') return json(items);
      return items.length ? table(['NAME', 'DRIVER', 'INACTIVITY', 'VERSION'], items.map((p) => [p.name, p.driver, timeout(p.inactivityTimeoutSeconds), p.version ?? ''])) : 'no providers';
    }
    case 'show': {
      if (!target) throw new UsageError('usage: workbay provider show NAME');
      const p = await client.request<ProviderView>('GET', `/v1/providers/${encodeURIComponent(target)}`);
      return flags.output === 'json' ? json(p) : describe(p);
    }
    case 'set-options': {
      if (!target || !flags.option.length) throw new UsageError('usage: workbay provider set-options NAME -o KEY=VALUE [-o KEY=VALUE ...]');
      const p = await client.request<ProviderView>('PUT', `/v1/providers/${encodeURIComponent(target)}/options`, { json: { options: parseOptionFlags(flags.option) } });
      return flags.output === 'json' ? json(p) : `options of ${p.name} updated\n${describe(p)}`;
    }
    case 'delete': {
      if (!target) throw new UsageError('usage: workbay provider delete NAME');
      await client.request('DELETE', `/v1/providers/${encodeURIComponent(target)}`);
      return flags.output === 'json' ? json({ deleted: target }) : `provider ${target} deleted`;
    }
    default:
      throw new UsageError('usage: workbay provider add|list|show|set-options|delete');
  }
}
