import { Issues } from './issues';
import { isRecord } from './provider-keys';
import type { ProviderBuiltins } from './provider-types';
import { fixedBuiltin, literalFields, unavailableBuiltin } from './provider-variables';

/** What `${DEVPOD}` becomes: the CLI that plays DevPod's part. */
export const DEVPOD_BUILTIN = 'workbay';

/** Built-in `${NAME}`s. Workspace-scoped ones stay literal until a workspace supplies them. */
export const BUILTIN_NAMES = ['DEVPOD', 'WORKSPACE_ID', 'WORKSPACE_UID', 'PROVIDER_ID', 'MACHINE_ID'] as const;

const REFERENCE = /\$\{([^}]*)\}/g;

/** Returns a name's value, or undefined when no option or built-in has that name. */
export type VariableLookup = (name: string) => string | undefined;

/**
 * A lookup in DevPod's order: option values first (declared but unset options are empty), then
 * built-ins. Workspace-scoped built-ins not supplied are returned as their own `${NAME}` text.
 */
export function variableLookup(
  optionNames: Iterable<string>,
  values: Record<string, string>,
  providerName: string,
  builtins: ProviderBuiltins = {},
): VariableLookup {
  const declared = new Set(optionNames);
  return (name) => {
    if (declared.has(name)) return values[name] ?? '';
    if (name === 'DEVPOD') return DEVPOD_BUILTIN;
    if (name === 'PROVIDER_ID') return builtins.PROVIDER_ID ?? providerName;
    if (name === 'WORKSPACE_ID' || name === 'WORKSPACE_UID' || name === 'MACHINE_ID') {
      return builtins[name] ?? `\${${name}}`;
    }
    return fixedBuiltin(name, providerName);
  };
}

/**
 * Replaces every `${NAME}` in every string of `tree` (recursively; keys are left alone).
 * Values are inserted once and never expanded again, so an option value cannot inject a reference.
 * Unknown names are reported on `issues` with their field, not left as silent literals, except in
 * fields `literal` names (sections workbay ignores, see literalFields), where they stay as written.
 */
export function substituteVariables(tree: unknown, lookup: VariableLookup, issues: Issues, field: string, literal: (field: string) => boolean = literalFields(tree)): unknown {
  if (typeof tree === 'string') return substituteString(tree, lookup, literal(field) ? undefined : issues, field);
  if (Array.isArray(tree)) return tree.map((item, i) => substituteVariables(item, lookup, issues, `${field}[${i}]`, literal));
  if (isRecord(tree)) {
    return Object.fromEntries(
      Object.entries(tree).map(([key, value]) => [key, substituteVariables(value, lookup, issues, `${field}.${key}`, literal)]),
    );
  }
  return tree;
}

function substituteString(text: string, lookup: VariableLookup, issues: Issues | undefined, field: string): string {
  return text.replace(REFERENCE, (match, name: string) => {
    const value = lookup(name);
    if (value !== undefined || !issues) return value ?? match;
    const unavailable = unavailableBuiltin(name);
    const withDefault = /^([A-Z0-9_]+):?-/.exec(name);
    if (unavailable) {
      issues.add(field, unavailable.message, { hint: unavailable.hint });
    } else if (withDefault) {
      issues.add(field, `${match}: defaults inside \${...} are not supported`, {
        hint: `Give option ${withDefault[1]} a default in options instead.`,
      });
    } else {
      issues.add(field, `unknown variable ${match}: no option or built-in is named ${name}`, {
        hint: `Declare an option ${name} under options, or use a built-in: ${BUILTIN_NAMES.join(', ')}.`,
      });
    }
    return match;
  });
}

/** The first `${NAME}` a string refers to, to say where a bad value came from. */
export function firstReference(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /\$\{([^}]*)\}/.exec(value);
  return m ? m[0] : undefined;
}
