import { configError } from '../errors';
import { Issues, show, type FieldPath, type SourcePosition } from './issues';
import { isDns1123Label } from './names';
import { parseAgent } from './provider-agent';
import {
  AGENT_KEYS, AGENT_UNUSED, DOCKER_KEYS, KUBERNETES_ALIASES, KUBERNETES_KEYS, KUBERNETES_UNUSED, TOP_LEVEL_KEYS, TOP_LEVEL_QUIET,
  isFlatKey, isRecord, mergeKubernetesSpellings, moveFlatKeys, setOwn,
} from './provider-keys';
import { parseOptions } from './provider-options';
import { classifyProvider } from './provider-classify';
import { BUILTIN_NAMES, substituteVariables } from './provider-substitute';
import type { ProviderDefinition } from './provider-types';
import { KNOWN_BUILTINS, literalReferenceWarnings } from './provider-variables';
import { parseYamlSource } from './yaml-source';
import { LIMITS, capWarnings } from './limits';
import { parseWorkbaySection } from '../policy/parse';

const SUMMARY = 'invalid provider file';
const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Where each field of a parsed definition was written, for errors raised later by resolveProvider. */
const locations = new WeakMap<ProviderDefinition, (field: string) => SourcePosition | undefined>();

/** The source positions of a definition returned by parseProviderYaml in this process, if any. */
export function definitionLocator(def: ProviderDefinition): ((field: string) => SourcePosition | undefined) | undefined {
  return locations.get(def);
}

/**
 * Parses a DevPod provider file, nested or in the drivers page's flat form, into a definition with
 * the agent normalised to DevPod's nested shape and `${NAME}`s left unresolved.
 *
 * Literal agent values (those without `${...}`) are already type-checked here, so a bad file is
 * refused when it is added, with line numbers.
 *
 * @param opts.name overrides the file's `name`.
 * @param opts.stored the file was accepted when it was added: rules that later releases read more
 *   strictly must not make it unreadable (see parseWorkbaySection).
 * @throws WorkbayError `config.invalid` with one FieldError (line, column, hint) per problem.
 */
export function parseProviderYaml(text: string, opts: { name?: string; stored?: boolean } = {}): ProviderDefinition {
  const source = parseYamlSource(text, SUMMARY);
  const data = source.data;
  if (!isRecord(data)) {
    throw configError(`${SUMMARY}: expected a YAML mapping with at least name and agent`, [
      { field: 'document', message: `a provider file is a YAML mapping, got ${show(data)}`, line: 1, column: 1 },
    ]);
  }
  const moved = new Map<string, FieldPath>();
  const sourceOf = (field: string): FieldPath => {
    const segments = field.split('.');
    for (let n = segments.length; n > 0; n--) {
      const hit = moved.get(segments.slice(0, n).join('.'));
      if (hit) return [...hit, ...segments.slice(n)];
    }
    return segments;
  };
  const locate = (field: string) => source.locate(sourceOf(field));
  const issues = new Issues(locate);
  const warnings: string[] = [...source.warnings];
  const record = (field: string, from: FieldPath) => moved.set(field, from);

  const name = opts.name ?? data.name;
  if (name === undefined || name === null || name === '') {
    issues.add('name', 'name is missing: give the provider a name (lowercase letters, digits and -)');
  } else if (!isDns1123Label(name, 32)) {
    issues.add('name', `${show(name)} is not a valid provider name: use lowercase letters, digits and '-', at most 32 characters`);
  }

  const optionCount = isRecord(data.options) ? Object.keys(data.options).length : 0;
  if (optionCount > LIMITS.options) issues.add('options', `declares ${optionCount} options; at most ${LIMITS.options} are accepted`);
  const options = parseOptions(data.options, issues, warnings);
  const agent = takeSection(data, 'agent', issues);
  const exec = takeSection(data, 'exec', issues);
  moveFlatKeys(data, agent, exec, issues, record);
  checkAgentKeys(agent, issues, warnings, record, sourceOf);
  classifyProvider({ name, data, agent, exec, options, warnings, locate, record });

  const policy = parseWorkbaySection(data.workbay, issues, source.locate, { stored: opts.stored === true });
  const def: ProviderDefinition = { name: String(name ?? ''), options, agent, exec, warnings, policy };
  for (const key of ['version', 'description', 'icon', 'home'] as const) {
    const value = data[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') issues.add(key, `expected a string, got ${show(value)}`);
    else def[key] = String(value);
  }
  if (def.version !== undefined && !SEMVER.test(def.version)) {
    warnings.push(`version ${show(def.version)} is not a semantic version (e.g. v0.0.1); DevPod would refuse it`);
  }
  if (data.optionGroups !== undefined && data.optionGroups !== null) {
    if (Array.isArray(data.optionGroups)) def.optionGroups = data.optionGroups;
    else issues.add('optionGroups', `expected a list, got ${show(data.optionGroups)}`);
  }
  if (isRecord(data.binaries)) {
    def.binaries = data.binaries;
    warnings.push('binaries are DevPod provider binaries; workbay never downloads or runs them');
  }
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (TOP_LEVEL_KEYS.has(key) || isFlatKey(key) || key === 'path') continue;
    setOwn(extra, key, value);
    if (!TOP_LEVEL_QUIET.has(key)) warnings.push(`unknown key "${key}" ignored`);
  }
  if (Object.keys(extra).length > 0) def.extra = extra;
  if (Object.keys(exec).length > 0) {
    warnings.push(
      `exec commands (${Object.keys(exec).map((k) => `exec.${k}`).join(', ')}) are stored and shown but never run: ` +
        'workbay talks to the Docker and Kubernetes APIs directly',
    );
  }
  checkReferences(agent, Object.keys(options), issues, warnings);
  checkLiterals(agent, issues);
  issues.throwIfAny(SUMMARY);
  def.warnings = capWarnings(warnings);
  locations.set(def, locate);
  return def;
}

function takeSection(data: Record<string, unknown>, key: 'agent' | 'exec', issues: Issues): Record<string, unknown> {
  const value = data[key];
  if (value === undefined || value === null) return {};
  if (isRecord(value)) return structuredClone(value);
  issues.add(key, `expected a mapping, got ${show(value)}`);
  return {};
}

function checkAgentKeys(
  agent: Record<string, unknown>,
  issues: Issues,
  warnings: string[],
  record: (field: string, from: FieldPath) => void,
  sourceOf: (field: string) => FieldPath,
): void {
  for (const key of Object.keys(agent)) {
    if (key === 'inactivityTimeout') {
      warnings.push('agent.inactivityTimeout is DevPod\'s machine timeout and is ignored; workbay stops workspaces by agent.containerInactivityTimeout');
    } else if (AGENT_UNUSED.has(key)) {
      warnings.push(`agent.${key} is a DevPod setting workbay does not use; ignored`);
    } else if (!AGENT_KEYS.has(key)) {
      warnings.push(`unknown key "agent.${key}" ignored`);
    }
  }
  for (const [name, known] of [['docker', DOCKER_KEYS], ['kubernetes', KUBERNETES_KEYS]] as const) {
    const section = agent[name];
    // A non-mapping section is reported by the typed parse in checkLiterals.
    if (!isRecord(section)) continue;
    if (name === 'kubernetes') mergeKubernetesSpellings(section, issues, record, sourceOf);
    for (const key of Object.keys(section)) {
      if (known.has(key)) continue;
      if (KUBERNETES_UNUSED.has(key) && name === 'kubernetes') {
        warnings.push(`agent.kubernetes.${key} is a DevPod setting workbay does not use; ignored`);
      } else if (!(name === 'kubernetes' && Object.hasOwn(KUBERNETES_ALIASES, key))) {
        warnings.push(`unknown key "agent.${name}.${key}" ignored`);
      }
    }
  }
  const driver = agent.driver ?? 'docker';
  const other = driver === 'kubernetes' ? 'docker' : driver === 'docker' ? 'kubernetes' : undefined;
  if (other && isRecord(agent[other]) && Object.keys(agent[other]).length > 0) {
    warnings.push(`agent.${other} is set but the driver is ${String(driver)}; its settings are ignored`);
  }
}

/** Unknown `${NAME}`s are known at parse time already: refuse them when the provider is added. */
function checkReferences(agent: Record<string, unknown>, optionNames: string[], issues: Issues, warnings: string[]): void {
  const known = new Set<string>([...optionNames, ...BUILTIN_NAMES, ...KNOWN_BUILTINS]);
  substituteVariables(agent, (name) => (known.has(name) ? '' : undefined), issues, 'agent');
  warnings.push(...literalReferenceWarnings(agent, known));
}

/** Type-checks the agent values written literally; `${...}` values are checked when resolved. */
function checkLiterals(agent: Record<string, unknown>, issues: Issues): void {
  const literal = (value: unknown): unknown => {
    if (typeof value === 'string') return value.includes('${') ? undefined : value;
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)]));
    return value;
  };
  parseAgent(literal(agent) as Record<string, unknown>, issues);
}
