import { Issues, show } from './issues';
import type { DevcontainerRunArgs, RunArgOrigin } from './devcontainer-types';
import { parseMount } from './devcontainer-parts';
import { setOwn } from './provider-keys';

/**
 * The `runArgs` workbay understands; the rest depend on a local `docker run` it does not have.
 * Mounts, devices and host namespaces are read so the provider's policy can judge them.
 */
export const SUPPORTED_RUN_ARGS = [
  '--network', '--cap-add', '--security-opt', '--privileged', '--label', '-e', '--env',
  '--mount', '-v', '--volume', '--device', '--pid', '--ipc', '--init', '--platform',
];

const WITH_VALUE = new Set([
  '--network', '--net', '--cap-add', '--security-opt', '--label', '-e', '--env', '--mount', '-v', '--volume', '--device', '--pid', '--ipc', '--platform',
]);
const BOOLEAN_FLAGS = new Set(['--privileged', '--init']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** An empty typed runArgs. */
export function emptyRunArgs(): DevcontainerRunArgs {
  return { capAdd: [], securityOpt: [], privileged: false, labels: {}, env: {} };
}

/**
 * Reads the supported subset of Docker `run` arguments, in both `--x=v` and `--x v` forms, into
 * `into`. Anything else is reported on `issues` with the argument named and the supported list.
 */
export function parseRunArgs(args: unknown, issues: Issues, into: DevcontainerRunArgs = emptyRunArgs()): DevcontainerRunArgs {
  if (args === undefined || args === null) return into;
  if (!Array.isArray(args)) {
    issues.add('runArgs', `expected a list of strings, got ${show(args)}`);
    return into;
  }
  let skippingValuesOf: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg: unknown = args[i];
    const field = `runArgs[${i}]`;
    if (typeof arg !== 'string') {
      issues.add(field, `expected a string, got ${show(arg)}`);
      continue;
    }
    if (!arg.startsWith('-')) {
      // The value of an unsupported flag already reported: one error per flag is enough.
      if (skippingValuesOf === undefined) issues.add(field, `${show(arg)} is not an option; runArgs holds docker run options`);
      skippingValuesOf = undefined;
      continue;
    }
    skippingValuesOf = undefined;
    let name = arg;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      name = arg.slice(0, eq);
      value = arg.slice(eq + 1);
    }
    if (BOOLEAN_FLAGS.has(name)) {
      let on: boolean | undefined;
      if (value === undefined || /^(true|1)$/i.test(value)) on = true;
      else if (/^(false|0)$/i.test(value)) on = false;
      else issues.add(field, `${name} takes no value or true/false, got ${show(value)}`);
      if (on === undefined) continue;
      if (name === '--init') into.init = on;
      else {
        into.privileged = on;
        if (on) addOrigin(into, { field, flag: '--privileged' });
      }
      continue;
    }
    if (!WITH_VALUE.has(name)) {
      issues.add(field, `${show(arg)} is not supported in runArgs`, {
        hint: `Supported: ${SUPPORTED_RUN_ARGS.join(', ')} (each as --x=value or --x value).`,
      });
      skippingValuesOf = eq > 0 ? undefined : name;
      continue;
    }
    if (value === undefined) {
      const next: unknown = args[i + 1];
      if (typeof next !== 'string') {
        issues.add(field, `${name} needs a value`);
        continue;
      }
      value = next;
      i++;
    }
    apply(name, value, into, issues, field);
  }
  return into;
}

/** Records where a security-relevant setting was asked for. */
export function addOrigin(into: DevcontainerRunArgs, origin: RunArgOrigin): void {
  (into.origins ??= []).push(origin);
}

function apply(name: string, value: string, into: DevcontainerRunArgs, issues: Issues, field: string): void {
  switch (name) {
    case '--network':
    case '--net':
      if (value === '') issues.add(field, '--network needs a network name (host, none, bridge or a network)');
      else {
        into.network = value;
        addOrigin(into, { field, flag: '--network', value });
      }
      return;
    case '--cap-add':
      into.capAdd.push(value);
      addOrigin(into, { field, flag: '--cap-add', value });
      return;
    case '--security-opt':
      into.securityOpt.push(value);
      addOrigin(into, { field, flag: '--security-opt', value });
      return;
    case '--mount':
    case '-v':
    case '--volume': {
      const mount = name === '--mount' ? parseMount(value, field, issues, []) : volumeFlag(value, field, issues);
      if (!mount) return;
      const mounts = (into.mounts ??= []);
      addOrigin(into, { field, flag: '--mount', value, mount: mounts.length });
      mounts.push(mount);
      return;
    }
    case '--device':
      if (value === '') issues.add(field, '--device needs a host device path');
      else {
        (into.devices ??= []).push(value);
        addOrigin(into, { field, flag: '--device', value });
      }
      return;
    case '--pid':
    case '--ipc':
      into[name === '--pid' ? 'pid' : 'ipc'] = value;
      addOrigin(into, { field, flag: name, value });
      return;
    case '--platform':
      if (!/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/.test(value)) issues.add(field, `--platform takes os/arch[/variant] such as linux/amd64, got ${show(value)}`);
      else into.platform = value;
      return;
    case '--label': {
      const eq = value.indexOf('=');
      setOwn(into.labels, eq < 0 ? value : value.slice(0, eq), eq < 0 ? '' : value.slice(eq + 1));
      return;
    }
    default: {
      const eq = value.indexOf('=');
      const key = eq < 0 ? value : value.slice(0, eq);
      if (!ENV_NAME.test(key)) {
        issues.add(field, `${show(key)} is not an environment variable name`);
      } else if (eq < 0) {
        issues.add(field, `${name} ${key} copies a variable from the host, and the control plane has no host environment for it`, {
          hint: `Give the value: ${name} ${key}=value, or use containerEnv.`,
        });
      } else {
        setOwn(into.env, key, value.slice(eq + 1));
      }
    }
  }
}

/** `-v source:target[:ro]` (a leading `/` makes it a host bind, a name a volume) or `-v target` (anonymous). */
function volumeFlag(value: string, field: string, issues: Issues) {
  const parts = value.split(':');
  if (parts.length === 1) return parseMount({ type: 'volume', target: parts[0] }, field, issues, []);
  const [source, target, opts] = parts;
  if (source === undefined || source === '' || (!source.startsWith('/') && /^[.~]/.test(source))) {
    issues.add(field, `${show(value)}: a relative host path cannot be bound; the control plane has no local folder of yours`, {
      hint: 'Use a named volume (-v name:/path) or an absolute host path the provider allows.',
    });
    return undefined;
  }
  const type = source.startsWith('/') ? 'bind' : 'volume';
  const readonly = (opts ?? '').split(',').includes('ro');
  return parseMount({ type, source, target, ...(readonly ? { readonly: true } : {}) }, field, issues, []);
}
