import type { FieldError } from '../errors';
import { Issues } from './issues';
import { isRecord } from './provider-keys';
import type { OptionDef, ProviderDefinition } from './provider-types';

/**
 * Agent fields whose value the control plane reads a file or a secret from (a kubeconfig, a pod
 * template, TLS material). An option feeding one of them is never user-settable: a user's value
 * would choose which control-plane file is read.
 */
export const FILE_READ_FIELDS = [
  'agent.kubernetes.config',
  'agent.kubernetes.podManifestTemplate',
  'agent.docker.env.DOCKER_CERT_PATH',
  'agent.docker.env.DOCKER_TLS_CA',
  'agent.docker.env.DOCKER_TLS_CERT',
  'agent.docker.env.DOCKER_TLS_KEY',
  // ssh:// engines: the key and the host keys trusted, the socket forwarded to, the command run there.
  'agent.docker.env.DOCKER_SSH_KEY',
  'agent.docker.env.DOCKER_SSH_KEY_PASSPHRASE',
  'agent.docker.env.DOCKER_SSH_KNOWN_HOSTS',
  'agent.docker.env.DOCKER_SSH_SOCKET',
  'agent.docker.env.DOCKER_INSTALL_COMMAND',
] as const;

/** Schemes a control-plane secret reference uses; a value set per workspace must not look like one. */
const REFERENCE_SYNTAX = /^\s*(file|env|aws-sm)\s*:/i;
const VARIABLE = /\$\{([A-Z0-9_]+)\}/g;

/** Who sets per-workspace options; both follow the same rule, only the hint differs. */
export type OptionSetter = 'admin' | 'user';

/** True when a workspace may set this option: marked `userSettable` and not `global`. */
export function isUserSettable(def: OptionDef | undefined): boolean {
  return def?.userSettable === true && def.global !== true;
}

/** The options each agent field refers to with `${NAME}`, keyed by dotted field (`agent.docker.env.DOCKER_HOST`). */
export function optionReferences(agent: unknown, field = 'agent', out = new Map<string, string[]>()): Map<string, string[]> {
  if (typeof agent === 'string') {
    const names = [...agent.matchAll(VARIABLE)].map((m) => m[1]!);
    if (names.length > 0) out.set(field, names);
  } else if (Array.isArray(agent)) {
    agent.forEach((item, i) => optionReferences(item, `${field}[${i}]`, out));
  } else if (isRecord(agent)) {
    for (const [key, value] of Object.entries(agent)) optionReferences(value, `${field}.${key}`, out);
  }
  return out;
}

/**
 * Refuses a provider whose `userSettable` option feeds a field the control plane reads a file or
 * secret from; reported at add time on `options.NAME.userSettable`.
 */
export function checkUserSettableSinks(def: ProviderDefinition, issues: Issues): void {
  const refs = optionReferences(def.agent);
  for (const field of FILE_READ_FIELDS) {
    for (const name of refs.get(field) ?? []) {
      if (!def.options[name]?.userSettable) continue;
      issues.add(`options.${name}.userSettable`, `option ${name} feeds ${field}, which the control plane reads a file or secret from; it cannot be set per workspace`, {
        hint: `Remove userSettable from ${name} and set the value once as an admin (-o ${name}=file:/path, env:NAME or aws-sm:name).`,
      });
    }
  }
}

/**
 * Why each per-workspace option value is refused: an option the provider does not declare, a
 * `global` one, one not marked `userSettable: true`, or a value written as a secret reference
 * (`file:`, `env:`, `aws-sm:`), which per-workspace values never are. Empty when all may be set.
 * Fields are `options.NAME`; values are never quoted.
 */
export function workspaceOptionErrors(def: ProviderDefinition, values: Record<string, unknown>, setter: OptionSetter = 'user'): FieldError[] {
  const errors: FieldError[] = [];
  const settable = Object.keys(def.options).filter((n) => isUserSettable(def.options[n]));
  const listed = settable.length > 0 ? `Options a workspace may set: ${settable.join(', ')}.` : `Provider "${def.name}" lets workspaces set no options.`;
  const howToAllow = setter === 'admin'
    ? 'Admins follow the same rule: mark it userSettable: true in the provider file, or set it for every workspace with PUT /v1/providers/{name}/options.'
    : 'Ask an admin to mark it userSettable in the provider, or to set it for the provider.';
  for (const [rawName, value] of Object.entries(values)) {
    const name = rawName.trim().toUpperCase();
    const field = `options.${name}`;
    const option = def.options[name];
    if (!option) {
      errors.push({ field, message: `provider "${def.name}" has no option ${name}`, hint: listed });
    } else if (option.global) {
      errors.push({ field, message: `option ${name} is global: it is set once for the provider, never per workspace`, hint: listed });
    } else if (!option.userSettable) {
      errors.push({ field, message: `option ${name} is not user-settable: the provider does not let workspaces set it`, hint: `${howToAllow} ${listed}` });
    } else if (typeof value === 'string' && REFERENCE_SYNTAX.test(value)) {
      errors.push({
        field,
        message: `option ${name}: a value set per workspace is used as written, never as a file:, env: or aws-sm: reference`,
        hint: 'References are resolved only in values an admin sets for the provider.',
      });
    }
  }
  return errors;
}

/** The per-workspace values a workspace may still set; the rest are dropped (see workspaceOptionErrors). */
export function allowedWorkspaceOptions(def: ProviderDefinition, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (workspaceOptionErrors(def, { [name]: value }).length === 0) out[name] = value;
  }
  return out;
}
