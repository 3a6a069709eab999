import { isReadAgentField } from './provider-agent';
import { isRecord } from './provider-keys';

/**
 * DevPod's built-in `${NAME}`s that have a fixed meaning here. DevPod fills them from the user's
 * machine (pkg/provider/env.go); workbay plays that machine's part, so the CLI is `workbay`, the OS
 * the control plane's, and the context DevPod's default.
 */
const FIXED: Readonly<Record<string, (provider: string) => string>> = {
  DEVPOD: () => 'workbay',
  DEVPOD_OS: () => 'linux',
  DEVPOD_ARCH: () => goArch(process.arch),
  DEVPOD_LOG_LEVEL: () => 'info',
  PROVIDER_CONTEXT: () => 'default',
  WORKSPACE_CONTEXT: () => 'default',
  MACHINE_CONTEXT: () => 'default',
  WORKSPACE_PROVIDER: (provider) => provider,
  MACHINE_PROVIDER: (provider) => provider,
};

const LOCAL_FOLDER =
  "is DevPod's folder on the user's machine (under ~/.devpod); workbay keeps no such folder";
const FOLDER_HINT = 'Write the path of a file the control plane can read, or a secret reference (file:, env:, aws-sm:), instead.';

/** DevPod built-ins with no value in an agent field here, and why. */
const UNAVAILABLE: Readonly<Record<string, { why: string; hint: string }>> = {
  PROVIDER_FOLDER: { why: LOCAL_FOLDER, hint: FOLDER_HINT },
  WORKSPACE_FOLDER: { why: LOCAL_FOLDER, hint: FOLDER_HINT },
  MACHINE_FOLDER: { why: LOCAL_FOLDER, hint: FOLDER_HINT },
  WORKSPACE_ORIGIN: { why: "is the folder DevPod was started in, on the user's machine", hint: FOLDER_HINT },
  WORKSPACE_SOURCE: { why: 'is known per workspace only after the provider is chosen, so it cannot configure the provider', hint: 'Use WORKSPACE_ID or WORKSPACE_UID to tell workspaces apart.' },
  WORKSPACE_PICTURE: { why: 'is a DevPod desktop picture URL that workbay does not keep', hint: 'Remove it from the agent fields.' },
  WORKSPACE_INFO: { why: "is DevPod's encoded workspace for its agent, which workbay does not run", hint: 'Remove it from the agent fields.' },
  DEVCONTAINER_ID: { why: "names DevPod's dev container inside its agent, which workbay does not run", hint: 'Use WORKSPACE_UID, which workbay labels every object with.' },
  COMMAND: { why: 'is the command DevPod passes to exec.command only', hint: 'Use it in exec.command, which workbay stores verbatim.' },
  LOFT_PROJECT: { why: 'is a DevPod Pro (Loft) setting', hint: 'Remove it from the agent fields.' },
  LOFT_FILTER_BY_OWNER: { why: 'is a DevPod Pro (Loft) setting', hint: 'Remove it from the agent fields.' },
};

/** The devsy fork renamed DevPod's variables; each of its names means DevPod's. */
const FORK_ALIASES: Readonly<Record<string, string>> = {
  DEVSY: 'DEVPOD', DEVSY_OS: 'DEVPOD_OS', DEVSY_ARCH: 'DEVPOD_ARCH', DEVSY_LOG_LEVEL: 'DEVPOD_LOG_LEVEL',
};

/** Every built-in name with a value (fixed or per workspace), as offered in hints. */
export const KNOWN_BUILTINS: readonly string[] = [
  ...Object.keys(FIXED), 'PROVIDER_ID', 'WORKSPACE_ID', 'WORKSPACE_UID', 'MACHINE_ID', ...Object.keys(FORK_ALIASES),
];

function goArch(arch: string): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}

/** The value of a fixed built-in (including the fork's spellings), or undefined for any other name. */
export function fixedBuiltin(name: string, provider: string): string | undefined {
  const canonical = Object.hasOwn(FORK_ALIASES, name) ? FORK_ALIASES[name]! : name;
  return Object.hasOwn(FIXED, canonical) ? FIXED[canonical]!(provider) : undefined;
}

/** Why a DevPod built-in has no value in an agent field here; undefined for names that are not built-ins. */
export function unavailableBuiltin(name: string): { message: string; hint: string } | undefined {
  const entry = Object.hasOwn(UNAVAILABLE, name) ? UNAVAILABLE[name] : undefined;
  if (!entry) return undefined;
  return { message: `\${${name}} ${entry.why}, so it has no value here`, hint: entry.hint };
}

/**
 * Which fields of `agent` keep an unknown `${NAME}` as written: those in sections workbay ignores
 * (`agent.exec.*`, `agent.custom.*`, `agent.binaries`, unknown keys, and the other driver's section
 * when the driver is written literally). DevPod never substitutes there either, and a shell may
 * still expand the name where DevPod runs such a command.
 */
export function literalFields(agent?: unknown): (field: string) => boolean {
  const raw = isRecord(agent) ? agent.driver : undefined;
  const driver = raw === undefined || raw === null || raw === '' ? 'docker' : raw === 'kubernetes' || raw === 'docker' ? raw : undefined;
  return (field) => !isReadAgentField(field, driver);
}

/**
 * DevPod puts every binary it downloads under `binaries` (top level or `agent.binaries`) into the
 * environment as `${NAME}` = the binary's local path. workbay runs none, so the name stands for
 * the binary's file name; this returns those names and their values.
 */
export function binaryNames(...sections: unknown[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const binaries of sections) {
    if (!isRecord(binaries)) continue;
    for (const [name, entries] of Object.entries(binaries)) {
      if (!out.has(name)) out.set(name, binaryFileName(name, entries));
    }
  }
  return out;
}

function binaryFileName(name: string, entries: unknown): string {
  const list = Array.isArray(entries) ? entries.filter(isRecord) : [];
  const pick = list.find((e) => e.os === 'linux' && e.arch === 'amd64') ?? list[0];
  if (pick && typeof pick.name === 'string' && pick.name) return pick.name;
  if (pick && typeof pick.path === 'string' && pick.path) {
    const base = pick.path.split(/[?#]/)[0]!.split('/').filter(Boolean).pop();
    if (base) return base;
  }
  return name.toLowerCase().replace(/_/g, '-');
}

/**
 * Replaces `${NAME}` of every binary in every string of the agent (in place), unless an option
 * has that name: options come first, as everywhere else.
 */
export function substituteBinaries(agent: Record<string, unknown>, binaries: Map<string, string>, optionNames: Iterable<string>): void {
  const options = new Set(optionNames);
  const live = [...binaries].filter(([name]) => !options.has(name));
  if (live.length === 0) return;
  const values = new Map(live);
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return node.replace(/\$\{([A-Z0-9_]+)\}/g, (m, n: string) => values.get(n) ?? m);
    if (Array.isArray(node)) return node.map(walk);
    if (isRecord(node)) {
      for (const [k, v] of Object.entries(node)) node[k] = walk(v);
      return node;
    }
    return node;
  };
  walk(agent);
}

/**
 * The warnings for unknown `${NAME}`s in sections workbay ignores, one per field: they stay as
 * written (substituteVariables reports unknown names only in the fields workbay reads).
 */
export function literalReferenceWarnings(
  agent: unknown,
  known: ReadonlySet<string>,
  literal: (field: string) => boolean = literalFields(agent),
  field = 'agent',
  out: string[] = [],
): string[] {
  if (typeof agent === 'string') {
    if (!literal(field)) return out;
    const unknown = [...agent.matchAll(/\$\{([^}]*)\}/g)]
      .map((m) => m[1]!)
      .filter((n) => !known.has(n) && fixedBuiltin(n, '') === undefined);
    if (unknown.length > 0) {
      const names = [...new Set(unknown)].map((n) => `\${${n}}`).join(', ');
      out.push(`${field}: ${names} left as written: workbay ignores this setting, and DevPod does not substitute unknown names either`);
    }
  } else if (Array.isArray(agent)) {
    agent.forEach((item, i) => literalReferenceWarnings(item, known, literal, `${field}[${i}]`, out));
  } else if (isRecord(agent)) {
    for (const [key, value] of Object.entries(agent)) literalReferenceWarnings(value, known, literal, `${field}.${key}`, out);
  }
  return out;
}

/**
 * The hint for an option that must be set, in the shape of the API every client uses
 * (`POST /v1/providers` and `PUT /v1/providers/{name}/options` take `{"options": {...}}`); the
 * CLI rewrites this shape into its own `-o NAME=value` (cli/format.ts).
 */
export function setOptionHint(name: string, description?: string): string {
  const about = description ? ` (${description.trim()})` : '';
  return `Set it in the request body: {"options": {"${name}": "<value>"}}${about}.`;
}
