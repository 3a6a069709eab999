import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { configError } from '../errors';
import { Issues, formatPath, positionIndex, show, type SourcePosition } from './issues';
import { imageReferenceProblem } from './image-ref';
import { LIMITS, capWarnings, checkJsonTree, findTooDeepJson, tooDeepMessage } from './limits';
import { normalizeLifecycle, parseHostRequirements, parseMount, parsePorts } from './devcontainer-parts';
import { addOrigin, emptyRunArgs, parseRunArgs } from './devcontainer-run-args';
import { readComposeKeys } from './devcontainer-compose';
import { LIFECYCLE_HOOKS, type DevcontainerBuild, type DevcontainerConfig } from './devcontainer-types';

const strings = z.record(z.string(), z.string());
const stringList = z.array(z.string());

/** The shape of the properties workbay reads; the finer rules live in devcontainer-parts. */
const schema = z.object({
  name: z.string().optional(),
  image: z.string().min(1, 'image must not be empty').optional(),
  build: z
    .looseObject({
      dockerfile: z.string().min(1, 'dockerfile must not be empty').optional(),
      dockerFile: z.string().min(1, 'dockerFile must not be empty').optional(),
      context: z.string().optional(),
      args: strings.optional(),
      target: z.string().optional(),
      options: stringList.optional(),
    })
    .optional(),
  dockerFile: z.string().min(1, 'dockerFile must not be empty').optional(),
  context: z.string().optional(),
  containerEnv: strings.optional(),
  remoteEnv: z.record(z.string(), z.string().nullable()).optional(),
  mounts: z.array(z.unknown()).optional(),
  workspaceFolder: z.string().optional(),
  workspaceMount: z.string().optional(),
  runArgs: z.array(z.unknown()).optional(),
  privileged: z.boolean().optional(),
  capAdd: stringList.optional(),
  securityOpt: stringList.optional(),
  overrideCommand: z.boolean().optional(),
  containerUser: z.string().optional(),
  remoteUser: z.string().optional(),
  features: z.record(z.string(), z.unknown()).optional(),
  overrideFeatureInstallOrder: stringList.optional(),
  customizations: z.record(z.string(), z.unknown()).optional(),
});

const KNOWN = new Set([
  ...Object.keys(schema.shape), 'forwardPorts', 'appPort', 'hostRequirements', '$schema', ...LIFECYCLE_HOOKS,
  'dockerComposeFile', 'service', 'runServices',
]);
const IGNORED = new Set([
  'shutdownAction', 'waitFor', 'userEnvProbe', 'updateRemoteUserUID', 'init', 'portsAttributes', 'otherPortsAttributes',
]);
const BUILD_KEYS = new Set(['dockerfile', 'dockerFile', 'context', 'args', 'target', 'options']);
const REFUSED: Record<string, { message: string; hint: string }> = {
  initializeCommand: {
    message: 'initializeCommand runs on the host, and the control plane has no host shell for you',
    hint: 'Move it into onCreateCommand or postCreateCommand, which run inside the container.',
  },
};

/**
 * Parses a devcontainer.json (JSONC: comments and trailing commas allowed) into a validated,
 * normalised config. Variables such as `${localEnv:X}` are left for substituteDevcontainerVariables.
 *
 * @param source a name for messages, e.g. `.devcontainer/devcontainer.json`.
 * @throws WorkbayError `config.invalid` with line and column for every problem.
 */
export function parseDevcontainer(text: string, source?: string): DevcontainerConfig {
  const summary = `invalid ${source ?? 'devcontainer.json'}`;
  const position = positionIndex(text);
  // jsonc-parser and everything after it recurse per level: measure the nesting before they run.
  const tooDeep = findTooDeepJson(text);
  if (tooDeep !== undefined) {
    const issues = new Issues();
    issues.add('document', tooDeepMessage(), { position: position(tooDeep), hint: `Keep nesting within ${LIMITS.depth} levels.` });
    issues.throwIfAny(summary);
  }
  const parseErrors: ParseError[] = [];
  const tree = parseTree(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
  if (parseErrors.length > 0 || !tree) {
    const issues = new Issues();
    for (const e of parseErrors) issues.add('document', `JSON syntax error: ${printParseErrorCode(e.error)}`, { position: position(e.offset) });
    if (!tree) issues.add('document', 'the file is empty', { position: { line: 1, column: 1 } });
    issues.throwIfAny(summary);
  }
  const root = tree!;
  const issues: Issues = new Issues((field) => locate(root, field, position));
  if (root.type !== 'object') {
    throw configError(`${summary}: expected a JSON object`, [{ field: 'document', message: 'a devcontainer.json is a JSON object', line: 1, column: 1 }]);
  }
  checkJsonTree(root, issues, position);
  const data = nodeValue(root) as Record<string, unknown>;
  const warnings: string[] = [];

  for (const key of Object.keys(data)) {
    const refused = Object.hasOwn(REFUSED, key) ? REFUSED[key] : undefined;
    if (refused) issues.add(key, refused.message, { hint: refused.hint });
    else if (key === 'shutdownAction' && data.dockerComposeFile !== undefined) continue;
    else if (IGNORED.has(key)) warnings.push(`"${key}" is not supported and is ignored`);
    else if (!KNOWN.has(key)) warnings.push(`unknown key "${key}" ignored`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.add(formatPath(issue.path as (string | number)[]), issue.message);
    issues.fail(summary);
  }
  const d = parsed.data;

  const config: DevcontainerConfig = {
    containerEnv: d.containerEnv ?? {},
    remoteEnv: d.remoteEnv ?? {},
    mounts: [],
    runArgs: emptyRunArgs(),
    overrideCommand: d.overrideCommand ?? true,
    forwardPorts: parsePorts(data.forwardPorts, 'forwardPorts', issues),
    appPort: parsePorts(data.appPort, 'appPort', issues),
    features: d.features ?? {},
    customizations: d.customizations ?? {},
    warnings,
  };
  for (const key of ['name', 'workspaceFolder', 'containerUser', 'remoteUser'] as const) {
    if (d[key] !== undefined) config[key] = d[key];
  }
  const build = readBuild(d, issues, warnings);
  const compose = readComposeKeys(data, issues, warnings);
  if (compose) {
    const other = d.image !== undefined ? 'image' : build ? 'build.dockerfile' : undefined;
    if (other) issues.add('dockerComposeFile', `set either dockerComposeFile or ${other}, not both`, { hint: 'With a compose file, the service\'s image or build goes in the compose file.' });
    config.dockerCompose = compose;
    config.overrideCommand = d.overrideCommand ?? false;
    config.workspaceFolder = d.workspaceFolder ?? '/';
  } else if (d.image !== undefined && build) {
    issues.add('image', 'set either image or build.dockerfile, not both');
  } else if (d.image === undefined && !build) {
    issues.add('image', 'set image or build.dockerfile', {
      hint: 'A devcontainer.json needs an image, a Dockerfile, or a compose file (dockerComposeFile with service).',
    });
  }
  if (d.image !== undefined) {
    // `${localEnv:…}` is filled in later; the driver checks the substituted value again.
    const problem = d.image.includes('${') ? undefined : imageReferenceProblem(d.image);
    if (problem) issues.add('image', problem.message, problem.hint ? { hint: problem.hint } : {});
    config.image = d.image;
  }
  if (build) config.build = build;

  d.mounts?.forEach((m, i) => {
    const mount = parseMount(m, `mounts[${i}]`, issues, warnings);
    if (mount) config.mounts.push(mount);
  });
  if (d.workspaceMount !== undefined && d.workspaceMount !== '') {
    const mount = parseMount(d.workspaceMount, 'workspaceMount', issues, warnings);
    if (mount) config.workspaceMount = mount;
    if (d.workspaceFolder === undefined) issues.add('workspaceFolder', 'workspaceMount needs workspaceFolder too');
  }
  // With a compose file the service's settings come from it; runArgs is ignored (and warned about).
  if (!compose) parseRunArgs(d.runArgs, issues, config.runArgs);
  if (d.privileged) {
    config.runArgs.privileged = true;
    addOrigin(config.runArgs, { field: 'privileged', flag: '--privileged' });
  }
  config.runArgs.capAdd.push(...(d.capAdd ?? []));
  config.runArgs.securityOpt.push(...(d.securityOpt ?? []));
  d.capAdd?.forEach((value, i) => addOrigin(config.runArgs, { field: `capAdd[${i}]`, flag: '--cap-add', value }));
  d.securityOpt?.forEach((value, i) => addOrigin(config.runArgs, { field: `securityOpt[${i}]`, flag: '--security-opt', value }));

  for (const hook of LIFECYCLE_HOOKS) {
    const command = normalizeLifecycle(data[hook], hook, issues);
    if (command) config[hook] = command;
  }
  const host = parseHostRequirements(data.hostRequirements, issues, warnings);
  if (host) config.hostRequirements = host;
  if (d.overrideFeatureInstallOrder) config.overrideFeatureInstallOrder = d.overrideFeatureInstallOrder;
  issues.throwIfAny(summary);
  config.warnings = capWarnings(warnings);
  return config;
}

function readBuild(d: z.infer<typeof schema>, issues: Issues, warnings: string[]): DevcontainerBuild | undefined {
  const b = d.build;
  const spellings = [b?.dockerfile, b?.dockerFile, d.dockerFile].filter((x): x is string => x !== undefined);
  if (new Set(spellings).size > 1) {
    issues.add('build.dockerfile', `different Dockerfiles are given (${spellings.map((s) => show(s)).join(', ')}); set only build.dockerfile`);
  }
  for (const key of Object.keys(b ?? {})) {
    if (!BUILD_KEYS.has(key)) warnings.push(`"build.${key}" is not supported and is ignored`);
  }
  const dockerfile = spellings[0];
  if (dockerfile === undefined) {
    if (b && d.image !== undefined) warnings.push('build is ignored: it has no dockerfile and image is set');
    return undefined;
  }
  const out: DevcontainerBuild = { dockerfile, context: b?.context ?? d.context ?? '.', args: { ...b?.args } };
  if (b?.target !== undefined) out.target = b.target;
  readBuildOptions(b?.options ?? [], out, issues);
  return out;
}

/**
 * `build.options` are `docker build` flags; the engine's build API takes a few of them, the rest
 * would need a local CLI, so they are refused by name rather than dropped.
 */
function readBuildOptions(options: string[], out: DevcontainerBuild, issues: Issues): void {
  for (let i = 0; i < options.length; i++) {
    const field = `build.options[${i}]`;
    const arg = options[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const takes = name === '--build-arg' || name === '--target';
    let value = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (takes && value === undefined) value = options[++i];
    if (name === '--no-cache') out.noCache = true;
    else if (name === '--pull') out.pull = true;
    else if (name === '--target' && value) out.target = value;
    else if (name === '--build-arg' && value) {
      const at = value.indexOf('=');
      if (at <= 0) issues.add(field, `--build-arg needs NAME=value, got ${show(value)}`);
      else out.args[value.slice(0, at)] = value.slice(at + 1);
    } else {
      issues.add(field, `build option ${show(arg)} is not supported`, {
        hint: 'Supported build.options: --build-arg NAME=value, --target NAME, --no-cache, --pull (the engine\'s build API takes no other docker build flags).',
      });
      if (takes) continue;
    }
  }
}

/** Like jsonc's getNodeValue, but keeps the last of duplicate keys, as JSON.parse does. */
function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [p.children![0]!.value as string, p.children![1] ? nodeValue(p.children![1]) : null]));
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function locate(root: Node, field: string, position: (offset: number) => SourcePosition): SourcePosition | undefined {
  const path = field.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = path.length; n > 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (node) return position(node.offset);
  }
  return undefined;
}
