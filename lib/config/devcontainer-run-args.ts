import { Issues, show } from './issues';
import type { DevcontainerRunArgs } from './devcontainer-types';
import { setOwn } from './provider-keys';

/** The `runArgs` workbay understands; the rest depend on a local `docker run` it does not have. */
export const SUPPORTED_RUN_ARGS = ['--network', '--cap-add', '--security-opt', '--privileged', '--label', '-e', '--env'];

const WITH_VALUE = new Set(['--network', '--cap-add', '--security-opt', '--label', '-e', '--env']);
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
    if (name === '--privileged') {
      if (value === undefined || /^(true|1)$/i.test(value)) into.privileged = true;
      else if (/^(false|0)$/i.test(value)) into.privileged = false;
      else issues.add(field, `--privileged takes no value or true/false, got ${show(value)}`);
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

function apply(name: string, value: string, into: DevcontainerRunArgs, issues: Issues, field: string): void {
  switch (name) {
    case '--network':
      if (value === '') issues.add(field, '--network needs a network name (host, none, bridge or a network)');
      else into.network = value;
      return;
    case '--cap-add':
      into.capAdd.push(value);
      return;
    case '--security-opt':
      into.securityOpt.push(value);
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
