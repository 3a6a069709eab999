import { Issues, show } from './issues';
import { parseAgent } from './provider-agent';
import { isRecord } from './provider-keys';
import { checkOptionValue } from './provider-options';
import { definitionLocator, parseProviderYaml } from './provider-parse';
import { firstReference, substituteVariables, variableLookup } from './provider-substitute';
import type { ProviderBuiltins, ProviderDefinition, ResolvedProvider } from './provider-types';
import { checkUserSettableSinks, optionReferences } from './provider-user-options';
import { inlineSecretKind } from '../secrets/inline';
import { setOptionHint } from './provider-variables';

/**
 * Applies option values to a parsed provider and types its agent.
 *
 * Values set by the caller override defaults (keys are upper-cased, as `devpod -o` does). Each
 * effective value is checked against its option's type, enum and pattern; a required option without
 * a value, or a value for an option the provider does not declare, is refused. Then every `${NAME}`
 * under `agent` is replaced (options first, then built-ins; `exec` stays verbatim) and the agent is
 * parsed into ResolvedAgent.
 *
 * @param builtins workspace-scoped values; `PROVIDER_ID` defaults to the provider's name, others
 *   not given stay as literal `${NAME}` text for the workspace service to fill in.
 * @throws WorkbayError `config.invalid` listing every problem with its field (and line, when `def`
 *   came from parseProviderYaml in this process).
 */
export function resolveProvider(
  def: ProviderDefinition,
  setValues: Record<string, string> = {},
  builtins: ProviderBuiltins = {},
): ResolvedProvider {
  const locate = definitionLocator(def);
  const issues = new Issues(locate);
  const summary = `provider ${show(def.name)} cannot be used`;
  const declared = Object.keys(def.options);
  const values: Record<string, string> = {};
  const fail = () => {
    hideSecretValues(def, values, issues);
    issues.throwIfAny(summary);
  };
  checkUserSettableSinks(def, issues);

  const set: Record<string, string> = {};
  for (const [rawName, rawValue] of Object.entries(setValues ?? {})) {
    const name = rawName.trim().toUpperCase();
    if (!Object.hasOwn(def.options, name)) {
      issues.add(`options.${name}`, `provider ${show(def.name)} has no option ${name}`, {
        hint: declared.length > 0 ? `Its options are: ${declared.join(', ')}.` : 'It declares no options.',
        position: null,
      });
      continue;
    }
    if (typeof rawValue === 'string') set[name] = rawValue;
    else if (typeof rawValue === 'number' || typeof rawValue === 'boolean') set[name] = String(rawValue);
    else issues.add(`options.${name}`, `expected a string value, got ${def.options[name]!.password ? 'something else' : show(rawValue)}`, { position: null });
  }

  for (const [name, option] of Object.entries(def.options)) {
    const value = set[name] ?? option.default;
    if (value === undefined || value === '') {
      if (option.required) {
        const why = option.command ? ' (workbay never runs the option\'s command to compute it)' : '';
        issues.add(`options.${name}`, `required option ${name} is not set${why}`, {
          hint: setOptionHint(name, option.description),
        });
      }
      if (value === undefined) continue;
    }
    values[name] = value;
    const problem = checkOptionValue(name, option, value);
    if (problem) {
      const from = Object.hasOwn(set, name) ? 'the value set' : 'the default';
      issues.add(`options.${name}`, `${from} for ${name} is invalid: ${problem}`);
    }
  }
  fail();

  const lookup = variableLookup(declared, values, def.name, builtins);
  const agent = substituteVariables(def.agent, lookup, issues, 'agent') as Record<string, unknown>;
  fail();

  const origin = (field: string) => firstReference(valueAt(def.agent, field.split('.').slice(1)));
  const typed = parseAgent(agent, issues, origin);
  fail();
  return { definition: def, values, setValues: set, agent: typed! };
}

/**
 * Parses a provider file and resolves it with the given option values in one step: what
 * `devpod provider add ./file.yaml -o NAME=value` checks.
 *
 * @throws WorkbayError `config.invalid`
 */
export function loadProvider(text: string, opts: { name?: string; options?: Record<string, string> } = {}): ResolvedProvider {
  const def = parseProviderYaml(text, opts.name === undefined ? {} : { name: opts.name });
  return resolveProvider(def, opts.options ?? {});
}

/**
 * Masks by field, not by value: a problem with a field fed by a `password` option (or by an option
 * whose value holds secret material, stored before such values were refused) gets a message naming
 * the field and the option only, since the agent parser quotes what it refuses.
 */
function hideSecretValues(def: ProviderDefinition, values: Record<string, string>, issues: Issues): void {
  const hidden = new Set(Object.keys(def.options).filter((n) => def.options[n]!.password || (values[n] !== undefined && inlineSecretKind(values[n]!))));
  if (hidden.size === 0) return;
  const refs = [...optionReferences(def.agent)]
    .map(([field, names]) => ({ field, option: names.find((n) => hidden.has(n)) }))
    .filter((r): r is { field: string; option: string } => r.option !== undefined);
  for (const name of hidden) refs.push({ field: `options.${name}`, option: name });
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`);
  for (const e of issues.errors) {
    const ref = refs.find((r) => related(e.field, r.field));
    // checkOptionValue never quotes a password option's own value: that reason stays, it helps.
    if (!ref || (e.field === `options.${ref.option}` && def.options[ref.option]!.password)) continue;
    e.message = `${e.field} is invalid with the value of option ${ref.option} (not shown: it is secret)`;
    delete e.hint;
  }
}

function valueAt(tree: unknown, path: string[]): unknown {
  let node = tree;
  for (const seg of path) {
    if (!isRecord(node)) return undefined;
    node = node[seg];
  }
  return node;
}
