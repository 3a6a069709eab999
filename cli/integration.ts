import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Client } from './http';
// The server's view type, imported for its type only.
import type { IntegrationView } from '../lib/integrations/view';
import { table } from './format';
import { UsageError, type Output } from './args';

const USAGE = 'usage: workbay integration add ./integration.yaml | list | show NAME | delete NAME';

function describe(i: IntegrationView, base: string): string {
  const lines = [
    `name:     ${i.id}`,
    `kind:     ${i.kind}`,
    `inbound:  ${base.replace(/\/+$/, '')}${i.inboundPath}`,
    ...Object.entries(i.config).map(([k, v]) => `${`${k}:`.padEnd(10)}${typeof v === 'string' ? v : JSON.stringify(v)}`),
  ];
  if (i.links?.length) lines.push('links:', table(['SLACK USER', 'OWNER'], i.links.map((l) => [l.user, l.owner])).replace(/^/gm, '  '));
  return lines.join('\n');
}

/** Reads an integration definition: YAML or JSON (JSON is YAML), with secrets as references. */
function readDefinition(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new UsageError(`${path} is not YAML or JSON: ${(err as Error).message}`);
  }
}

/** `workbay integration ...` (admin). */
export async function integrationCommand(client: Client, base: string, args: string[], flags: { output: Output }): Promise<string> {
  const [verb, target] = args;
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  switch (verb) {
    case 'add': {
      if (!target) throw new UsageError('usage: workbay integration add ./integration.yaml (kind: github | slack, name, secrets as env:/file:/aws-sm: references)');
      const i = await client.request<IntegrationView>('POST', '/v1/integrations', { json: readDefinition(target) });
      return flags.output === 'json' ? json(i) : `integration ${i.id} added\n${describe(i, base)}`;
    }
    case 'list': {
      const { items } = await client.request<{ items: IntegrationView[] }>('GET', '/v1/integrations');
      if (flags.output === 'json') return json(items);
      return items.length ? table(['NAME', 'KIND', 'INBOUND PATH', 'CREATED'], items.map((i) => [i.id, i.kind, i.inboundPath, i.createdAt])) : 'no integrations';
    }
    case 'show': {
      if (!target) throw new UsageError('usage: workbay integration show NAME');
      const i = await client.request<IntegrationView>('GET', `/v1/integrations/${encodeURIComponent(target)}`);
      return flags.output === 'json' ? json(i) : describe(i, base);
    }
    case 'delete': {
      if (!target) throw new UsageError('usage: workbay integration delete NAME');
      await client.request('DELETE', `/v1/integrations/${encodeURIComponent(target)}`);
      return flags.output === 'json' ? json({ deleted: target }) : `integration ${target} deleted`;
    }
    default:
      throw new UsageError(USAGE);
  }
}
