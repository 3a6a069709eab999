import { isWorkbayError } from '../errors';
import { DURATION_FORMS, parseDuration } from './duration';
import { Issues, show } from './issues';
import { OPTION_NAME } from './names';
import { isRecord } from './provider-keys';
import type { OptionDef, OptionType } from './provider-types';

const OPTION_TYPES: readonly OptionType[] = ['string', 'multiline', 'duration', 'number', 'boolean'];
const STRING_FIELDS = ['displayName', 'description', 'default', 'command', 'validationPattern', 'validationMessage', 'cache'] as const;
const BOOLEAN_FIELDS = ['required', 'password', 'hidden', 'local', 'global', 'mutable', 'userSettable'] as const;
// subOptionsCommand is warned about where the agent is known (provider-notes.ts), as is `command`.
const KNOWN_FIELDS = new Set<string>([...STRING_FIELDS, ...BOOLEAN_FIELDS, 'type', 'enum', 'suggestions', 'subOptionsCommand']);

/**
 * Compiles a DevPod validation pattern. Go's RE2 flag prefix `(?i)` is turned into a JS flag; the
 * match is unanchored, as Go's `MatchString` is.
 */
export function compilePattern(pattern: string): RegExp {
  const flags = /^\(\?([imsU]+)\)/.exec(pattern);
  if (!flags) return new RegExp(pattern);
  return new RegExp(pattern.slice(flags[0].length), flags[1]!.replace(/U/g, ''));
}

/**
 * Checks one option value against the option's type, enum and validation pattern.
 * Returns why it is refused, or undefined when it is fine. Empty values are not checked here.
 * A `password` option's value is never quoted in the reason, not even in part.
 */
export function checkOptionValue(name: string, def: OptionDef, value: string): string | undefined {
  if (value === '') return undefined;
  const shown = def.password ? 'the value (not shown: a password option)' : show(value);
  switch (def.type) {
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(value.trim())) return `${shown} is not a number`;
      break;
    case 'boolean':
      if (!/^(true|false)$/i.test(value.trim())) return `${shown} is not a boolean: use true or false`;
      break;
    case 'duration':
      try {
        parseDuration(value, `options.${name}`);
      } catch (err) {
        if (!isWorkbayError(err) || !err.errors[0]) throw err;
        return def.password ? `${shown} is not a duration; use ${DURATION_FORMS}` : `${err.errors[0].message}; use ${DURATION_FORMS}`;
      }
      break;
  }
  if (def.enum && def.enum.length > 0 && !def.enum.includes(value)) {
    return `${shown} is not one of ${def.enum.map((v) => show(v)).join(', ')}`;
  }
  if (def.validationPattern && !compilePattern(def.validationPattern).test(value)) {
    return def.validationMessage ?? `${shown} does not match ${def.validationPattern}`;
  }
  return undefined;
}

function toStringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function toStringList(value: unknown, field: string, issues: Issues, allowEnumObjects: boolean): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value)) {
    issues.add(field, `expected a list, got ${show(value)}`);
    return undefined;
  }
  const out: string[] = [];
  value.forEach((item, i) => {
    // Newer DevPod writes enum entries as {value, displayName}.
    const text = allowEnumObjects && isRecord(item) ? toStringValue(item.value) : toStringValue(item);
    if (text === undefined) issues.add(`${field}[${i}]`, `expected a string, got ${show(item)}`);
    else out.push(text);
  });
  return out;
}

/**
 * Reads `options` of a provider file into OptionDefs, reporting bad names, types and patterns.
 */
export function parseOptions(raw: unknown, issues: Issues, warnings: string[]): Record<string, OptionDef> {
  const options: Record<string, OptionDef> = {};
  if (raw === null || raw === undefined) return options;
  if (!isRecord(raw)) {
    issues.add('options', `expected a mapping of option names to settings, got ${show(raw)}`);
    return options;
  }
  for (const [name, spec] of Object.entries(raw)) {
    const field = `options.${name}`;
    if (!OPTION_NAME.test(name)) {
      issues.add(field, `option name "${name}" must match ^[A-Z0-9_]+$ (upper case letters, digits and underscores)`, {
        hint: 'e.g. MY_OPTION, DOCKER_HOST',
      });
      continue;
    }
    if (spec !== null && !isRecord(spec)) {
      issues.add(field, `expected the option's settings as a mapping, got ${show(spec)}`);
      continue;
    }
    options[name] = parseOption(name, spec ?? {}, issues, warnings);
  }
  return options;
}

function parseOption(name: string, spec: Record<string, unknown>, issues: Issues, warnings: string[]): OptionDef {
  const field = `options.${name}`;
  const def: OptionDef = {};
  for (const key of STRING_FIELDS) {
    const value = spec[key];
    if (value === undefined || value === null) continue;
    const text = toStringValue(value);
    if (text === undefined) issues.add(`${field}.${key}`, `expected a string, got ${show(value)}`);
    else def[key] = text;
  }
  for (const key of BOOLEAN_FIELDS) {
    const value = spec[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'boolean') def[key] = value;
    else if (typeof value === 'string' && /^(true|false)$/i.test(value)) def[key] = value.toLowerCase() === 'true';
    else issues.add(`${field}.${key}`, `expected true or false, got ${show(value)}`);
  }
  if (spec.type !== undefined && spec.type !== null) {
    if (OPTION_TYPES.includes(spec.type as OptionType)) def.type = spec.type as OptionType;
    else issues.add(`${field}.type`, `${show(spec.type)} is not an option type; use one of ${OPTION_TYPES.join(', ')}`);
  }
  const enumValues = toStringList(spec.enum, `${field}.enum`, issues, true);
  if (enumValues) def.enum = enumValues;
  const suggestions = toStringList(spec.suggestions, `${field}.suggestions`, issues, false);
  if (suggestions) def.suggestions = suggestions;

  if (def.default && def.command) {
    issues.add(field, `default and command cannot be used together in option ${name}`);
  }
  if (def.validationPattern !== undefined) {
    try {
      compilePattern(def.validationPattern);
    } catch (err) {
      issues.add(`${field}.validationPattern`, `not a valid regular expression: ${(err as Error).message}`);
      delete def.validationPattern;
    }
  }
  if (def.default !== undefined) {
    const problem = checkOptionValue(name, def, def.default);
    if (problem) issues.add(`${field}.default`, `the default of ${name} is invalid: ${problem}`);
  }
  if (def.userSettable && def.global) {
    warnings.push(`option ${name} is global, so it is never set per workspace although it is marked userSettable`);
  }
  for (const key of Object.keys(spec)) {
    if (!KNOWN_FIELDS.has(key)) warnings.push(`unknown key "${field}.${key}" ignored`);
  }
  return def;
}
