import { configError, type FieldError } from '../errors';
import { show, type SourcePosition } from './issues';
import { isRecord } from './provider-keys';
import { isExternalKubernetes, mapExternalKubernetes } from './provider-external-kubernetes';
import { agentNotes } from './provider-notes';
import type { OptionDef } from './provider-types';
import { binaryNames, substituteBinaries } from './provider-variables';

/** What kind of DevPod provider a file is, as DevPod itself tells them apart (pkg/provider/provider.go). */
export type ProviderKind = 'docker' | 'kubernetes' | 'external-kubernetes' | 'machine' | 'proxy' | 'daemon' | 'custom' | 'remote';

const SSH_HINT =
  'To run workspaces on a machine you already have, add a Docker provider whose agent.docker.env.DOCKER_HOST is ' +
  'ssh://user@host (workbay talks to that engine over SSH and checks its host key), or a Kubernetes provider for a cluster.';

/** Why each refused kind cannot run here: the headline's first sentence, the field it rests on, and what to do instead. */
const REFUSALS: Readonly<Record<'machine' | 'proxy' | 'daemon' | 'custom' | 'remote', { field: string; why: string; hint: string }>> = {
  machine: {
    field: 'exec.create',
    why: 'is a machine provider: DevPod creates a virtual machine for every workspace with exec.create, and workbay does not create machines; ' +
      'it runs dev containers on Docker engines and Kubernetes clusters that already exist',
    hint: SSH_HINT,
  },
  proxy: {
    field: 'exec.proxy',
    why: 'is a proxy provider: DevPod hands every workspace command to exec.proxy (another DevPod, such as DevPod Pro), which workbay never runs',
    hint: 'Add a Docker or Kubernetes provider for the engine or cluster behind the proxy instead.',
  },
  daemon: {
    field: 'exec.daemon',
    why: 'is a daemon provider: DevPod runs its workspaces through a long-lived local daemon (exec.daemon), which workbay never runs',
    hint: 'Add a Docker or Kubernetes provider for the engine or cluster the daemon manages instead.',
  },
  custom: {
    field: 'agent.driver',
    why: "uses DevPod's custom driver: its agent.custom commands run the provider's own binary to create containers, which workbay never runs; use docker or kubernetes",
    hint: 'Set agent.driver to docker or kubernetes; for a Kubernetes cluster, DevPod\'s kubernetes provider works as it is.',
  },
  remote: {
    field: 'exec.command',
    why: 'reaches its workspaces through its own exec.command{command}, a transport to another machine that workbay never runs; ' +
      "accepting it would put its containers on workbay's own engine instead",
    hint: SSH_HINT,
  },
};

/** exec.command of DevPod's local providers: run the command here, through DevPod's helper or a shell. */
const LOCAL_TRANSPORT = [
  /^(\$\{(DEVPOD|DEVSY)\}|\S*devpod|\S*devsy) helper sh -c \$\{COMMAND\}$/,
  /^(\/bin\/|\/usr\/bin\/)?(ba)?sh -c \$\{COMMAND\}$/,
];

function present(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return !(isRecord(value) && Object.keys(value).length === 0);
}

/**
 * A transport to another machine passes `${COMMAND}` through something other than a local shell
 * (`ssh host "${COMMAND}"`), or runs a provider binary (`${SSH_PROVIDER} command`).
 */
function isRemoteTransport(command: unknown, binaries: ReadonlySet<string>): boolean {
  if (!present(command)) return false;
  const text = (Array.isArray(command) ? command.join(' ') : String(command)).replace(/["']/g, '').replace(/\s+/g, ' ').trim();
  if (LOCAL_TRANSPORT.some((re) => re.test(text))) return false;
  const names = [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
  return names.includes('COMMAND') || names.some((n) => binaries.has(n));
}

/** Tells the kind of a provider from its (flat keys already moved) agent and exec sections. */
export function providerKind(data: Record<string, unknown>, agent: Record<string, unknown>, exec: Record<string, unknown>): ProviderKind {
  if (present(exec.create)) return 'machine';
  // A daemon provider may carry exec.proxy too; the daemon is what it depends on.
  if (present(exec.daemon)) return 'daemon';
  if (present(exec.proxy)) return 'proxy';
  if (agent.driver === 'custom') return isExternalKubernetes(data, agent) ? 'external-kubernetes' : 'custom';
  if (isRemoteTransport(exec.command, new Set(binaryNames(data.binaries, agent.binaries).keys()))) return 'remote';
  return agent.driver === 'kubernetes' ? 'kubernetes' : 'docker';
}

/** What the parser hands over: its sections (changed in place) and how to locate and record fields. */
export interface ClassifyInput {
  name: unknown;
  data: Record<string, unknown>;
  agent: Record<string, unknown>;
  exec: Record<string, unknown>;
  options: Record<string, OptionDef>;
  warnings: string[];
  locate: (field: string) => SourcePosition | undefined;
  record: (field: string, from: readonly string[]) => void;
}

/**
 * Classifies a provider when it is added. Machine, proxy, daemon, custom-driver and remote-transport
 * providers are refused with one error whose headline says why; none becomes a Docker provider.
 * The external Kubernetes provider is mapped onto the Kubernetes driver (with a warning). Then
 * `binaries` names are filled in and the notes about settings workbay treats differently are added.
 *
 * @throws WorkbayError `config.invalid` for a provider workbay cannot run.
 */
export function classifyProvider(input: ClassifyInput): ProviderKind {
  const { data, agent, exec, options, warnings } = input;
  const kind = providerKind(data, agent, exec);
  if (kind === 'machine' || kind === 'proxy' || kind === 'daemon' || kind === 'custom' || kind === 'remote') refuse(kind, input);
  if (kind === 'external-kubernetes') warnings.push(mapExternalKubernetes(agent, options, input.record));
  substituteBinaries(agent, binaryNames(data.binaries, agent.binaries), Object.keys(options));
  warnings.push(...agentNotes(agent, options, data.options));
  return kind;
}

function refuse(kind: keyof typeof REFUSALS, input: ClassifyInput): never {
  const { field, why, hint } = REFUSALS[kind];
  const name = typeof input.name === 'string' && input.name !== '' ? `provider ${show(input.name)}` : 'this provider';
  const reason = why.replace('{command}', kind === 'remote' ? ` (${show(commandText(input.exec.command))})` : '');
  const error: FieldError = { field, message: `${name} ${reason}`, hint };
  const at = input.locate(field);
  if (at) Object.assign(error, { line: at.line, column: at.column });
  throw configError(`${name} ${reason}. ${hint}`, [error]);
}

function commandText(command: unknown): string {
  const text = Array.isArray(command) ? command.join(' ') : String(command);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
